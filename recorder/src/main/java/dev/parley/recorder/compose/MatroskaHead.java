package dev.parley.recorder.compose;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * What the start of a WebM/Matroska file says about the file: its DocType, whether the Segment's size is known
 * and fits in the file, and whether Info has a Duration. Reads only the first {@link #HEAD_BYTES} bytes.
 */
final class MatroskaHead {
    static final int HEAD_BYTES = 64 << 10;
    private static final int EBML = 0x1A45DFA3;
    private static final int DOC_TYPE = 0x4282;
    private static final int SEGMENT = 0x18538067;
    private static final int INFO = 0x1549A966;
    private static final int DURATION = 0x4489;
    private static final int CLUSTER = 0x1F43B675;
    private static final int VOID = 0xEC;
    private static final int TIMESTAMP_SCALE = 0x2AD7B1;

    final String docType;
    /** The Segment has a size (a finalized file) rather than the "unknown" size of a file still being written. */
    final boolean segmentSized;
    /** The file is at least as long as its Segment says. */
    final boolean segmentComplete;
    /** Info holds a Duration (false also when Info is not in the head). */
    final boolean hasDuration;
    /** Where the Segment's size field is, and its length in bytes. */
    final int segmentSizeAt;
    final int segmentSizeLength;
    /** Where the Segment's children begin (positions in a Matroska file count from here). */
    final int segmentDataAt;
    /** Nanoseconds per timestamp unit (Info's TimestampScale; 1 ms unless it says otherwise). */
    final long timestampScale;
    /** A Void inside Info with room for a Duration (Parley's writer reserves one), its position and length; or -1. */
    final int durationRoomAt;
    final int durationRoomLength;
    /** Where the first Cluster begins, or -1 when it is not in the head. */
    final int firstClusterAt;

    private MatroskaHead(String docType, boolean segmentSized, boolean segmentComplete, boolean hasDuration,
            int segmentSizeAt, int segmentSizeLength, int segmentDataAt, long timestampScale, int durationRoomAt,
            int durationRoomLength, int firstClusterAt) {
        this.docType = docType;
        this.segmentSized = segmentSized;
        this.segmentComplete = segmentComplete;
        this.hasDuration = hasDuration;
        this.segmentSizeAt = segmentSizeAt;
        this.segmentSizeLength = segmentSizeLength;
        this.segmentDataAt = segmentDataAt;
        this.timestampScale = timestampScale;
        this.durationRoomAt = durationRoomAt;
        this.durationRoomLength = durationRoomLength;
        this.firstClusterAt = firstClusterAt;
    }

    /** Thrown for a file that is not WebM/Matroska, with what is wrong. */
    static final class NotMatroska extends Exception {
        NotMatroska(String message) {
            super(message);
        }
    }

    static MatroskaHead read(Path file) throws IOException, NotMatroska {
        long fileLength;
        ByteBuffer b;
        try (FileChannel ch = FileChannel.open(file)) {
            fileLength = ch.size();
            b = ByteBuffer.allocate((int) Math.min(HEAD_BYTES, fileLength));
            while (b.hasRemaining() && ch.read(b) > 0) {
                // reads the head
            }
            b.flip();
        }
        if (readId(b) != EBML) {
            throw new NotMatroska("it does not start with an EBML header");
        }
        long headerSize = readSize(b);
        if (headerSize < 0 || headerSize > b.remaining()) {
            throw new NotMatroska("its EBML header is cut short");
        }
        int headerEnd = b.position() + (int) headerSize;
        String docType = null;
        while (b.position() < headerEnd) {
            int id = readId(b);
            long size = readSize(b);
            if (size < 0 || size > headerEnd - b.position()) {
                throw new NotMatroska("its EBML header has an element of a bad size");
            }
            if (id == DOC_TYPE) {
                byte[] s = new byte[(int) size];
                b.get(s);
                docType = new String(s, java.nio.charset.StandardCharsets.US_ASCII).replace("\0", "");
            } else {
                b.position(b.position() + (int) size);
            }
        }
        if (!"webm".equals(docType) && !"matroska".equals(docType)) {
            throw new NotMatroska("its DocType is " + docType + ", not webm or matroska");
        }
        if (readId(b) != SEGMENT) {
            throw new NotMatroska("no Segment follows its EBML header");
        }
        int segmentSizeAt = b.position();
        long segmentSize = readSize(b);
        int segmentData = b.position();
        boolean sized = segmentSize >= 0;
        boolean complete = sized && segmentData + segmentSize <= fileLength;
        boolean duration = false;
        long scale = 1_000_000;
        int roomAt = -1;
        int roomLength = 0;
        int firstCluster = -1;
        // Top-level elements up to the first Cluster (SeekHead, Void, Info, Tracks ...), as far as the head goes.
        while (b.remaining() >= 2) {
            int at = b.position();
            int id = readId(b);
            long size = readSize(b);
            if (id == CLUSTER) {
                firstCluster = at;
                break;
            }
            if (size < 0 || size > b.remaining()) {
                break;
            }
            int end = b.position() + (int) size;
            if (id == INFO) {
                while (b.position() < end) {
                    int childAt = b.position();
                    int child = readId(b);
                    long childSize = readSize(b);
                    if (childSize < 0 || childSize > end - b.position()) {
                        throw new NotMatroska("its Info has an element of a bad size");
                    }
                    duration |= child == DURATION;
                    if (child == TIMESTAMP_SCALE && childSize >= 1 && childSize <= 8) {
                        scale = 0;
                        for (int i = 0; i < childSize; i++) {
                            scale = scale << 8 | (b.get(b.position() + i) & 0xFF);
                        }
                    }
                    int total = b.position() + (int) childSize - childAt;
                    if (child == VOID && roomAt < 0 && (total == 11 || total >= 13)) {
                        roomAt = childAt;
                        roomLength = total;
                    }
                    b.position(b.position() + (int) childSize);
                }
            }
            b.position(end);
        }
        return new MatroskaHead(docType, sized, complete, duration, segmentSizeAt, segmentData - segmentSizeAt,
                segmentData, scale <= 0 ? 1_000_000 : scale, roomAt, roomLength, firstCluster);
    }

    /** An element id with its length marker, as Matroska writes ids. */
    static int readId(ByteBuffer b) throws NotMatroska {
        if (!b.hasRemaining()) {
            throw new NotMatroska("it ends inside its header");
        }
        int first = b.get() & 0xFF;
        int length = Integer.numberOfLeadingZeros(first) - 23;
        if (first == 0 || length > 4 || b.remaining() < length - 1) {
            throw new NotMatroska("it has a malformed element id");
        }
        int id = first;
        for (int i = 1; i < length; i++) {
            id = id << 8 | (b.get() & 0xFF);
        }
        return id;
    }

    /** A size without its marker; -1 for the reserved "unknown size" (all value bits set). */
    static long readSize(ByteBuffer b) throws NotMatroska {
        if (!b.hasRemaining()) {
            throw new NotMatroska("it ends inside its header");
        }
        int first = b.get() & 0xFF;
        int length = Integer.numberOfLeadingZeros(first) - 23;
        if (first == 0 || b.remaining() < length - 1) {
            throw new NotMatroska("it has a malformed element size");
        }
        long value = first & (0xFF >>> length);
        boolean allOnes = value == (0xFF >>> length);
        for (int i = 1; i < length; i++) {
            int next = b.get() & 0xFF;
            allOnes &= next == 0xFF;
            value = value << 8 | next;
        }
        return allOnes ? -1 : value;
    }
}

package dev.parley.recorder.compose;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Finalizes a crashed file without ffmpeg: keeps its header and its complete clusters, and writes the Segment's
 * size and a Duration into the header. No Cues are written (players read the file from the start and seek by
 * scanning), so {@link TruncatedRecordingRepair} prefers ffmpeg and uses this only when ffmpeg is missing. It
 * needs what Parley's writer leaves: an 8-byte-or-shorter Segment size field, room for a Duration in Info, and
 * clusters of known size.
 */
final class FlushedClusters {
    private static final int CLUSTER = 0x1F43B675;
    private static final int CLUSTER_TIMESTAMP = 0xE7;
    private static final int SIMPLE_BLOCK = 0xA3;
    private static final int BLOCK_GROUP = 0xA0;
    private static final int BLOCK = 0xA1;
    private static final int DURATION = 0x4489;
    private static final int VOID = 0xEC;
    /** Parley's writer keeps a cluster under 9 MiB; a larger one is not read into memory. */
    private static final long MAX_CLUSTER_BYTES = 64L << 20;

    /** Where the complete clusters end and the last block times, in timestamp units. */
    record Scan(long end, int clusters, long lastTime, long lastDelta) {
    }

    private FlushedClusters() {
    }

    /** Scans {@code file} from its first cluster to the first one that is torn, unknown-sized or unreadable. */
    static Scan scan(Path file, MatroskaHead head) throws IOException {
        long lastTime = -1;
        long lastDelta = 0;
        int clusters = 0;
        long pos = head.firstClusterAt;
        long end = pos;
        try (FileChannel ch = FileChannel.open(file)) {
            long length = ch.size();
            ByteBuffer elementHead = ByteBuffer.allocate(12);
            while (pos >= 0 && pos + 12 <= length) {
                elementHead.clear();
                ch.read(elementHead, pos);
                elementHead.flip();
                int id;
                long size;
                try {
                    id = MatroskaHead.readId(elementHead);
                    size = MatroskaHead.readSize(elementHead);
                } catch (MatroskaHead.NotMatroska e) {
                    break;
                }
                long dataAt = pos + elementHead.position();
                if (id != CLUSTER || size < 0 || size > MAX_CLUSTER_BYTES || dataAt + size > length) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate((int) size);
                while (body.hasRemaining() && ch.read(body, dataAt + body.position()) > 0) {
                    // reads the cluster
                }
                long[] times = blockTimes(body.flip());
                if (times == null) {
                    break;
                }
                for (long t : times) {
                    if (lastTime >= 0 && t > lastTime) {
                        lastDelta = t - lastTime;
                    }
                    lastTime = Math.max(lastTime, t);
                }
                clusters++;
                pos = dataAt + size;
                end = pos;
            }
        }
        return new Scan(end, clusters, lastTime, lastDelta);
    }

    /** The times of a cluster's blocks, or null when the cluster is malformed. */
    private static long[] blockTimes(ByteBuffer b) {
        long clusterTime = 0;
        java.util.List<Long> times = new java.util.ArrayList<>();
        try {
            while (b.hasRemaining()) {
                int id = MatroskaHead.readId(b);
                long size = MatroskaHead.readSize(b);
                if (size < 0 || size > b.remaining()) {
                    return null;
                }
                int end = b.position() + (int) size;
                if (id == CLUSTER_TIMESTAMP && size <= 8) {
                    clusterTime = 0;
                    for (int i = 0; i < size; i++) {
                        clusterTime = clusterTime << 8 | (b.get(b.position() + i) & 0xFF);
                    }
                } else if (id == SIMPLE_BLOCK || id == BLOCK_GROUP) {
                    ByteBuffer block = b.slice(b.position(), (int) size);
                    if (id == BLOCK_GROUP) {
                        block = findBlock(block);
                    }
                    if (block != null) {
                        MatroskaHead.readSize(block); // track number, a size-like number
                        if (block.remaining() < 2) {
                            return null;
                        }
                        times.add(clusterTime + block.getShort());
                    }
                }
                b.position(end);
            }
        } catch (MatroskaHead.NotMatroska e) {
            return null;
        }
        return times.stream().mapToLong(Long::longValue).toArray();
    }

    private static ByteBuffer findBlock(ByteBuffer group) throws MatroskaHead.NotMatroska {
        while (group.hasRemaining()) {
            int id = MatroskaHead.readId(group);
            long size = MatroskaHead.readSize(group);
            if (size < 0 || size > group.remaining()) {
                return null;
            }
            if (id == BLOCK) {
                return group.slice(group.position(), (int) size);
            }
            group.position(group.position() + (int) size);
        }
        return null;
    }

    /**
     * Writes {@code target} (which must not exist): the bytes of {@code source} up to the end of its complete
     * clusters, with the Segment size and the Duration filled in. Returns the duration in milliseconds.
     */
    static long writeFinalized(Path source, MatroskaHead head, Scan scan, Path target) throws IOException {
        long segmentSize = scan.end() - head.segmentDataAt;
        if (segmentSize >= (1L << (7 * head.segmentSizeLength)) - 1) {
            throw new IOException("the Segment's size field is too short for " + segmentSize + " bytes");
        }
        double duration = scan.lastTime() + scan.lastDelta();
        try (FileChannel in = FileChannel.open(source);
                FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long copied = 0;
            while (copied < scan.end()) {
                copied += in.transferTo(copied, scan.end() - copied, out);
            }
            ByteBuffer size = ByteBuffer.allocate(head.segmentSizeLength);
            for (int i = head.segmentSizeLength - 1; i >= 0; i--) {
                size.put(i, (byte) (segmentSize >>> (8 * (head.segmentSizeLength - 1 - i))));
            }
            size.put(0, (byte) (size.get(0) | 0x80 >>> (head.segmentSizeLength - 1)));
            out.write(size, head.segmentSizeAt);
            ByteBuffer room = ByteBuffer.allocate(head.durationRoomLength);
            room.put((byte) (DURATION >>> 8)).put((byte) DURATION).put((byte) 0x88).putDouble(duration);
            if (head.durationRoomLength > 11) { // what is left stays a Void element
                room.put((byte) VOID).put((byte) (0x80 | (head.durationRoomLength - 13)));
            }
            out.write(room.clear(), head.durationRoomAt);
            out.force(true);
        }
        return Math.round(duration * head.timestampScale / 1_000_000.0);
    }
}

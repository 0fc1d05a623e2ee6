package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The EBML bytes the writer puts on disk, against values worked out by hand from RFC 8794 and Matroska. */
class WebmWriterTest {
    @TempDir
    Path dir;

    private static byte[] size(long v) {
        GrowableBytes b = new GrowableBytes(8, 8);
        Ebml.size(b, v);
        return Arrays.copyOf(b.array(), b.length());
    }

    @Test
    void sizesUseTheShortestFormAndAvoidTheReservedAllOnesValue() {
        assertArrayEquals(ByteVectors.of(0x80), size(0));
        assertArrayEquals(ByteVectors.of(0xFE), size(126));
        assertArrayEquals(ByteVectors.of(0x40, 0x7F), size(127), "0xFF would mean unknown size");
        assertArrayEquals(ByteVectors.of(0x7F, 0xFE), size(16382));
        assertArrayEquals(ByteVectors.of(0x20, 0x3F, 0xFF), size(16383));
        assertArrayEquals(ByteVectors.of(0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
                Ebml.size8(Ebml.UNKNOWN_SIZE));
    }

    private static int indexOf(byte[] hay, int... needle) {
        return indexOf(0, hay, needle);
    }

    private static int indexOf(int from, byte[] hay, int... needle) {
        outer:
        for (int i = from; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if ((hay[i + j] & 0xFF) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void openSegmentHasUnknownSizeClustersAreWrittenWholeAndCloseFinalizes() throws Exception {
        Path file = dir.resolve("t.webm");
        WebmWriter w = WebmWriter.create(file, new WebmWriter.Track(MediaCodec.VP8, 64, 48, 0, 0, null), 1000,
                0, System::nanoTime);
        byte[] header = Files.readAllBytes(file);
        assertEquals(0, indexOf(header, 0x1A, 0x45, 0xDF, 0xA3), "EBML header first");
        int segment = indexOf(header, 0x18, 0x53, 0x80, 0x67);
        assertEquals(segment + 4, indexOf(header, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF),
                "the open Segment has the unknown size");
        assertEquals(-1, indexOf(header, 0x1F, 0x43, 0xB6, 0x75), "no cluster before the first frame");

        w.write(new byte[] {1, 2, 3}, 0, 3, 0, true);
        w.write(new byte[] {4, 5}, 0, 2, 33, false);
        assertEquals(header.length, Files.size(file), "the cluster being built is only in memory");
        w.write(new byte[] {6}, 0, 1, 1000, false); // a cluster's duration later: the first is written
        byte[] one = Files.readAllBytes(file);
        int cluster = indexOf(one, 0x1F, 0x43, 0xB6, 0x75);
        // Cluster, 8-byte size, Timestamp 0, SimpleBlock(track 1, +0 ms, key) 1 2 3, SimpleBlock(+33 ms) 4 5.
        byte[] expected = ByteVectors.of(0x1F, 0x43, 0xB6, 0x75, 0x01, 0, 0, 0, 0, 0, 0, 0x14, 0xE7, 0x81, 0x00,
                0xA3, 0x87, 0x81, 0x00, 0x00, 0x80, 1, 2, 3, 0xA3, 0x86, 0x81, 0x00, 0x21, 0x00, 4, 5);
        assertArrayEquals(expected, Arrays.copyOfRange(one, cluster, one.length));

        w.close();
        byte[] done = Files.readAllBytes(file);
        long segmentSize = ByteBuffer.wrap(done, segment + 4, 8).getLong() & 0x00FF_FFFF_FFFF_FFFFL;
        assertEquals(done.length - (segment + 12), segmentSize, "the closed Segment has its size");
        int seekHead = indexOf(done, 0x11, 0x4D, 0x9B, 0x74);
        assertEquals(segment + 12, seekHead, "the SeekHead took the room reserved for it");
        int duration = indexOf(done, 0x44, 0x89, 0x88);
        assertEquals(1967.0, ByteBuffer.wrap(done, duration + 3, 8).getDouble(), 1e-9,
                "last frame at 1000 ms plus a guess at its length: the step before it");
        int cues = indexOf(cluster, done, 0x1C, 0x53, 0xBB, 0x6B); // (the SeekHead names the id too)
        assertEquals(done.length, cues + 5 + (done[cues + 4] & 0x7F), "Cues close the file");
        long clusterPosition = cluster - (segment + 12);
        // One CuePoint, for the one keyframe: time 0, track 1, the first cluster's position in the Segment.
        assertEquals(cues + 5, indexOf(cues, done, 0xBB, 0x8B, 0xB3, 0x81, 0x00, 0xB7, 0x86, 0xF7, 0x81, 0x01, 0xF1,
                0x81, (int) clusterPosition));
    }

    @Test
    void neverOverwritesAnExistingFile() throws Exception {
        Path file = dir.resolve("exists.webm");
        Files.write(file, new byte[] {42});
        assertThrows(FileAlreadyExistsException.class, () -> WebmWriter.create(file,
                new WebmWriter.Track(MediaCodec.OPUS, 0, 0, 48000, 2, TrackRecorder.opusHead(2)), 1000, 0,
                System::nanoTime));
        assertArrayEquals(new byte[] {42}, Files.readAllBytes(file));
    }
}

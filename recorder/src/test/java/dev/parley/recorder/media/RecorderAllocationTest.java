package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recording a track does not allocate per packet once it runs: packets are copied into reused slots, frames
 * into a reused buffer, clusters into another. A single allocation per packet would add at least 16 bytes a
 * packet; the budget is a quarter of that (what remains is per cluster: the file write, the cue list).
 */
class RecorderAllocationTest {
    private static final int PACKETS = 20_000;

    @TempDir
    Path dir;

    @Test
    void steadyStateRecordingDoesNotAllocatePerPacket() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "the JVM must support per-thread allocation counting");
        threads.setThreadAllocatedMemoryEnabled(true);
        long self = Thread.currentThread().threadId();

        byte[][] packets = new byte[60][];
        for (int i = 0; i < packets.length; i++) {
            // One-packet VP8 frames; the first of every 30 a keyframe of 64x48.
            byte[] payload = i % 30 == 0
                    ? ByteVectors.of(0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x00, 0x30, 0x00, 1, 2, 3)
                    : ByteVectors.of(0x10, 0x01, 0x00, 0x00, 4, 5, 6, 7, 8, 9);
            packets[i] = RtpStream.packet(0, 0, 0x77, true, payload);
        }
        int[] requests = {0};
        try (TrackRecorder r = new TrackRecorder(dir.resolve("a.webm"), CodecInfo.vp8(), 0, () -> requests[0]++,
                MediaSettings.defaults())) {
            run(r, packets, 0);
            long before = threads.getThreadAllocatedBytes(self);
            run(r, packets, PACKETS);
            long allocated = threads.getThreadAllocatedBytes(self) - before;
            assertEquals(2 * PACKETS, r.stats().frames() + 7, 8, "frames written: " + r.stats());
            // 4 bytes a packet: a quarter of one object per packet. What is left is per cluster (one a second).
            assertTrue(allocated < 4L * PACKETS, "allocated " + allocated + " bytes over " + PACKETS + " packets");
        }
    }

    private static void run(TrackRecorder r, byte[][] packets, int first) {
        for (int i = first; i < first + PACKETS; i++) {
            byte[] p = packets[i % packets.length];
            p[2] = (byte) (i >>> 8);
            p[3] = (byte) i;
            int ts = i * 3000;
            p[4] = (byte) (ts >>> 24);
            p[5] = (byte) (ts >>> 16);
            p[6] = (byte) (ts >>> 8);
            p[7] = (byte) ts;
            long now = i * 33_333_333L;
            r.packet(p, 0, p.length, now);
            r.tick(now);
        }
    }
}

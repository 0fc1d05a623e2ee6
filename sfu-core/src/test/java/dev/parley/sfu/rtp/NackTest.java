package dev.parley.sfu.rtp;

import static dev.parley.sfu.rtp.RtpPacketBuilder.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class NackTest {
    private final RtcpIterator it = new RtcpIterator();
    private final NackIterator lost = new NackIterator();

    @Test
    void expandsHandBuiltBitmasks() {
        byte[] nack = bytes(
                0x81, 205, 0x00, 0x04,
                0x00, 0x00, 0x00, 0x01,         // sender SSRC
                0x00, 0x00, 0x00, 0x02,         // media SSRC
                0x00, 0x64, 0x80, 0x01,         // PID 100, BLP bits 0 and 15: 101 and 116
                0xFF, 0xFF, 0x00, 0x03);        // PID 65535, BLP bits 0 and 1: 0 and 1 after wraparound
        assertTrue(it.reset(nack, 0, nack.length));
        assertTrue(it.next());
        assertTrue(RtcpFeedback.isNack(it.type(), it.count()));
        assertEquals(2, RtcpFeedback.mediaSsrc(nack, it.offset()));
        assertEquals(2, Nack.itemCount(it.length()));
        assertEquals(100, Nack.pid(nack, it.offset(), 0));
        assertEquals(0x8001, Nack.blp(nack, it.offset(), 0));
        assertArrayEquals(new int[] {100, 101, 116, 65535, 0, 1}, drain(nack, it.offset(), it.length()));
    }

    @Test
    void fullBitmaskListsSeventeenPackets() {
        byte[] nack = new byte[16];
        int n = RtcpWriter.writeNack(nack, 0, 1, 2, new int[] {10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                23, 24, 25, 26}, 17);
        assertEquals(16, n, "PID plus 16 bits fit one item");
        assertEquals(0xFFFF, Nack.blp(nack, 0, 0));
        assertEquals(17, drain(nack, 0, n).length);
    }

    @Test
    void writerPacksAcrossWraparoundAndStartsNewItemsWhenNeeded() {
        int[] seqs = {65534, 65535, 0, 5, 20, 40, 39};
        byte[] dst = new byte[64];
        int n = RtcpWriter.writeNack(dst, 4, 0xA, 0xB, seqs, seqs.length);
        // 65534 opens an item covering up to 14; 20 opens one covering to 36; 40 opens one; 39 is behind it.
        assertEquals(12 + 4 * 4, n);
        assertTrue(it.reset(dst, 4, n));
        assertTrue(it.next());
        assertEquals(0xB, RtcpFeedback.mediaSsrc(dst, 4));
        assertEquals(65534, Nack.pid(dst, 4, 0));
        assertEquals(1 | 1 << 1 | 1 << 6, Nack.blp(dst, 4, 0));
        assertArrayEquals(new int[] {65534, 65535, 0, 5, 20, 40, 39}, drain(dst, 4, n));
    }

    @Test
    void writerDropsRepeatsOfAPid() {
        byte[] dst = new byte[64];
        int n = RtcpWriter.writeNack(dst, 0, 1, 2, new int[] {7, 7, 8, 8}, 4);
        assertEquals(16, n);
        assertArrayEquals(new int[] {7, 8}, drain(dst, 0, n));
    }

    @Test
    void randomLossSetsRoundTripThroughWriterAndIterator() {
        Random random = new Random(77);
        int[] seqs = new int[300];
        byte[] dst = new byte[12 + 4 * 300];
        for (int round = 0; round < 2000; round++) {
            int start = random.nextInt(0x10000);
            TreeSet<Integer> expected = new TreeSet<>();
            int count = 1 + random.nextInt(seqs.length);
            int seq = start;
            for (int i = 0; i < count; i++) {
                seq = (seq + 1 + random.nextInt(random.nextBoolean() ? 3 : 40)) & 0xFFFF;
                seqs[i] = seq;
                expected.add((seq - start) & 0xFFFF);
            }
            int n = RtcpWriter.writeNack(dst, 0, 1, 2, seqs, count);
            assertTrue(it.reset(dst, 0, n));
            TreeSet<Integer> got = new TreeSet<>();
            for (int s : drain(dst, 0, n)) {
                got.add((s - start) & 0xFFFF);
            }
            assertEquals(expected, got);
        }
    }

    @Test
    void iteratorOnEmptyOrForeignWindowYieldsNothing() {
        byte[] pli = new byte[12];
        RtcpWriter.writePli(pli, 0, 1, 2);
        lost.reset(pli, 0, 12);
        assertFalse(lost.hasNext());
        assertThrows(IllegalStateException.class, lost::nextSequenceNumber);
        lost.reset(pli, 8, 20);
        assertFalse(lost.hasNext(), "window beyond the array");
        lost.reset(null, 0, 16);
        assertFalse(lost.hasNext());
    }

    private int[] drain(byte[] buf, int off, int len) {
        lost.reset(buf, off, len);
        int[] out = new int[17 * Nack.itemCount(len)];
        int n = 0;
        while (lost.hasNext()) {
            out[n++] = lost.nextSequenceNumber();
        }
        return java.util.Arrays.copyOf(out, n);
    }
}

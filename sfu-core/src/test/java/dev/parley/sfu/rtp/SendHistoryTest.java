package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SendHistoryTest {
    private final PacketBuffer out = new PacketBuffer();

    @Test
    void returnsTheStoredBytes() {
        SendHistory history = new SendHistory();
        byte[] p = packet(1234, 77);
        byte[] big = new byte[p.length + 10];
        System.arraycopy(p, 0, big, 5, p.length);
        assertTrue(history.store(big, 5, p.length));
        Arrays.fill(big, (byte) 0);                      // the history keeps its own copy
        assertTrue(history.get(1234, out));
        assertEquals(0, out.offset());
        assertArrayEquals(p, Arrays.copyOfRange(out.array(), 0, out.length()));
    }

    @Test
    void missLeavesTheOutputUntouched() {
        SendHistory history = new SendHistory(16, 200);
        assertFalse(history.get(1, out), "empty history");
        history.store(packet(10, 1), 0, packet(10, 1).length);
        out.copyFrom(new byte[] {9, 9, 9}, 0, 3);
        assertFalse(history.get(11, out), "never sent");
        assertFalse(history.get(9, out), "never sent, below the highest");
        assertEquals(3, out.length());
        assertEquals(9, out.getUnsignedByte(0));
    }

    @Test
    void overwrittenSlotsAreGone() {
        SendHistory history = new SendHistory(8, 200);
        for (int seq = 0; seq <= 8; seq++) {
            assertTrue(history.store(packet(seq, seq), 0, packet(seq, seq).length));
        }
        assertFalse(history.get(0, out), "slot 0 now holds sequence 8");
        for (int seq = 1; seq <= 8; seq++) {
            assertTrue(history.get(seq, out), "sequence " + seq);
            assertEquals(seq, RtpHeader.sequenceNumber(out.array(), 0));
            assertEquals(seq, out.getUnsignedByte(12), "payload of " + seq);
        }
    }

    @Test
    void survivesSequenceNumberWraparound() {
        SendHistory history = new SendHistory(16, 200);
        for (int i = 0; i < 12; i++) {
            int seq = (65530 + i) & 0xFFFF;
            assertTrue(history.store(packet(seq, i), 0, packet(seq, i).length));
        }
        for (int i = 0; i < 12; i++) {
            int seq = (65530 + i) & 0xFFFF;
            assertTrue(history.get(seq, out), "sequence " + seq);
            assertEquals(i, out.getUnsignedByte(12));
        }
        assertFalse(history.get(6, out), "not yet sent after the wrap");
    }

    @Test
    void slotFromAnEarlierCycleIsStale() {
        SendHistory history = new SendHistory(16, 200);
        assertTrue(history.store(packet(100, 1), 0, 13));
        assertTrue(history.store(packet(30000, 2), 0, 13));
        assertTrue(history.store(packet(60000, 3), 0, 13));
        assertTrue(history.store(packet(104, 4), 0, 13));         // sequence 65640: a full cycle later
        // Slot 4 still holds sequence 100 of the first cycle; 100 now means 65636, which was never sent.
        assertFalse(history.get(100, out));
        assertTrue(history.get(104, out));
        assertEquals(4, out.getUnsignedByte(12));
    }

    @Test
    void acceptsReorderedStoresButRefusesOnesOlderThanTheWindow() {
        SendHistory history = new SendHistory(8, 200);
        assertTrue(history.store(packet(10, 10), 0, 13));
        assertTrue(history.store(packet(12, 12), 0, 13));
        assertTrue(history.store(packet(11, 11), 0, 13));
        assertTrue(history.get(11, out));
        assertTrue(history.get(12, out));
        assertFalse(history.get(13, out));
        assertFalse(history.store(packet(4, 4), 0, 13), "older than highest - capacity");
        assertTrue(history.get(10, out), "the refused store overwrote nothing");
        assertEquals(10, out.getUnsignedByte(12));
    }

    @Test
    void refusesInvalidAndOversizedPackets() {
        SendHistory history = new SendHistory(8, 20);
        byte[] big = new RtpPacketBuilder().seq(1).payload(new byte[9]).build();
        assertFalse(history.store(big, 0, big.length), "21 bytes in 20-byte slots");
        assertFalse(history.store(new byte[] {1, 2, 3}, 0, 3), "not RTP");
        assertFalse(history.store(packet(1, 1), 2, 13), "window outside the array");
        assertFalse(history.get(1, out));
        assertTrue(history.store(packet(1, 1), 0, 13));
    }

    @Test
    void clearForgetsEverything() {
        SendHistory history = new SendHistory(8, 200);
        history.store(packet(5, 5), 0, 13);
        history.clear();
        assertFalse(history.get(5, out));
        assertTrue(history.store(packet(40000, 1), 0, 13), "numbering may restart anywhere");
        assertTrue(history.get(40000, out));
    }

    @Test
    void storesFromPacketBuffer() {
        SendHistory history = new SendHistory(8, 200);
        PacketBuffer in = new PacketBuffer();
        byte[] p = packet(3, 33);
        System.arraycopy(p, 0, in.array(), 7, p.length);
        in.setWindow(7, p.length);
        assertTrue(history.store(in));
        assertTrue(history.get(3, out));
        assertEquals(33, out.getUnsignedByte(12));
    }

    @Test
    void rejectsBadConfiguration() {
        assertThrows(IllegalArgumentException.class, () -> new SendHistory(500, 1500));
        assertThrows(IllegalArgumentException.class, () -> new SendHistory(0, 1500));
        assertThrows(IllegalArgumentException.class, () -> new SendHistory(65536, 1500));
        assertThrows(IllegalArgumentException.class, () -> new SendHistory(512, 11));
        assertEquals(512, new SendHistory().capacity());
    }

    private static byte[] packet(int seq, int payloadByte) {
        return new RtpPacketBuilder().seq(seq).ssrc(0x1234).payload((byte) payloadByte).build();
    }
}

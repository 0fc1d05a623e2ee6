package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TransportSequenceExtensionTest {

    @Test
    void readsAndWritesTheTwoByteSequenceNumber() {
        byte[] p = new RtpPacketBuilder().oneByte(1, 0x80).oneByte(3, 0x12, 0x34).payload(new byte[] {1, 2, 3}).build();
        assertEquals(0x1234, TransportSequenceExtension.read(p, 0, p.length, 3));
        assertTrue(TransportSequenceExtension.write(p, 0, p.length, 3, 0xBEEF));
        assertEquals(0xBEEF, TransportSequenceExtension.read(p, 0, p.length, 3));
        assertEquals(0x80, RtpHeader.audioLevel(p, 0, p.length, 1), "the neighbour is untouched");
    }

    @Test
    void noSlotMeansNothingWritten() {
        byte[] plain = new RtpPacketBuilder().payload(new byte[] {1, 2, 3}).build();
        byte[] before = plain.clone();
        assertEquals(-1, TransportSequenceExtension.read(plain, 0, plain.length, 3));
        assertFalse(TransportSequenceExtension.write(plain, 0, plain.length, 3, 7));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(plain));
        byte[] oneByteSlot = new RtpPacketBuilder().oneByte(3, 0x12).build();
        assertFalse(TransportSequenceExtension.write(oneByteSlot, 0, oneByteSlot.length, 3, 7), "wrong size");
    }

    @Test
    void renumberSwapsThePublishersIdWithParleys() {
        // Firefox's ids: mid under 3, the transport sequence under 7.
        byte[] p = new RtpPacketBuilder().oneByte(3, '1').oneByte(7, 0x00, 0x2A).payload(new byte[] {9}).build();
        assertTrue(TransportSequenceExtension.renumber(p, 0, p.length, 7, 3));
        assertEquals(42, TransportSequenceExtension.read(p, 0, p.length, 3));
        long mid = RtpHeader.findExtension(p, 0, p.length, 7);
        assertEquals(1, RtpHeader.extensionLength(mid));
        assertEquals('1', p[RtpHeader.extensionOffset(mid)]);
        assertFalse(TransportSequenceExtension.renumber(p, 0, p.length, 3, 3));
        byte[] twoByte = new RtpPacketBuilder().twoByte(7, 0, 42).build();
        assertFalse(TransportSequenceExtension.renumber(twoByte, 0, twoByte.length, 7, 3), "two-byte form left alone");
    }

    @Test
    void renumberNeverThrowsOnGarbage() {
        Mutator m = new Mutator(0x5EED_7CC2L);
        byte[] valid = new RtpPacketBuilder().oneByte(3, '1').oneByte(7, 0x00, 0x2A).payload(new byte[] {9, 9, 9}).build();
        for (int round = 0; round < 50_000; round++) {
            byte[] b = round % 2 == 0 ? m.randomBytes(40) : m.mutate(valid);
            TransportSequenceExtension.renumber(b, 0, b.length, 7, 3);
            TransportSequenceExtension.read(b, 0, b.length, 3);
            TransportSequenceExtension.write(b, 0, b.length, 3, round);
        }
    }
}

package dev.parley.sfu.rtp;

import static dev.parley.sfu.rtp.RtpPacketBuilder.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import org.junit.jupiter.api.Test;

class RtpHeaderTest {

    /**
     * A VP8 keyframe packet laid out the way Chrome sends one: one-byte extensions abs-send-time (id 2),
     * transport-wide-cc (id 3) and mid (id 4, "0"), then a VP8 descriptor with a 15-bit picture ID and a
     * 640x480 keyframe header.
     */
    static final byte[] CHROME_VP8_KEYFRAME = bytes(
            0x90, 0xE0, 0x1A, 0x2B,                         // V=2 X=1, M=1 PT=96, seq 0x1a2b
            0x5C, 0x3E, 0x8F, 0x01,                         // timestamp
            0x8A, 0x4F, 0x2C, 0x13,                         // SSRC
            0xBE, 0xDE, 0x00, 0x03,                         // one-byte extensions, 3 words
            0x22, 0x4D, 0xA1, 0x7C,                         // id 2 len 3: abs-send-time
            0x31, 0x00, 0x2A,                               // id 3 len 2: transport-wide seq 42
            0x40, 0x30,                                     // id 4 len 1: mid "0"
            0x00, 0x00, 0x00,                               // padding to the word
            0x90, 0x80, 0x80, 0x2A,                         // VP8: X S PID=0, I, M picture ID 0x002a
            0xB0, 0x2F, 0x01, 0x9D, 0x01, 0x2A,             // frame tag (P=0), start code
            0x80, 0x02, 0xE0, 0x01,                         // 640 x 480
            0x00, 0x11, 0x22, 0x33);                        // first partition bytes

    @Test
    void readsChromeVp8PacketHeader() {
        byte[] p = CHROME_VP8_KEYFRAME;
        assertTrue(RtpHeader.isValid(p, 0, p.length));
        assertEquals(96, RtpHeader.payloadType(p, 0));
        assertTrue(RtpHeader.marker(p, 0));
        assertEquals(0x1A2B, RtpHeader.sequenceNumber(p, 0));
        assertEquals(0x5C3E8F01, RtpHeader.timestamp(p, 0));
        assertEquals(0x8A4F2C13, RtpHeader.ssrc(p, 0));
        assertEquals(28, RtpHeader.headerLength(p, 0));
        assertEquals(28, RtpHeader.payloadOffset(p, 0));
        assertEquals(p.length - 28, RtpHeader.payloadLength(p, 0, p.length));

        long transportCc = RtpHeader.findExtension(p, 0, p.length, 3);
        assertEquals(21, RtpHeader.extensionOffset(transportCc));
        assertEquals(2, RtpHeader.extensionLength(transportCc));
        assertEquals(42, (p[21] & 0xFF) << 8 | (p[22] & 0xFF));
        long mid = RtpHeader.findExtension(p, 0, p.length, 4);
        assertEquals('0', p[RtpHeader.extensionOffset(mid)]);
        assertEquals(1, RtpHeader.extensionLength(mid));
        assertEquals(-1, RtpHeader.findExtension(p, 0, p.length, 5));

        assertTrue(Vp8Payload.isKeyframe(p, RtpHeader.payloadOffset(p, 0), RtpHeader.payloadLength(p, 0, p.length)));
    }

    @Test
    void readsFieldsAtAnOffsetInsideALargerBuffer() {
        byte[] p = new RtpPacketBuilder().payloadType(111).seq(65535).timestamp(-1).ssrc(0x01020304)
                .csrcs(7, 8).payload(bytes(1, 2, 3)).build();
        byte[] big = new byte[p.length + 20];
        System.arraycopy(p, 0, big, 9, p.length);
        assertTrue(RtpHeader.isValid(big, 9, p.length));
        assertEquals(111, RtpHeader.payloadType(big, 9));
        assertFalse(RtpHeader.marker(big, 9));
        assertEquals(65535, RtpHeader.sequenceNumber(big, 9));
        assertEquals(-1, RtpHeader.timestamp(big, 9));
        assertEquals(0x01020304, RtpHeader.ssrc(big, 9));
        assertEquals(2, RtpHeader.csrcCount(big, 9));
        assertEquals(20, RtpHeader.headerLength(big, 9));
        assertEquals(29, RtpHeader.payloadOffset(big, 9));
        assertEquals(3, RtpHeader.payloadLength(big, 9, p.length));
    }

    @Test
    void paddingIsExcludedFromThePayload() {
        byte[] p = new RtpPacketBuilder().payload(bytes(9, 9, 9, 9, 9)).padding(3).build();
        assertTrue(RtpHeader.isValid(p, 0, p.length));
        assertEquals(3, RtpHeader.paddingLength(p, 0, p.length));
        assertEquals(5, RtpHeader.payloadLength(p, 0, p.length));
        // A padding-only packet (as sent for bandwidth probing) has an empty payload.
        byte[] probe = new RtpPacketBuilder().padding(200).build();
        assertTrue(RtpHeader.isValid(probe, 0, probe.length));
        assertEquals(0, RtpHeader.payloadLength(probe, 0, probe.length));
    }

    @Test
    void rejectsMalformedHeaders() {
        byte[] good = new RtpPacketBuilder().csrcs(1).oneByte(1, 0x55).payload(bytes(1, 2)).build();
        assertTrue(RtpHeader.isValid(good, 0, good.length));

        assertFalse(RtpHeader.isValid(good, 0, 11), "shorter than the fixed header");
        byte[] v1 = good.clone();
        v1[0] = (byte) ((v1[0] & 0x3F) | 0x40);
        assertFalse(RtpHeader.isValid(v1, 0, v1.length), "version 1");
        assertFalse(RtpHeader.isValid(good, 0, 15), "CSRC list cut off");
        assertFalse(RtpHeader.isValid(good, 0, 19), "extension header cut off");
        byte[] extLie = good.clone();
        extLie[19] = 9;
        assertFalse(RtpHeader.isValid(extLie, 0, extLie.length), "extension length beyond the packet");
        byte[] padZero = new RtpPacketBuilder().payload(bytes(1, 2, 0)).build();
        padZero[0] |= 0x20;
        assertFalse(RtpHeader.isValid(padZero, 0, padZero.length), "padding count 0");
        byte[] padLie = new RtpPacketBuilder().payload(bytes(1, 2, 50)).build();
        padLie[0] |= 0x20;
        assertFalse(RtpHeader.isValid(padLie, 0, padLie.length), "padding longer than the payload");
        assertFalse(RtpHeader.isValid(null, 0, 12));
        assertFalse(RtpHeader.isValid(good, -1, 12));
        assertFalse(RtpHeader.isValid(good, 4, good.length), "window beyond the array");
        assertFalse(RtpHeader.isValid(good, 0, -3));
    }

    @Test
    void acceptsPacketBufferWindow() {
        byte[] p = new RtpPacketBuilder().seq(5).build();
        PacketBuffer buffer = new PacketBuffer();
        buffer.copyFrom(p, 0, p.length);
        assertTrue(RtpHeader.isValid(buffer));
        buffer.setLength(11);
        assertFalse(RtpHeader.isValid(buffer));
    }

    @Test
    void settersRewriteInPlaceAndKeepNeighbouringBits() {
        byte[] p = new RtpPacketBuilder().marker(true).payloadType(96).seq(1).timestamp(2).ssrc(3)
                .oneByte(1, 0x7F).build();
        byte[] before = p.clone();
        RtpHeader.setPayloadType(p, 0, 100);
        RtpHeader.setSequenceNumber(p, 0, 0x1_FFFE);
        RtpHeader.setTimestamp(p, 0, 0xCAFEBABE);
        RtpHeader.setSsrc(p, 0, 0xDEADBEEF);
        assertTrue(RtpHeader.marker(p, 0), "marker survives a payload type change");
        assertEquals(100, RtpHeader.payloadType(p, 0));
        assertEquals(0xFFFE, RtpHeader.sequenceNumber(p, 0));
        assertEquals(0xCAFEBABE, RtpHeader.timestamp(p, 0));
        assertEquals(0xDEADBEEF, RtpHeader.ssrc(p, 0));
        RtpHeader.setMarker(p, 0, false);
        assertFalse(RtpHeader.marker(p, 0));
        assertEquals(100, RtpHeader.payloadType(p, 0));
        assertEquals(before[0], p[0]);
        for (int i = 12; i < p.length; i++) {
            assertEquals(before[i], p[i], "byte " + i + " after the fixed header is untouched");
        }
        assertThrows(IllegalArgumentException.class, () -> RtpHeader.setPayloadType(p, 0, 128));
        assertEquals(100, RtpHeader.payloadType(p, 0), "a rejected payload type changes nothing");
    }

    @Test
    void findsOneByteExtensionsAcrossPaddingBytes() {
        byte[] p = new RtpPacketBuilder()
                .rawExtension(0xBEDE, 0x10, 0xAA, 0x00, 0x00, 0x21, 0xB1, 0xB2, 0x00, 0xE3, 1, 2, 3, 4)
                .payload(bytes(7)).build();
        assertTrue(RtpHeader.isValid(p, 0, p.length));
        long one = RtpHeader.findExtension(p, 0, p.length, 1);
        assertEquals(17, RtpHeader.extensionOffset(one));
        assertEquals(1, RtpHeader.extensionLength(one));
        long two = RtpHeader.findExtension(p, 0, p.length, 2);
        assertEquals(21, RtpHeader.extensionOffset(two));
        assertEquals(2, RtpHeader.extensionLength(two));
        long fourteen = RtpHeader.findExtension(p, 0, p.length, 14);
        assertEquals(25, RtpHeader.extensionOffset(fourteen));
        assertEquals(4, RtpHeader.extensionLength(fourteen));
        assertEquals(-1, RtpHeader.findExtension(p, 0, p.length, 15), "15 is reserved in the one-byte form");
        assertEquals(-1, RtpHeader.findExtension(p, 0, p.length, 0));
    }

    @Test
    void oneByteIdFifteenStopsTheWalk() {
        byte[] p = new RtpPacketBuilder().rawExtension(0xBEDE, 0xF0, 0x00, 0x11, 0x22).build();
        assertEquals(-1, RtpHeader.findExtension(p, 0, p.length, 1));
    }

    @Test
    void findsTwoByteExtensionsIncludingEmptyAndLargeIds() {
        byte[] p = new RtpPacketBuilder().twoByte(200).rawExtension(0x1000, 0x00)
                .twoByte(3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17).build();
        p[13] |= 0x05; // "appbits" in the profile's low nibble are allowed
        assertTrue(RtpHeader.isValid(p, 0, p.length));
        long empty = RtpHeader.findExtension(p, 0, p.length, 200);
        assertEquals(18, RtpHeader.extensionOffset(empty));
        assertEquals(0, RtpHeader.extensionLength(empty));
        long big = RtpHeader.findExtension(p, 0, p.length, 3);
        assertEquals(21, RtpHeader.extensionOffset(big));
        assertEquals(17, RtpHeader.extensionLength(big));
        assertEquals(-1, RtpHeader.findExtension(p, 0, p.length, 4));
        assertEquals(-1, RtpHeader.findExtension(p, 0, p.length, 256));
    }

    @Test
    void extensionLookupRejectsOverrunsAndForeignProfiles() {
        byte[] overrun = new RtpPacketBuilder().rawExtension(0xBEDE, 0x1F, 1, 2).build(); // id 1 claims 16 bytes
        assertTrue(RtpHeader.isValid(overrun, 0, overrun.length));
        assertEquals(-1, RtpHeader.findExtension(overrun, 0, overrun.length, 1));
        byte[] twoOverrun = new RtpPacketBuilder().rawExtension(0x1000, 0x05, 0x09, 1).build();
        assertEquals(-1, RtpHeader.findExtension(twoOverrun, 0, twoOverrun.length, 5));
        byte[] foreign = new RtpPacketBuilder().rawExtension(0xABCD, 0x10, 0x01).build();
        assertEquals(-1, RtpHeader.findExtension(foreign, 0, foreign.length, 1));
        byte[] none = new RtpPacketBuilder().build();
        assertEquals(-1, RtpHeader.findExtension(none, 0, none.length, 1));
        assertEquals(-1, RtpHeader.findExtension(none, 0, 5, 1), "invalid packet");
    }

    @Test
    void decodesAudioLevel() {
        byte[] speaking = new RtpPacketBuilder().payloadType(111).oneByte(1, 0x80 | 23).build();
        int level = RtpHeader.audioLevel(speaking, 0, speaking.length, 1);
        assertEquals(23, RtpHeader.level(level));
        assertTrue(RtpHeader.voiceActivity(level));
        byte[] silent = new RtpPacketBuilder().payloadType(111).twoByte(1, 127).build();
        level = RtpHeader.audioLevel(silent, 0, silent.length, 1);
        assertEquals(127, RtpHeader.level(level));
        assertFalse(RtpHeader.voiceActivity(level));
        assertEquals(-1, RtpHeader.audioLevel(silent, 0, silent.length, 2));
        byte[] empty = new RtpPacketBuilder().twoByte(1).build();
        assertEquals(-1, RtpHeader.audioLevel(empty, 0, empty.length, 1), "a zero-length element carries no level");
    }
}

package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtxPacketTest {
    private static final byte[] PAYLOAD = RtpPacketBuilder.bytes(0x90, 0xE0, 1, 2, 3, 4, 5, 6, 7, 8);

    @Test
    void encapsulationPrependsTheOriginalSequenceNumberAndSwapsStreamFields() {
        byte[] original = new RtpPacketBuilder().payloadType(96).marker(true).seq(0xBEEF).timestamp(123456)
                .ssrc(0x11111111).oneByte(4, '1').payload(PAYLOAD).build();
        PacketBuffer rtx = new PacketBuffer();
        assertTrue(RtxPacket.encapsulate(original, 0, original.length, rtx, 0x22222222, 97, 7));

        byte[] expected = new RtpPacketBuilder().payloadType(97).marker(true).seq(7).timestamp(123456)
                .ssrc(0x22222222).oneByte(4, '1').payload(concat(RtpPacketBuilder.bytes(0xBE, 0xEF), PAYLOAD)).build();
        assertArrayEquals(expected, Arrays.copyOfRange(rtx.array(), rtx.offset(), rtx.offset() + rtx.length()));
    }

    @Test
    void decapsulationRestoresTheOriginalPacket() {
        byte[] original = new RtpPacketBuilder().payloadType(96).seq(65535).timestamp(-5).ssrc(0x11111111)
                .csrcs(42).oneByte(4, '1').payload(PAYLOAD).build();
        PacketBuffer rtx = new PacketBuffer();
        assertTrue(RtxPacket.encapsulate(original, 0, original.length, rtx, 0x22222222, 97, 300));
        // Received at an offset, as the media path's buffers hold packets.
        PacketBuffer received = new PacketBuffer();
        System.arraycopy(rtx.array(), 0, received.array(), 5, rtx.length());
        received.setWindow(5, rtx.length());

        assertEquals(65535, RtxPacket.decapsulate(received, 0x11111111, 96));
        assertArrayEquals(original, Arrays.copyOfRange(received.array(), 5, 5 + received.length()));
    }

    @Test
    void paddingIsLeftOffBothWays() {
        byte[] padded = new RtpPacketBuilder().payloadType(96).seq(10).ssrc(1).payload(PAYLOAD).padding(7).build();
        byte[] bare = new RtpPacketBuilder().payloadType(96).seq(10).ssrc(1).payload(PAYLOAD).build();
        PacketBuffer rtx = new PacketBuffer();
        assertTrue(RtxPacket.encapsulate(padded, 0, padded.length, rtx, 2, 97, 1));
        assertEquals(bare.length + 2, rtx.length());

        byte[] paddedRtx = new RtpPacketBuilder().payloadType(97).seq(1).ssrc(2)
                .payload(concat(RtpPacketBuilder.bytes(0, 10), PAYLOAD)).padding(4).build();
        PacketBuffer in = buffer(paddedRtx);
        assertEquals(10, RtxPacket.decapsulate(in, 1, 96));
        assertArrayEquals(bare, Arrays.copyOf(in.array(), in.length()));
    }

    @Test
    void paddingOnlyProbesAreNotMedia() {
        byte[] probe = new RtpPacketBuilder().payloadType(97).seq(1).ssrc(2).padding(200).build();
        PacketBuffer in = buffer(probe);
        assertEquals(-1, RtxPacket.decapsulate(in, 1, 96));
        assertEquals(probe.length, in.length(), "left untouched");
        byte[] oneByte = new RtpPacketBuilder().payloadType(97).seq(1).ssrc(2).payload((byte) 9).build();
        assertEquals(-1, RtxPacket.decapsulate(buffer(oneByte), 1, 96), "no room for an OSN");
    }

    @Test
    void packetsThatWouldNotFitOrAreNotRtpAreRefused() {
        PacketBuffer into = new PacketBuffer();
        byte[] big = new RtpPacketBuilder().payloadType(96).seq(1).ssrc(1)
                .payload(new byte[into.capacity() - PacketBuffer.HEADROOM - 12 - 1]).build();
        assertFalse(RtxPacket.encapsulate(big, 0, big.length, into, 2, 97, 1));
        assertEquals(0, into.length());
        byte[] notRtp = {0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2};
        assertFalse(RtxPacket.encapsulate(notRtp, 0, notRtp.length, into, 2, 97, 1));
    }

    @Test
    void theSenderNumbersItsOwnStreamAcrossWraparound() {
        RtxSender sender = new RtxSender(0x33, 97, 65535);
        PacketBuffer original = buffer(new RtpPacketBuilder().payloadType(96).seq(500).ssrc(0x44).payload(PAYLOAD).build());
        PacketBuffer out = new PacketBuffer();
        assertTrue(sender.wrap(original, out));
        assertEquals(65535, RtpHeader.sequenceNumber(out.array(), 0));
        assertEquals(0x33, RtpHeader.ssrc(out.array(), 0));
        assertEquals(97, RtpHeader.payloadType(out.array(), 0));
        assertTrue(sender.wrap(original, out));
        assertEquals(0, RtpHeader.sequenceNumber(out.array(), 0));
    }

    private static PacketBuffer buffer(byte[] packet) {
        PacketBuffer b = new PacketBuffer();
        b.copyFrom(packet, 0, packet.length);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}

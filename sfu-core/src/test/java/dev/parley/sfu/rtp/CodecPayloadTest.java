package dev.parley.sfu.rtp;

import static dev.parley.sfu.rtp.RtpPacketBuilder.bytes;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CodecPayloadTest {
    private static final int[] KEY_HEADER = {0xB0, 0x2F, 0x01, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01};

    @Test
    void vp8KeyframeWithMinimalDescriptor() {
        assertTrue(vp8(0x10));
    }

    @Test
    void vp8KeyframeBehindEveryOptionalDescriptorField() {
        assertTrue(vp8(0x90, 0xF0, 0x81, 0x23, 0x05, 0x40), "I with 15-bit picture ID, L, T and K");
        assertTrue(vp8(0x90, 0x80, 0x23), "I with 7-bit picture ID");
        assertTrue(vp8(0x90, 0x40, 0x05), "L only");
        assertTrue(vp8(0x90, 0x20, 0x40), "T only");
        assertTrue(vp8(0x90, 0x00), "X with no fields");
    }

    @Test
    void vp8NonKeyframes() {
        byte[] delta = bytes(0x10, 0xB1, 0x2F, 0x01, 0x9D, 0x01, 0x2A);
        assertFalse(Vp8Payload.isKeyframe(delta, 0, delta.length), "P bit set: interframe");
        assertFalse(vp8(0x00), "S clear: continuation of a frame");
        assertFalse(vp8(0x11), "partition 1");
        byte[] noStartCode = bytes(0x10, 0xB0, 0x2F, 0x01, 0x00, 0x01, 0x2A);
        assertFalse(Vp8Payload.isKeyframe(noStartCode, 0, noStartCode.length));
        byte[] truncated = bytes(0x90, 0x80);
        assertFalse(Vp8Payload.isKeyframe(truncated, 0, truncated.length), "picture ID missing");
        byte[] shortHeader = bytes(0x10, 0xB0, 0x2F, 0x01, 0x9D, 0x01);
        assertFalse(Vp8Payload.isKeyframe(shortHeader, 0, shortHeader.length));
        assertFalse(Vp8Payload.isKeyframe(new byte[0], 0, 0));
        assertFalse(Vp8Payload.isKeyframe(null, 0, 1));
    }

    @Test
    void vp8DeltaPacketFromChromeIsNotAKeyframe() {
        byte[] p = RtpHeaderTest.CHROME_VP8_KEYFRAME.clone();
        p[32] = (byte) 0xB1;                                   // the frame tag's P bit
        assertFalse(Vp8Payload.isKeyframe(p, RtpHeader.payloadOffset(p, 0), RtpHeader.payloadLength(p, 0, p.length)));
    }

    @Test
    void h264SingleNalUnits() {
        assertTrue(h264(0x65, 0x88, 0x84), "IDR slice");
        assertTrue(h264(0x67, 0x42, 0xC0, 0x1F), "SPS");
        assertFalse(h264(0x41, 0x9A), "non-IDR slice");
        assertFalse(h264(0x68, 0xCE), "PPS alone");
        assertFalse(h264(0xE5, 0x88), "forbidden bit set");
    }

    @Test
    void h264StapA() {
        assertTrue(h264(0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xCE, 0x00, 0x02, 0x65, 0x88),
                "SPS, PPS, IDR");
        assertFalse(h264(0x78, 0x00, 0x02, 0x41, 0x9A, 0x00, 0x01, 0x06), "slice and SEI");
        assertFalse(h264(0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x09, 0x65), "size overruns the payload");
        assertFalse(h264(0x78, 0x00, 0x02, 0x67, 0x42, 0x00), "dangling size byte");
        assertFalse(h264(0x78, 0x00, 0x00, 0x67), "empty unit");
    }

    @Test
    void h264FuA() {
        assertTrue(h264(0x7C, 0x85, 0x88), "first fragment of an IDR");
        assertFalse(h264(0x7C, 0x05, 0x88), "middle fragment of an IDR");
        assertFalse(h264(0x7C, 0x45, 0x88), "last fragment of an IDR");
        assertFalse(h264(0x7C, 0x81, 0x9A), "first fragment of a non-IDR slice");
        assertFalse(h264(0x7C), "FU header missing");
        assertFalse(h264(0x7D, 0x85), "FU-B is not supported");
    }

    private static boolean vp8(int... descriptor) {
        int[] all = new int[descriptor.length + KEY_HEADER.length];
        System.arraycopy(descriptor, 0, all, 0, descriptor.length);
        System.arraycopy(KEY_HEADER, 0, all, descriptor.length, KEY_HEADER.length);
        byte[] payload = bytes(all);
        byte[] framed = new byte[payload.length + 6];
        System.arraycopy(payload, 0, framed, 3, payload.length);
        return Vp8Payload.isKeyframe(framed, 3, payload.length);
    }

    private static boolean h264(int... payload) {
        byte[] b = bytes(payload);
        return H264Payload.isKeyframe(b, 0, b.length);
    }
}

package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.rtp.RtpHeader;
import org.junit.jupiter.api.Test;

class SwitchingRewriterTest {
    private static final long MS = 1_000_000L;

    /** An RTP packet with a VP8 payload descriptor carrying a 15-bit picture ID and TL0PICIDX. */
    private static byte[] vp8(int seq, int ts, int pictureId, int tl0, boolean keyframe) {
        byte[] p = new byte[12 + 5 + 10];
        p[0] = (byte) 0x80;
        p[1] = 96;
        RtpHeader.setSequenceNumber(p, 0, seq);
        RtpHeader.setTimestamp(p, 0, ts);
        RtpHeader.setSsrc(p, 0, 0x1234);
        p[12] = (byte) 0x90; // X, S, partition 0
        p[13] = (byte) 0xC0; // I, L
        p[14] = (byte) (0x80 | (pictureId >> 8));
        p[15] = (byte) pictureId;
        p[16] = (byte) tl0;
        // VP8 frame header: P bit clear and start code for a keyframe; P set for an interframe
        p[17] = (byte) (keyframe ? 0x00 : 0x01);
        p[20] = (byte) 0x9D;
        p[21] = 0x01;
        p[22] = 0x2A;
        return p;
    }

    private static byte[] audio(int seq, int ts) {
        byte[] p = new byte[12 + 20];
        p[0] = (byte) 0x80;
        p[1] = 111;
        RtpHeader.setSequenceNumber(p, 0, seq);
        RtpHeader.setTimestamp(p, 0, ts);
        return p;
    }

    private static int pictureId(byte[] p) {
        return ((p[14] & 0x7F) << 8) | (p[15] & 0xFF);
    }

    @Test
    void sequenceAndTimestampRunOnAcrossASwitchAndWrapAround() {
        SwitchingRewriter r = new SwitchingRewriter(SwitchingRewriter.Payload.AUDIO, 48000, 0xFFF0, 0xFFFFF000);
        long now = 0;
        int lastSeq = -1;
        int lastTs = 0;
        for (int i = 0; i < 20; i++, now += 20 * MS) { // first source: wraps our 16-bit numbering after 16 packets
            byte[] p = audio(100 + i, 5000 + 960 * i);
            assertTrue(r.rewrite(p, 0, p.length, now));
            int seq = RtpHeader.sequenceNumber(p, 0);
            if (lastSeq >= 0) {
                assertEquals((lastSeq + 1) & 0xFFFF, seq);
                assertEquals(lastTs + 960, RtpHeader.timestamp(p, 0));
            } else {
                assertEquals(0xFFF0, seq);
                assertEquals(0xFFFFF000, RtpHeader.timestamp(p, 0));
            }
            lastSeq = seq;
            lastTs = RtpHeader.timestamp(p, 0);
        }
        // 40 ms later the source changes to one whose numbering is far away and about to wrap itself.
        r.beginSegment();
        now += 20 * MS;
        for (int i = 0; i < 10; i++, now += 20 * MS) {
            byte[] p = audio((0xFFFB + i) & 0xFFFF, 0x7FFFFF00 + 960 * i);
            assertTrue(r.rewrite(p, 0, p.length, now));
            int seq = RtpHeader.sequenceNumber(p, 0);
            assertEquals((lastSeq + 1) & 0xFFFF, seq, "no gap or jump in sequence numbers");
            int step = RtpHeader.timestamp(p, 0) - lastTs;
            assertEquals(i == 0 ? 40 * 48 : 960, step, "timestamps advance by the wall-clock time across the switch");
            lastSeq = seq;
            lastTs = RtpHeader.timestamp(p, 0);
        }
    }

    @Test
    void aVideoSegmentStartsAtAKeyframeAndContinuesPictureIds() {
        SwitchingRewriter r = new SwitchingRewriter(SwitchingRewriter.Payload.VP8, 90000, 1000, 0);
        byte[] delta = vp8(50, 9000, 300, 7, false);
        assertFalse(r.rewrite(delta, 0, delta.length, 0), "nothing before the first keyframe");
        byte[] key = vp8(51, 12000, 301, 8, true);
        assertTrue(r.rewrite(key, 0, key.length, 0));
        assertEquals(1000, RtpHeader.sequenceNumber(key, 0));
        assertEquals(0, RtpHeader.timestamp(key, 0), "the first packet sent carries the initial timestamp");
        assertEquals(301, pictureId(key), "the first segment keeps its picture IDs");
        byte[] next = vp8(52, 15000, 302, 9, false);
        assertTrue(r.rewrite(next, 0, next.length, 33 * MS));

        r.beginSegment();
        assertTrue(r.awaitingKeyframe());
        byte[] otherDelta = vp8(9000, 777, 0x7FFE, 200, false);
        assertFalse(r.rewrite(otherDelta, 0, otherDelta.length, 50 * MS), "the new source's interframes wait for its keyframe");
        byte[] otherKey = vp8(9001, 3000, 0x7FFF, 201, true);
        assertTrue(r.rewrite(otherKey, 0, otherKey.length, 66 * MS));
        assertEquals(1002, RtpHeader.sequenceNumber(otherKey, 0));
        assertEquals(3000 + 33 * 90, RtpHeader.timestamp(otherKey, 0), "advanced by the 33 ms since the last packet");
        assertEquals(303, pictureId(otherKey));
        assertEquals(10, otherKey[16] & 0xFF, "TL0PICIDX continues too");
        byte[] wrapped = vp8(9002, 6000, 0, 202, false); // the source's 15-bit picture ID wraps
        assertTrue(r.rewrite(wrapped, 0, wrapped.length, 99 * MS));
        assertEquals(304, pictureId(wrapped));
        assertEquals(11, wrapped[16] & 0xFF);
        byte[] late = vp8(9000, 777, 0x7FFE, 200, false);
        assertFalse(r.rewrite(late, 0, late.length, 100 * MS), "reordered from before the segment: dropped");
        assertEquals(9001, r.incomingSequence(1002), "NACKs map back into the current source");
        assertEquals(-1, r.incomingSequence(1001), "earlier segments cannot be retransmitted");
        byte[] again = vp8(9002, 6000, 0, 202, false); // the source's copy of a packet sent as 1003
        r.rewriteRetransmission(again, 0, again.length);
        assertEquals(1003, RtpHeader.sequenceNumber(again, 0));
        assertEquals(RtpHeader.timestamp(wrapped, 0), RtpHeader.timestamp(again, 0));
        assertEquals(304, pictureId(again), "a retransmission carries the picture ID first sent");
        assertEquals(11, again[16] & 0xFF);
        byte[] after = vp8(9003, 9000, 1, 203, false);
        assertTrue(r.rewrite(after, 0, after.length, 133 * MS));
        assertEquals(305, pictureId(after), "a retransmission does not move the numbering on");
    }
}

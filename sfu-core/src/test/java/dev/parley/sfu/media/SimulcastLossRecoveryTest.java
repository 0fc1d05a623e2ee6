package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.NackGenerator;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.sdp.Codec;
import dev.parley.sfu.sdp.PublishedTrack;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Loss recovery toward a simulcast publisher: each layer's RTX SSRC is learnt from repaired-rid, a retransmission
 * is unwrapped into the layer it repairs, and each layer's losses are tracked in that layer's own numbering and
 * asked for only while somebody watches that layer.
 */
class SimulcastLossRecoveryTest {
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");
    private static final int MID = 4;
    private static final int RID = 10;
    private static final int REPAIRED_RID = 11;
    private static final int PT = 96;
    private static final int RTX_PT = 97;
    private static final int Q = 0x0A, H = 0x0B, F = 0x0C;
    private static final int Q_RTX = 0x1A, F_RTX = 0x1C;

    private static PublishedTrack track(int repairedRid) {
        return new PublishedTrack("1", MediaKind.VIDEO, VP8, PT, 0, false, 0, MID, RTX_PT, 0, false, 0,
                List.of("q", "h", "f"), RID, repairedRid);
    }

    private static byte[] media(int ssrc, String rid, int seq) {
        RtpPacketBuilder b = new RtpPacketBuilder().payloadType(PT).ssrc(ssrc).seq(seq)
                .payload((byte) 0x90, (byte) 0x80, (byte) seq, (byte) 0x42);
        if (rid != null) {
            b.oneByte(MID, '1').oneByte(RID, rid.chars().toArray());
        }
        return b.build();
    }

    /** An RFC 4588 packet repairing {@code osn}: the OSN, then the original payload. */
    private static byte[] rtx(int ssrc, String repairedRid, int rtxSeq, int osn) {
        RtpPacketBuilder b = new RtpPacketBuilder().payloadType(RTX_PT).ssrc(ssrc).seq(rtxSeq)
                .payload((byte) (osn >> 8), (byte) osn, (byte) 0x90, (byte) 0x80, (byte) osn, (byte) 0x42);
        if (repairedRid != null) {
            b.oneByte(MID, '1').oneByte(REPAIRED_RID, repairedRid.chars().toArray());
        }
        return b.build();
    }

    private static PacketBuffer buffer(byte[] packet) {
        PacketBuffer p = new PacketBuffer();
        System.arraycopy(packet, 0, p.array(), 0, packet.length);
        p.setWindow(0, packet.length);
        return p;
    }

    @Test
    void eachLayersRtxSsrcIsLearntFromRepairedRidNotTakenForMedia() {
        PublishedStream s = new PublishedStream(null, null, track(REPAIRED_RID));
        byte[] qRtx = rtx(Q_RTX, "q", 1, 1);
        // Chrome's RTX packets may also carry the rid: still a retransmission SSRC, never the layer's media SSRC.
        byte[] fRtxAlsoNamingRid = new RtpPacketBuilder().payloadType(RTX_PT).ssrc(F_RTX).seq(1)
                .payload((byte) 0, (byte) 1).oneByte(RID, 'f').oneByte(REPAIRED_RID, 'f').build();
        assertTrue(s.learnSsrcFromMid(qRtx, 0, qRtx.length));
        assertTrue(s.learnSsrcFromMid(fRtxAlsoNamingRid, 0, fRtxAlsoNamingRid.length));
        assertTrue(s.isRtxSsrc(Q_RTX));
        assertTrue(s.isRtxSsrc(F_RTX));
        assertFalse(s.receives(Q_RTX), "a layer's RTX SSRC is not its media SSRC");
        assertFalse(s.receives(F_RTX));
        assertFalse(s.isRtxSsrc(H));

        byte[] again = rtx(0x2A, "q", 2, 2);
        assertFalse(s.learnSsrcFromMid(again, 0, again.length), "a layer's RTX SSRC is learnt once");
        byte[] unknownRid = rtx(0x2B, "x", 1, 1);
        assertFalse(s.learnSsrcFromMid(unknownRid, 0, unknownRid.length), "a rid the offer did not list");
        byte[] noRepairedRid = rtx(0x2C, null, 1, 1);
        assertFalse(s.learnSsrcFromMid(noRepairedRid, 0, noRepairedRid.length));

        byte[] q = media(Q, "q", 1);
        assertTrue(s.learnSsrcFromMid(q, 0, q.length));
        assertTrue(s.receives(Q));
        assertFalse(s.isRtxSsrc(Q));
    }

    @Test
    void withoutRepairedRidNoRtxSsrcIsLearnt() {
        PublishedStream s = new PublishedStream(null, null, track(0));
        byte[] qRtx = new RtpPacketBuilder().payloadType(RTX_PT).ssrc(Q_RTX).seq(1)
                .payload((byte) 0, (byte) 1).oneByte(REPAIRED_RID, 'q').build();
        assertFalse(s.learnSsrcFromMid(qRtx, 0, qRtx.length));
        assertFalse(s.isRtxSsrc(Q_RTX));
    }

    @Test
    void aRetransmissionIsUnwrappedInPlaceIntoTheLayerItRepairs() {
        PublishedTrack t = track(REPAIRED_RID);
        SimulcastLayers layers = new SimulcastLayers(t, true);
        SimulcastLossRecovery recovery = new SimulcastLossRecovery(t);
        byte[] q = media(Q, "q", 500);
        byte[] f = media(F, "f", 9000);
        layers.learn(q, 0, q.length);
        layers.learn(f, 0, f.length);
        byte[] fRtx = rtx(F_RTX, "f", 7, 9001);
        byte[] qRtx = rtx(Q_RTX, "q", 3, 501);
        assertEquals(2, recovery.learn(layers, fRtx, 0, fRtx.length));
        assertEquals(0, recovery.learn(layers, qRtx, 0, qRtx.length));

        PacketBuffer in = buffer(fRtx);
        assertEquals(2, recovery.unwrap(in, layers, PT));
        byte[] b = in.array();
        assertEquals(F, RtpHeader.ssrc(b, in.offset()), "the layer's media SSRC");
        assertEquals(PT, RtpHeader.payloadType(b, in.offset()));
        assertEquals(9001, RtpHeader.sequenceNumber(b, in.offset()), "the original sequence number");
        int p = RtpHeader.payloadOffset(b, in.offset());
        assertEquals(4, RtpHeader.payloadLength(b, in.offset(), in.length()), "the OSN is gone from the payload");
        assertEquals((byte) 0x90, b[p]);
        assertEquals((byte) 9001, b[p + 2]);

        PacketBuffer qIn = buffer(qRtx);
        assertEquals(0, recovery.unwrap(qIn, layers, PT));
        assertEquals(Q, RtpHeader.ssrc(qIn.array(), qIn.offset()));
        assertEquals(501, RtpHeader.sequenceNumber(qIn.array(), qIn.offset()));

        // Padding only (a bandwidth probe): nothing to unwrap, the packet is left alone.
        byte[] probe = new RtpPacketBuilder().payloadType(RTX_PT).ssrc(F_RTX).seq(8).build();
        PacketBuffer probeIn = buffer(probe);
        assertEquals(-1, recovery.unwrap(probeIn, layers, PT));
        assertEquals(F_RTX, RtpHeader.ssrc(probeIn.array(), probeIn.offset()));
    }

    @Test
    void anRtxSsrcWhoseLayerHasNotFlowedYetIsNotUnwrapped() {
        PublishedTrack t = track(REPAIRED_RID);
        SimulcastLayers layers = new SimulcastLayers(t, true);
        SimulcastLossRecovery recovery = new SimulcastLossRecovery(t);
        byte[] hRtx = rtx(0x1B, "h", 1, 77);
        assertEquals(1, recovery.learn(layers, hRtx, 0, hRtx.length), "learnt, e.g. from padding, before its media");
        PacketBuffer in = buffer(hRtx);
        assertEquals(-1, recovery.unwrap(in, layers, PT), "no media SSRC to restore yet");
        assertEquals(0x1B, RtpHeader.ssrc(in.array(), in.offset()));
    }

    @Test
    void eachLayersLossesAreTrackedInItsOwnNumbering() {
        PublishedTrack t = track(REPAIRED_RID);
        SimulcastLossRecovery recovery = new SimulcastLossRecovery(t);
        MediaLoop loop = new MediaLoop(0, null, null, new MediaCounters());
        long now = 1_000_000_000L;
        // The layers number independently: q at 100.., f at 60000..; only f loses a packet.
        for (int seq = 100; seq < 110; seq++) {
            assertTrue(recovery.accept(0, buffer(media(Q, null, seq)), now, loop));
        }
        assertTrue(recovery.accept(2, buffer(media(F, null, 60000)), now, loop));
        assertTrue(recovery.accept(2, buffer(media(F, null, 60002)), now, loop));
        assertEquals(0, recovery.missing(0));
        assertEquals(0, recovery.missing(1));
        assertEquals(1, recovery.missing(2), "60001 is missing from f");

        assertTrue(recovery.accept(2, buffer(media(F, null, 60001)), now + NackGenerator.REORDER_WAIT_NANOS, loop));
        assertEquals(0, recovery.missing(2));
        assertFalse(recovery.accept(2, buffer(media(F, null, 60001)), now, loop), "a repeat is dropped");
        assertTrue(recovery.accept(0, buffer(media(Q, null, 110)), now, loop), "another layer's numbering is its own");
        assertEquals(1, loop.counterSet().droppedPackets(DropReason.DUPLICATE));
    }

    @Test
    void throughTheStreamARetransmissionReachesItsLayerAndARepeatIsDropped() {
        MediaCounters counters = new MediaCounters();
        MediaLoop loop = new MediaLoop(0, null, null, counters);
        PublishedStream s = new PublishedStream(loop, null, track(REPAIRED_RID));
        long now = 1_000_000_000L;
        byte[] f0 = media(F, "f", 300);
        assertTrue(s.learnSsrcFromMid(f0, 0, f0.length));
        RtpReceivePipeline.onStreamPacket(s, buffer(f0), F, now);
        RtpReceivePipeline.onStreamPacket(s, buffer(media(F, null, 302)), F, now);
        byte[] fRtx = rtx(F_RTX, "f", 1, 301);
        assertTrue(s.learnSsrcFromMid(fRtx, 0, fRtx.length));
        assertTrue(s.isRtxSsrc(F_RTX));
        RtpReceivePipeline.onStreamPacket(s, buffer(fRtx), F_RTX, now + 50_000_000L);
        assertEquals(1, counters.retransmissionsReceived());
        assertEquals(F, s.statistics().ssrc());
        assertEquals(3, s.statistics().receivedPackets(), "the lost packet of f came back into f");
        assertEquals(0, s.statistics().cumulativeLost());
        RtpReceivePipeline.onStreamPacket(s, buffer(rtx(F_RTX, null, 2, 301)), F_RTX, now + 60_000_000L);
        assertEquals(2, counters.retransmissionsReceived());
        assertEquals(1, counters.droppedPackets(DropReason.DUPLICATE), "the second copy is not forwarded");
        assertEquals(3, s.statistics().receivedPackets());
    }

    @Test
    void onlyTheLayersSomebodyWatchesAreAskedForWhatTheyLost() {
        PublishedTrack t = track(REPAIRED_RID);
        SimulcastLayers layers = new SimulcastLayers(t, true);
        SimulcastLossRecovery recovery = new SimulcastLossRecovery(t);
        MediaCounters counters = new MediaCounters();
        MediaLoop loop = new MediaLoop(0, null, null, counters);
        byte[] q = media(Q, "q", 100);
        byte[] f = media(F, "f", 60000);
        layers.learn(q, 0, q.length);
        layers.learn(f, 0, f.length);
        long now = 1_000_000_000L;
        // Both layers lose a packet: q its 101, f its 60001.
        for (int seq : new int[] {100, 102, 103}) {
            recovery.accept(0, buffer(media(Q, null, seq)), now, loop);
        }
        for (int seq : new int[] {60000, 60002, 60003}) {
            recovery.accept(2, buffer(media(F, null, seq)), now, loop);
        }
        List<Integer> nackedSsrcs = new java.util.ArrayList<>();
        RtcpFeedbackSink publisher = new RtcpFeedbackSink() {
            @Override
            public boolean connected() {
                return true;
            }

            @Override
            public int rtcpSsrc() {
                return 1;
            }

            @Override
            public void sendRtcp(PacketBuffer p) {
                assertTrue(dev.parley.sfu.rtp.RtcpFeedback.isNack(dev.parley.sfu.rtp.RtcpPacket.type(p.array(), p.offset()),
                        dev.parley.sfu.rtp.RtcpPacket.count(p.array(), p.offset())));
                nackedSsrcs.add(dev.parley.sfu.rtp.RtcpFeedback.mediaSsrc(p.array(), p.offset()));
            }
        };
        boolean[] onlyF = {false, false, true};
        long due = now + NackGenerator.REORDER_WAIT_NANOS;
        recovery.sendDue(publisher, layers, onlyF, due, counters);
        assertEquals(List.of(F), nackedSsrcs, "f is forwarded: its loss is asked for; q reaches nobody");
        assertEquals(1, counters.nacksSent());
        assertEquals(0, recovery.missing(0), "q's loss is forgotten");
        assertEquals(1, recovery.missing(2));
        assertEquals(0, counters.unrecoveredPackets(), "a loss nobody watched is not counted as given up");

        // q becomes watched (a subscriber switches to it): its next losses are asked for.
        recovery.accept(0, buffer(media(Q, null, 105)), due, loop);
        nackedSsrcs.clear();
        recovery.sendDue(publisher, layers, new boolean[] {true, false, false}, due + 2 * NackGenerator.REORDER_WAIT_NANOS, counters);
        assertEquals(List.of(Q), nackedSsrcs, "104 of q is asked for; f is no longer watched");
        assertFalse(recovery.accept(0, buffer(media(Q, null, 103)), due, loop), "a repeat is still recognised after forgetting");
    }
}

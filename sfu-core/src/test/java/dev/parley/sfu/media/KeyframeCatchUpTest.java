package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.rtp.SendHistory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A subscriber whose connection comes up just after a keyframe went by is sent that keyframe and what followed it
 * from the history, in order, through its forward; an old keyframe, or too much after it, is not sent.
 */
class KeyframeCatchUpTest {
    private static final long MS = 1_000_000L;
    private final SendHistory history = new SendHistory();
    private final KeyframeStart start = new KeyframeStart();
    private final Sent sent = new Sent();
    private final Forward forward = new Forward(null, sent, MediaKind.VIDEO, 90000, 0x5EED, 96, 0);

    @Test
    void theKeyframeAndThePacketsAfterItGoOutInOrderAcrossTheWrap() {
        receive(65_530, 1000, false, 0); // the picture before the keyframe: not sent
        receive(65_534, 4000, true, 10 * MS);
        receive(65_535, 4000, false, 10 * MS); // a second packet of the keyframe
        receive(1, 7000, false, 40 * MS); // 0 was lost on the way in: the subscriber NACKs it as any lost packet

        int n = KeyframeCatchUp.send(forward, history, start, 2, true, new PacketBuffer(), 90 * MS);

        assertEquals(3, n);
        assertEquals(List.of(65_534, 65_535, 1), sent.sequences);
        assertEquals(List.of(true, false, false), sent.keyframes, "the first is flagged, so a simulcast forward switches");
        assertEquals(List.of(2, 2, 2), sent.layers);
    }

    @Test
    void aKeyframeOlderThan300MillisecondsIsNotSent() {
        receive(100, 4000, true, 0);
        receive(101, 7000, false, 33 * MS);
        assertEquals(0, KeyframeCatchUp.send(forward, history, start, -1, false, new PacketBuffer(),
                KeyframeCatchUp.MAX_AGE_NANOS + 1));
        assertEquals(List.of(), sent.sequences);
        assertEquals(2, KeyframeCatchUp.send(forward, history, start, -1, false, new PacketBuffer(),
                KeyframeCatchUp.MAX_AGE_NANOS), "up to that age it is");
    }

    @Test
    void norOneFollowedByMoreThanTheLimit() {
        receive(0, 4000, true, 0);
        for (int seq = 1; seq < KeyframeCatchUp.MAX_PACKETS; seq++) {
            receive(seq, 4000 + 3000 * (seq / 10), false, MS);
        }
        receive(KeyframeCatchUp.MAX_PACKETS, 500_000, false, MS);
        assertEquals(0, KeyframeCatchUp.send(forward, history, start, -1, false, new PacketBuffer(), 2 * MS));
    }

    @Test
    void nothingWithoutAKeyframe() {
        receive(7, 4000, false, 0);
        assertEquals(0, KeyframeCatchUp.send(forward, history, start, -1, false, new PacketBuffer(), MS));
    }

    @Test
    void packetsOfOnePictureFlaggedAsKeyframeStartItOnce() {
        receive(10, 4000, true, 0); // H.264: SPS/PPS, then the IDR slices, each flagged
        receive(11, 4000, true, MS);
        receive(12, 4000, true, MS);
        receive(13, 7000, false, 30 * MS);
        assertEquals(4, KeyframeCatchUp.send(forward, history, start, -1, false, new PacketBuffer(), 40 * MS));
        assertEquals(List.of(10, 11, 12, 13), sent.sequences);
    }

    /** What the receive steps do with a packet: keep it, and note where a keyframe starts. */
    private void receive(int seq, int timestamp, boolean keyframe, long now) {
        byte[] p = new RtpPacketBuilder().seq(seq).timestamp(timestamp).ssrc(0xABCD).payload(new byte[100]).build();
        history.store(p, 0, p.length);
        if (keyframe) {
            start.onKeyframe(p, 0, now);
        }
    }

    /** A subscriber's send pipeline that notes what it is handed. */
    private static final class Sent implements PacketSender {
        final List<Integer> sequences = new ArrayList<>();
        final List<Boolean> keyframes = new ArrayList<>();
        final List<Integer> layers = new ArrayList<>();

        @Override
        public boolean connected() {
            return true;
        }

        @Override
        public void send(Forward f, PacketBuffer in, int layer, boolean keyframe, long now) {
            sequences.add(RtpHeader.sequenceNumber(in.array(), in.offset()));
            keyframes.add(keyframe);
            layers.add(layer);
        }

        @Override
        public boolean sendRewritten(Forward f, PacketBuffer p, long now) {
            return false;
        }

        @Override
        public void sendRtcp(PacketBuffer p) {
        }

        @Override
        public boolean addForward(Forward f) {
            return true;
        }

        @Override
        public void removeForward(Forward f) {
        }

        @Override
        public long availableBitrateBps() {
            return -1;
        }

        @Override
        public long verifiedBitrateBps() {
            return -1;
        }

        @Override
        public int videoForwardCount() {
            return 1;
        }

        @Override
        public void probe(long targetBps, long fallbackBps) {
        }
    }
}

package dev.parley.loadtest;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * One load publisher's camera sent as three simulcast layers, shaped like Chrome's for a 1280x720 camera
 * (docs/browsers.md, "Simulcast"): {@code q} 320x180 in one packet per frame of 400 bytes, {@code h} 640x360 in two
 * of 900, {@code f} 1280x720 in 4 or 5 of 1100, exactly the single stream {@link MediaSender} sends otherwise. At
 * 30 frames/s that is 30 + 60 + 126 = 216 video packets/s (about 0.1, 0.43 and 1.1 Mbit/s), with audio 266 per
 * publisher. Each layer has its own SSRC, sequence numbers and VP8 picture IDs (15 bits, in a payload descriptor
 * as Chrome writes it), a keyframe with its picture size every 2 s and whenever Parley asks with a PLI on its SSRC;
 * every packet names its rid (browsers stop once a receiver report arrives; always is allowed) and carries a
 * transport-wide sequence number, shared with the audio.
 *
 * <p>The layer a subscriber is sent can be told from the packet's size alone (SRTP leaves it as it was): only
 * {@code f} packets carry {@link #TOP_PAYLOAD} bytes of payload ({@link #isTopLayer}).
 *
 * <p>Sending happens on {@link MediaSender}'s thread; PLIs arrive on the receive thread ({@link #onRtcp}) and
 * reach the sender through an atomic flag per layer.
 */
final class SimulcastCamera implements SyntheticPeer.MediaHandler {
    static final List<String> RIDS = List.of("q", "h", "f");
    static final int LAYERS = 3;
    static final int TOP = LAYERS - 1;
    private static final int[] WIDTHS = {320, 640, 1280};
    private static final int[] HEIGHTS = {180, 360, 720};
    private static final int[] PAYLOADS = {400, 900, MediaSender.VIDEO_PAYLOAD};
    /** The top layer's payload bytes per packet; no lower layer's packet is that large. */
    static final int TOP_PAYLOAD = PAYLOADS[TOP];
    /** Video packets per second of all three layers. */
    static final int VIDEO_PACKETS_PER_SECOND = 30 + 60 + MediaSender.VIDEO_PACKETS_PER_SECOND;
    /** VP8 payload descriptor: X, (S), I, a 15-bit picture ID. */
    private static final int DESCRIPTOR = 4;
    private static final byte[][] RID_BYTES = {bytes("q"), bytes("h"), bytes("f")};

    final int audioSsrc;
    private final int[] ssrcs = new int[LAYERS];
    private final int[] sequences = new int[LAYERS];
    private final int[] pictureIds = new int[LAYERS];
    private final AtomicIntegerArray keyframeWanted = new AtomicIntegerArray(LAYERS);
    private final RtcpIterator rtcp = new RtcpIterator();
    private volatile long plis;
    /** The transport-wide sequence number of the next packet, audio or video; the sender's thread only. */
    private int transportSequence;

    /** A camera whose audio is {@code audioSsrc} and layers {@code firstLayerSsrc} and the two after it. */
    SimulcastCamera(int audioSsrc, int firstLayerSsrc, SplittableRandom random) {
        this.audioSsrc = audioSsrc;
        for (int i = 0; i < LAYERS; i++) {
            ssrcs[i] = firstLayerSsrc + i;
            sequences[i] = random.nextInt(0x10000);
            pictureIds[i] = random.nextInt(0x8000);
        }
        transportSequence = random.nextInt(0x10000);
    }

    /** The publisher offer: {@link SyntheticPeer#simulcastPublisherOffer} with the transport-wide sequence number. */
    String offer(SyntheticPeer peer) {
        return SyntheticPeer.withTransportSequence(peer.simulcastPublisherOffer(audioSsrc, RIDS));
    }

    /** Sender's thread: the next transport-wide sequence number. */
    int nextTransportSequence() {
        int s = transportSequence;
        transportSequence = (s + 1) & 0xFFFF;
        return s;
    }

    /** Packets of layer {@code layer} in frame number {@code frame}. */
    static int packetsPerFrame(int layer, long frame) {
        return layer == TOP ? (frame % 5 == 0 ? 5 : 4) : layer + 1;
    }

    /** Whether a received RTP packet of {@code length} bytes (header, payload, SRTP tag) can only be of the top layer. */
    static boolean isTopLayer(int length) {
        return length >= 12 + TOP_PAYLOAD;
    }

    /** The packets the sender builds frames from: per layer, a keyframe's first packet, a delta frame's, the rest. */
    static final class Packets {
        final byte[][] keyframe = new byte[LAYERS][];
        final byte[][] delta = new byte[LAYERS][];
        final byte[][] rest = new byte[LAYERS][];

        Packets() {
            for (int i = 0; i < LAYERS; i++) {
                keyframe[i] = firstPacket(i, true);
                delta[i] = firstPacket(i, false);
                rest[i] = new byte[PAYLOADS[i]];
                rest[i][0] = (byte) 0x80; // X, a continuation of partition 0
                rest[i][1] = (byte) 0x80; // I: a picture ID follows
            }
        }

        private static byte[] firstPacket(int layer, boolean keyframe) {
            byte[] p = new byte[PAYLOADS[layer]];
            p[0] = (byte) 0x90; // X, S: the start of partition 0
            p[1] = (byte) 0x80; // I
            int at = DESCRIPTOR;
            int tag = ((4 * PAYLOADS[layer]) << 5) | 0x10 | (keyframe ? 0 : 1); // RFC 6386 frame tag, show_frame
            p[at] = (byte) tag;
            p[at + 1] = (byte) (tag >>> 8);
            p[at + 2] = (byte) (tag >>> 16);
            if (keyframe) {
                p[at + 3] = (byte) 0x9d; // start code, then the layer's size
                p[at + 4] = 0x01;
                p[at + 5] = 0x2a;
                p[at + 6] = (byte) WIDTHS[layer];
                p[at + 7] = (byte) (WIDTHS[layer] >>> 8);
                p[at + 8] = (byte) HEIGHTS[layer];
                p[at + 9] = (byte) (HEIGHTS[layer] >>> 8);
            }
            return p;
        }
    }

    /** The outcome counts of one {@link #sendFrame}, kept by the caller. */
    interface Counter {
        void count(int layer, boolean sent);
    }

    /**
     * Sender's thread: sends frame number {@code frame} of every layer at RTP timestamp {@code timestamp}, a
     * keyframe when {@code periodicKeyframe} or a PLI asked for one; {@code skip} says which packets to leave out
     * (their sequence numbers used up, as if lost on the way).
     */
    void sendFrame(SyntheticPeer peer, Packets packets, long frame, int timestamp, boolean periodicKeyframe,
                   java.util.function.BooleanSupplier skip, Counter counter) {
        // Top layer first: Parley starts a subscriber on the first layer whose keyframe it sees, and the top one is
        // what the measurement wants (otherwise bandwidth probes bring it up, a layer per 2-4 s).
        for (int layer = TOP; layer >= 0; layer--) {
            boolean key = keyframeWanted.getAndSet(layer, 0) == 1 || periodicKeyframe;
            byte[] first = key ? packets.keyframe[layer] : packets.delta[layer];
            byte[] rest = packets.rest[layer];
            int picture = pictureIds[layer];
            int n = packetsPerFrame(layer, frame);
            for (int k = 0; k < n; k++) {
                byte[] payload = k == 0 ? first : rest;
                payload[2] = (byte) (0x80 | (picture >>> 8)); // M: 15 bits
                payload[3] = (byte) picture;
                int seq = sequences[layer];
                sequences[layer] = (seq + 1) & 0xFFFF;
                int transport = nextTransportSequence();
                if (skip.getAsBoolean()) {
                    continue;
                }
                counter.count(layer, peer.sendRtpWithTransportSequence(ssrcs[layer], SyntheticPeer.VP8_PAYLOAD_TYPE,
                        k == n - 1, seq, timestamp, transport, RID_BYTES[layer], payload, 0, payload.length));
            }
            pictureIds[layer] = (picture + 1) & 0x7FFF;
        }
    }

    /** PLIs Parley sent for any layer. */
    long plis() {
        return plis;
    }

    @Override
    public void onRtp(PacketBuffer packet, long receivedNanos) {
        // a publish-only connection receives no media
    }

    /** A PLI on a layer's SSRC: that layer's next frame is a keyframe, as an encoder would make it. */
    @Override
    public void onRtcp(PacketBuffer packet, long receivedNanos) {
        byte[] b = packet.array();
        if (!rtcp.reset(b, packet.offset(), packet.length())) {
            return;
        }
        while (rtcp.next()) {
            if (RtcpFeedback.isPli(rtcp.type(), rtcp.count())) {
                int media = RtcpFeedback.mediaSsrc(b, rtcp.offset());
                for (int i = 0; i < LAYERS; i++) {
                    if (ssrcs[i] == media) {
                        keyframeWanted.set(i, 1);
                        plis = plis + 1; // only the receive thread writes it
                    }
                }
            }
        }
    }

    private static byte[] bytes(String rid) {
        return rid.getBytes(StandardCharsets.US_ASCII);
    }
}

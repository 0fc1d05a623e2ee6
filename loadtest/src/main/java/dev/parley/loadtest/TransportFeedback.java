package dev.parley.loadtest;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.TransportCcWriter;
import dev.parley.sfu.rtp.TransportSequenceExtension;

/**
 * A load subscriber's receive side with transport-cc, as a browser's: every packet is counted in its
 * {@link ReceiveStats}, the arrival of each packet Parley stamped with a transport-wide sequence number is kept, and
 * at most every {@link #INTERVAL_NANOS} (checked as packets arrive) one transport-cc feedback reports everything
 * since the last, received or not, so that Parley estimates the bandwidth toward this subscriber. It also counts the
 * audio packets and those of a simulcast top layer ({@link SimulcastCamera#isTopLayer}), to tell which layer the
 * subscriber gets.
 *
 * <p>Runs on the receive thread only (feedback is sent from it too), with nothing allocated per packet: a ring of
 * {@link #RING} arrivals, one writer and one output buffer. A packet that arrives after it was reported missing is
 * not reported again, as browsers do.
 */
final class TransportFeedback implements SyntheticPeer.MediaHandler {
    /** Chrome sends transport-cc feedback every 50 ms at these bitrates (5% of the rate, at least every 50 ms). */
    static final long INTERVAL_NANOS = 50_000_000L;
    private static final int RING = 1024;

    private final ReceiveStats stats;
    private final int senderSsrc;
    private final long[] sequences = new long[RING];
    private final long[] arrivalMicros = new long[RING];
    private final TransportCcWriter writer = new TransportCcWriter();
    private final byte[] out = new byte[1500];
    private volatile SyntheticPeer peer;
    /** Highest transport sequence number seen, unwrapped; -1 before the first. */
    private long highest = -1;
    private long nextToReport = -1;
    private long lastFeedbackNanos;
    private int feedbackCount;
    private int mediaSsrc;
    private volatile long feedbacks;
    private volatile long topLayerPackets;
    private volatile long audioPackets;
    private volatile long paddingPackets;

    TransportFeedback(ReceiveStats stats, int senderSsrc) {
        this.stats = stats;
        this.senderSsrc = senderSsrc;
        java.util.Arrays.fill(sequences, -1);
    }

    /** The peer feedback goes out on; set once, before it connects. */
    void attach(SyntheticPeer peer) {
        this.peer = peer;
    }

    @Override
    public void onRtp(PacketBuffer packet, long receivedNanos) {
        byte[] b = packet.array();
        int o = packet.offset();
        int len = packet.length();
        if (len < 12) {
            return;
        }
        // Padding (the P bit; the load publishers send none) is Parley's bandwidth probe: it counts for congestion
        // control, not as media, as a browser drops it before any decoder.
        if ((b[o] & 0x20) == 0) {
            stats.onRtp(packet, receivedNanos);
        } else {
            paddingPackets = paddingPackets + 1; // only this thread writes it
        }
        int pt = b[o + 1] & 0x7F;
        if (pt == SyntheticPeer.VP8_PAYLOAD_TYPE && SimulcastCamera.isTopLayer(len)) {
            topLayerPackets = topLayerPackets + 1; // only this thread writes it
        } else if (pt == SyntheticPeer.OPUS_PAYLOAD_TYPE) {
            audioPackets = audioPackets + 1;
        }
        // The header extensions are in clear under SRTP: this works on packets left encrypted too.
        int seq = TransportSequenceExtension.read(b, o, len, TransportSequenceExtension.PARLEY_ID);
        if (seq < 0) {
            return;
        }
        mediaSsrc = SyntheticPeer.getInt(b, o + 8);
        long s;
        if (highest < 0) {
            s = seq;
            highest = s;
            nextToReport = s;
            lastFeedbackNanos = receivedNanos;
        } else {
            s = highest + (short) (seq - (int) (highest & 0xFFFF)); // nearest to the highest in the 16-bit space
            highest = Math.max(highest, s);
        }
        if (s >= nextToReport && s > highest - RING) {
            int i = (int) (s & (RING - 1));
            sequences[i] = s;
            arrivalMicros[i] = receivedNanos / 1000;
        }
        if (receivedNanos - lastFeedbackNanos >= INTERVAL_NANOS) {
            sendFeedback(receivedNanos);
        }
    }

    private void sendFeedback(long now) {
        SyntheticPeer p = peer;
        if (p == null || !p.connected()) {
            return;
        }
        lastFeedbackNanos = now;
        // What fell out of the ring unreported is skipped; a feedback covers at most MAX_PACKETS.
        long from = Math.max(nextToReport, highest - Math.min(RING, TransportCcWriter.MAX_PACKETS) + 1);
        if (from > highest) {
            return;
        }
        writer.begin((int) (from & 0xFFFF), feedbackCount++);
        long s = from;
        for (; s <= highest; s++) {
            int i = (int) (s & (RING - 1));
            boolean received = sequences[i] == s;
            if (!writer.add(received, received ? arrivalMicros[i] : 0)) {
                break;
            }
        }
        nextToReport = s;
        if (writer.count() == 0) {
            return;
        }
        int n = writer.write(out, 0, senderSsrc, mediaSsrc);
        if (p.sendRtcp(out, 0, n)) {
            feedbacks = feedbacks + 1;
        }
    }

    /** Transport-cc feedback packets sent. */
    long feedbacks() {
        return feedbacks;
    }

    /** Padding packets received: Parley's bandwidth probes. */
    long paddingPackets() {
        return paddingPackets;
    }

    /** Audio packets received. */
    long audioPackets() {
        return audioPackets;
    }

    /** Video packets received of a simulcast top layer. */
    long topLayerPackets() {
        return topLayerPackets;
    }
}

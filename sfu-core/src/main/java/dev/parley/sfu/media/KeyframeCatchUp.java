package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.SendHistory;

/**
 * A subscriber's first picture without another keyframe round trip: it asks for a keyframe when its DTLS handshake
 * begins, and when the answer arrives before the handshake is done, the keyframe and every packet after it are
 * sent to it from the stream's history the moment its keys are there, through its forward like live packets.
 * Otherwise it would have to ask again, and Chrome answers a second request only 300 ms after the first.
 */
final class KeyframeCatchUp {
    /**
     * A keyframe older than this is not sent: the picture would start that far behind (the browser plays the frames
     * at their pace and may hold the audio back to match). By then Chrome answers a new request anyway.
     */
    static final long MAX_AGE_NANOS = 300_000_000L;
    /** Nor more packets than this (a keyframe and the frames after it; the history holds 512). */
    static final int MAX_PACKETS = 300;

    private KeyframeCatchUp() {
    }

    /**
     * Sends {@code f} the packets of {@code history} from the keyframe {@code start} marks to the newest, as the
     * packets of {@code layer}; returns false, sending nothing, when there is no such keyframe of the last
     * {@link #MAX_AGE_NANOS}, too much came after it, or its first packet is no longer kept. A packet missing from
     * the history is left out: the subscriber asks for it as for any lost packet.
     *
     * @param simulcast whether {@code f} switches layers (its first packet must then be flagged as a keyframe)
     * @param scratch a buffer of the stream's, for the packet being sent
     * @return the number of packets sent, or 0 for none
     */
    static int send(Forward f, SendHistory history, KeyframeStart start, int layer, boolean simulcast,
                    PacketBuffer scratch, long now) {
        int first = start.recent(now, MAX_AGE_NANOS);
        int newest = history.highestSequence();
        if (first < 0 || newest < 0) {
            return 0;
        }
        int count = ((newest - first) & 0xFFFF) + 1;
        if (count > MAX_PACKETS || !history.get(first, scratch)) {
            return 0;
        }
        f.sender().send(f, scratch, layer, simulcast, now);
        int sent = 1;
        for (int i = 1; i < count; i++) {
            if (history.get((first + i) & 0xFFFF, scratch)) {
                f.sender().send(f, scratch, layer, false, now);
                sent++;
            }
        }
        return sent;
    }
}

package dev.parley.sfu.media;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Packet counters of the media path: written by the media threads without locks, read by metrics scrapes. One set
 * serves every media loop: each {@link LongAdder} keeps a cell per contending thread and sums them when read, so
 * the loops do not share a counter's cache line.
 */
public final class MediaCounters {
    private final LongAdder received = new LongAdder();
    private final LongAdder forwarded = new LongAdder();
    private final LongAdder handedOff = new LongAdder();
    private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
    private final LongAdder nacksReceived = new LongAdder();
    private final LongAdder retransmissionsSent = new LongAdder();
    private final LongAdder nacksSent = new LongAdder();
    private final LongAdder retransmissionsReceived = new LongAdder();
    private final LongAdder recovered = new LongAdder();
    private final LongAdder givenUp = new LongAdder();

    MediaCounters() {
        for (int i = 0; i < dropped.length; i++) {
            dropped[i] = new LongAdder();
        }
    }

    void received() {
        received.increment();
    }

    void forwarded() {
        forwarded.increment();
    }

    void handedOff() {
        handedOff.increment();
    }

    void dropped(DropReason reason) {
        dropped[reason.ordinal()].increment();
    }

    /** Datagrams read from the media socket. */
    public long receivedPackets() {
        return received.sum();
    }

    /** RTP packets sent to subscribers (one per subscriber per packet). */
    public long forwardedPackets() {
        return forwarded.sum();
    }

    /**
     * Datagrams one media loop's socket on the shared port received for a transport of another loop, and handed
     * over to that loop (the kernel spreads senders over the loops' sockets without knowing their rooms).
     */
    public long handedOffPackets() {
        return handedOff.sum();
    }

    public long droppedPackets(DropReason reason) {
        return dropped[reason.ordinal()].sum();
    }

    public Map<DropReason, Long> droppedByReason() {
        Map<DropReason, Long> m = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            m.put(r, droppedPackets(r));
        }
        return m;
    }

    // --- loss recovery (docs/architecture.md, "Loss recovery") ---

    void nacksReceived(int sequenceNumbers) {
        nacksReceived.add(sequenceNumbers);
    }

    void retransmissionSent() {
        retransmissionsSent.increment();
    }

    void nacksSent(int sequenceNumbers) {
        nacksSent.add(sequenceNumbers);
    }

    void retransmissionReceived() {
        retransmissionsReceived.increment();
    }

    void recovered() {
        recovered.increment();
    }

    void givenUp(long packets) {
        givenUp.add(packets);
    }

    /** Sequence numbers subscribers asked for in NACKs (on streams Parley forwards to them). */
    public long nacksReceived() {
        return nacksReceived.sum();
    }

    /** Packets Parley resent to subscribers from its history, as RTX or on the media SSRC. */
    public long retransmissionsSent() {
        return retransmissionsSent.sum();
    }

    /** Sequence numbers Parley asked publishers for in NACKs, counting repeats. */
    public long nacksSent() {
        return nacksSent.sum();
    }

    /** RTX packets with media (not padding) that publishers sent. */
    public long retransmissionsReceived() {
        return retransmissionsReceived.sum();
    }

    /** Packets missing from a publisher's stream that arrived after Parley asked for them. */
    public long recoveredPackets() {
        return recovered.sum();
    }

    /** Packets missing from a publisher's stream that Parley stopped asking for (deadline or retries spent). */
    public long unrecoveredPackets() {
        return givenUp.sum();
    }
}

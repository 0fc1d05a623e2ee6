package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.NackGenerator;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.RtpHeader;
import java.util.Arrays;

/**
 * Parley's side of loss recovery towards one publisher's video stream: each arriving packet (first transmission
 * or retransmission) passes through here so repeats are dropped and gaps noticed, and the media loop's NACK
 * timer asks the publisher for what is still missing, in one NACK per stream per tick. Loop-confined.
 */
final class NackRequester {
    /** Sequence numbers one NACK asks for at most; the rest wait for the next tick. */
    static final int MAX_PER_NACK = 64;

    private final NackGenerator generator = new NackGenerator();
    private final int[] batch = new int[MAX_PER_NACK];
    private final PacketBuffer out = new PacketBuffer();
    private long givenUpCounted;

    /**
     * Records an arriving packet; false when it is a repeat (or too late) and must not be forwarded. The loop's
     * counters are touched only for those and for recoveries.
     */
    boolean accept(PacketBuffer in, long now, MediaLoop loop) {
        long filled = generator.filledAfterRequest();
        if (generator.onPacket(RtpHeader.sequenceNumber(in.array(), in.offset()), now) == NackGenerator.DUPLICATE) {
            loop.counterSet().dropped(DropReason.DUPLICATE);
            return false;
        }
        if (generator.filledAfterRequest() != filled) {
            loop.counterSet().recovered();
        }
        return true;
    }

    /** Timer tick: sends the publisher a NACK for the packets due to be asked for now, if any. */
    void sendDue(RtcpFeedbackSink publisher, int mediaSsrc, long now, MediaCounters counters) {
        int n = generator.collect(now, batch);
        long givenUp = generator.givenUp();
        if (givenUp != givenUpCounted) {
            counters.givenUp(givenUp - givenUpCounted);
            givenUpCounted = givenUp;
        }
        if (n == 0) {
            return;
        }
        // Ascending numbers pack into the fewest (PID, BLP) items.
        Arrays.sort(batch, 0, n);
        int len = RtcpWriter.writeNack(out.array(), 0, publisher.rtcpSsrc(), mediaSsrc, batch, n);
        out.setWindow(0, len);
        publisher.sendRtcp(out);
        counters.nacksSent(n);
    }

    /** Forgets the packets missing now, without asking for them or counting them given up (nobody wants them). */
    void forget() {
        generator.forgetMissing();
    }

    /** Packets missing now. */
    int missing() {
        return generator.missing();
    }
}

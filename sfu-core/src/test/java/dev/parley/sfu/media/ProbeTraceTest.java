package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.PaddingPacket;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.rtp.TransportCcWriter;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import org.junit.jupiter.api.Test;

/**
 * A subscriber's transport-cc send side ({@link TransportCcSender}: estimator and {@link BandwidthProbe}) against
 * simulated paths, in simulated time: media paced at a fixed rate, padding sent on the feedback tick as the
 * transport does, each packet through the path (a policer, a queue, or nothing), and transport-cc feedback built
 * from what arrived every 50 ms. A layer choice asks for a probe once a second, as {@link PublishedStream} does.
 */
class ProbeTraceTest {
    private static final long MS = 1_000_000L;
    private static final long TICK = 50 * MS;
    /** What the top layer of a 1280x720 camera needs (1.5 Mbit/s, the selector's headroom, the probe margin). */
    private static final long TOP = BandwidthProbe.targetFor(1_500_000, 1);
    private static final long MIDDLE = BandwidthProbe.targetFor(500_000, 1);

    /** Where a packet goes: when it arrives, or -1 when it is lost. */
    private interface Path {
        long arrival(long sentNanos, int size);
    }

    /** A fast path with nothing in the way. */
    private static final class Open implements Path {
        @Override
        public long arrival(long sentNanos, int size) {
            return sentNanos + MS;
        }
    }

    /** A token-bucket policer (nft {@code limit rate over ... burst ... drop}): what finds the bucket empty is lost. */
    private static final class Policer implements Path {
        private final long rateBps;
        private final long bucketBytes;
        private double tokens;
        private long lastNanos = -1;

        Policer(long rateBps, long bucketBytes) {
            this.rateBps = rateBps;
            this.bucketBytes = bucketBytes;
            this.tokens = bucketBytes;
        }

        @Override
        public long arrival(long sentNanos, int size) {
            if (lastNanos >= 0) {
                tokens = Math.min(bucketBytes, tokens + rateBps * (sentNanos - lastNanos) / 8e9);
            }
            lastNanos = sentNanos;
            if (tokens < size) {
                return -1;
            }
            tokens -= size;
            return sentNanos + MS;
        }
    }

    /** A bottleneck with a FIFO queue (a slow link): packets wait, and are lost when the queue is longer than it holds. */
    private static final class Bottleneck implements Path {
        private final long capacityBps;
        private final long maxQueueNanos;
        private long freeAt;

        Bottleneck(long capacityBps, long maxQueueNanos) {
            this.capacityBps = capacityBps;
            this.maxQueueNanos = maxQueueNanos;
        }

        @Override
        public long arrival(long sentNanos, int size) {
            long start = Math.max(sentNanos, freeAt);
            if (start - sentNanos > maxQueueNanos) {
                return -1;
            }
            freeAt = start + size * 8_000_000_000L / capacityBps;
            return freeAt + 10 * MS;
        }
    }

    /** The simulated subscriber transport. */
    private static final class Trace {
        final TransportCcSender sender = new TransportCcSender();
        Path path;
        long mediaBps;
        long now = 10_000 * MS;
        long mediaSent;
        long mediaLost;
        long probeTarget;
        long probeFallback;
        private final PacketBuffer p = new PacketBuffer();
        private final byte[] media = new RtpPacketBuilder().ssrc(0x1234)
                .oneByte(TransportSequenceExtension.PARLEY_ID, 0, 0).payload(new byte[1100]).build();
        private final TransportCcWriter writer = new TransportCcWriter();
        private final byte[] feedback = new byte[1500];
        private final long[] arrivals = new long[1 << 16];
        private int sequence;
        private int reportedUpTo;
        private int feedbackCount;
        private long nextMedia = now;
        private long nextTick = now + TICK;
        private long nextChoice = now + 1000 * MS;

        Trace(Path path, long mediaBps) {
            this.path = path;
            this.mediaBps = mediaBps;
        }

        /** Runs for {@code millis}; returns the highest estimate seen. */
        long run(long millis) {
            long end = now + millis * MS;
            long highest = -1;
            while (now < end) {
                now = Math.min(nextMedia, nextTick);
                if (now == nextMedia) {
                    p.copyFrom(media, 0, media.length);
                    mediaSent++;
                    if (!send(false)) {
                        mediaLost++;
                    }
                    nextMedia += (media.length + 10) * 8_000_000_000L / mediaBps;
                } else {
                    nextTick += TICK;
                    int due = sender.paddingDue(now);
                    while (due > 0) {
                        int n = PaddingPacket.write(p.array(), 0, 97, 1, 0, 0x5678, TransportSequenceExtension.PARLEY_ID,
                                PaddingPacket.MAX_PADDING);
                        p.setWindow(0, n);
                        send(true);
                        due -= n;
                    }
                    giveFeedback();
                    if (now >= nextChoice) {
                        nextChoice += 1000 * MS;
                        if (probeTarget > 0 && sender.estimateBps(now) < probeTarget) {
                            sender.requestProbe(probeTarget, probeFallback, now);
                        }
                    }
                    highest = Math.max(highest, sender.estimateBps(now));
                }
            }
            return highest;
        }

        private boolean send(boolean padding) {
            if (padding) {
                sender.stampPadding(p, now);
            } else {
                sender.stamp(p, now);
            }
            long arrival = path.arrival(now, p.length() + 10);
            arrivals[sequence & 0xFFFF] = arrival;
            sequence++;
            return arrival >= 0;
        }

        /** Reports every packet sent up to 20 ms ago (their fate is known by then). */
        private void giveFeedback() {
            writer.begin(reportedUpTo, feedbackCount++);
            int s = reportedUpTo;
            while (s < sequence) {
                long a = arrivals[s & 0xFFFF];
                if (a > now - 20 * MS || !writer.add(a >= 0, a / 1000)) {
                    break;
                }
                s++;
            }
            if (s > reportedUpTo) {
                int n = writer.write(feedback, 0, 1, 2);
                sender.onFeedback(feedback, 0, n, now);
                reportedUpTo = s;
            }
        }
    }

    @Test
    void onAnOpenPathAProbeForTheTopLayerSucceedsWithinTwoSeconds() {
        Trace t = new Trace(new Open(), 200_000);
        t.run(3000);
        assertTrue(t.sender.estimateBps(t.now) < MIDDLE, "the estimate alone stays below the middle layer: "
                + t.sender.estimateBps(t.now));
        assertTrue(t.sender.requestProbe(TOP, MIDDLE, t.now));
        t.run(BandwidthProbe.RAMP_NANOS / MS + BandwidthProbe.HOLD_NANOS / MS + BandwidthProbe.SETTLE_NANOS / MS + 100);
        assertTrue(t.sender.estimateBps(t.now) >= TOP, "the top layer's rate got through: " + t.sender.estimateBps(t.now));
    }

    @Test
    void aPolicerWithASecondOfBucketFailsEveryProbeAndCostsTheMediaLittle() {
        // 300 kbit/s whose bucket holds a second of it, as nft's limit without a burst; the low layer and audio.
        Trace t = new Trace(new Policer(300_000, 37_500), 220_000);
        t.probeTarget = TOP;
        t.probeFallback = MIDDLE;
        long highest = t.run(30_000);
        assertTrue(highest < MIDDLE, "no probe got through: the estimate peaked at " + highest);
        assertTrue(t.mediaLost <= t.mediaSent / 50, "probes stop at the first loss: media lost " + t.mediaLost
                + " of " + t.mediaSent);
    }

    @Test
    void aPolicerWithASmallBurstFailsEveryProbeToo() {
        Trace t = new Trace(new Policer(300_000, 15_000), 220_000);
        t.probeTarget = TOP;
        t.probeFallback = MIDDLE;
        long highest = t.run(30_000);
        assertTrue(highest < MIDDLE, "no probe got through: the estimate peaked at " + highest);
        assertTrue(t.mediaLost <= t.mediaSent / 50, "media lost " + t.mediaLost + " of " + t.mediaSent);
    }

    @Test
    void aQueueThatDoesNotOverflowStillStopsAProbeByItsDelay() {
        // 600 kbit/s with two seconds of buffer: a probe loses nothing, but the delay it builds is overuse.
        Trace t = new Trace(new Bottleneck(600_000, 2000 * MS), 220_000);
        t.probeTarget = TOP;
        t.probeFallback = MIDDLE;
        long highest = t.run(20_000);
        assertTrue(highest < MIDDLE, "no probe got through: the estimate peaked at " + highest);
        assertTrue(t.mediaLost == 0, "the queue held everything: " + t.mediaLost);
    }

    @Test
    void whenTheCapLiftsTheNextProbeFindsTheTopLayerWithinFiveSeconds() {
        Trace t = new Trace(new Policer(300_000, 15_000), 220_000);
        t.probeTarget = TOP;
        t.probeFallback = MIDDLE;
        t.run(20_000);
        assertTrue(t.sender.estimateBps(t.now) < MIDDLE);
        t.path = new Open();
        long liftedAt = t.now;
        while (t.sender.estimateBps(t.now) < TOP && t.now - liftedAt < 10_000 * MS) {
            t.run(50);
        }
        long took = (t.now - liftedAt) / MS;
        // The wait after a failure, a second to the next choice, the probe and its settling.
        long bound = BandwidthProbe.FAILURE_INTERVAL_NANOS / MS + 1000 + (BandwidthProbe.RAMP_NANOS
                + BandwidthProbe.HOLD_NANOS + BandwidthProbe.SETTLE_NANOS) / MS + 200;
        assertTrue(took <= bound, "the top layer's rate was found " + took + " ms after the cap lifted");
    }

    @Test
    void whatThePathCarriedWithoutLossLatelyCountsAsVerifiedButNotOnceItLost() {
        Trace t = new Trace(new Open(), 1_600_000);
        t.run(5000);
        t.mediaBps = 200_000; // the top layer paused at the publisher for a moment
        t.run(2000);
        assertTrue(t.sender.verifiedBps(t.now) >= 1_400_000, "carried lately: " + t.sender.verifiedBps(t.now));
        t.run(TransportCcSender.CARRIED_NANOS / MS);
        assertTrue(t.sender.verifiedBps(t.now) < 400_000, "forgotten: " + t.sender.verifiedBps(t.now));

        Trace capped = new Trace(new Open(), 1_600_000);
        capped.run(5000);
        capped.path = new Policer(300_000, 15_000);
        capped.run(1000);
        capped.mediaBps = 200_000; // down to the low layer
        capped.run(3000);
        assertTrue(capped.sender.verifiedBps(capped.now) < 400_000,
                "what was carried before the loss does not count: " + capped.sender.verifiedBps(capped.now));
    }

    @Test
    void aLayerThatOverflowsAfterAFooledProbeBringsTheEstimateDownAtOnceAndProbingBacksOff() {
        // Not far above the cap, the ramp's excess fits the policer's second of bucket: the probe is fooled.
        Trace t = new Trace(new Policer(300_000, 37_500), 200_000);
        t.run(3000);
        long fooling = 550_000;
        assertTrue(t.sender.estimateBps(t.now) < fooling, "above the estimate alone: " + t.sender.estimateBps(t.now));
        assertTrue(t.sender.requestProbe(fooling, fooling, t.now));
        t.run(2000);
        assertTrue(t.sender.estimateBps(t.now) >= fooling, "fooled: " + t.sender.estimateBps(t.now));
        // A layer it was for goes out and overflows the path as soon as the bucket is empty (a second at most).
        t.mediaBps = 600_000;
        long switchedAt = t.now;
        while (t.sender.estimateBps(t.now) >= fooling && t.now - switchedAt < 5000 * MS) {
            t.run(50);
        }
        assertTrue(t.now - switchedAt <= 2000 * MS, "the estimate fell below the layer "
                + (t.now - switchedAt) / MS + " ms after it overflowed");
        // The overflow was found after the switch: no probe until the back-off from then passed.
        assertFalse(t.sender.requestProbe(TOP, MIDDLE, switchedAt + BandwidthProbe.BACK_OFF_NANOS - 100 * MS),
                "no probe while backing off");
    }
}

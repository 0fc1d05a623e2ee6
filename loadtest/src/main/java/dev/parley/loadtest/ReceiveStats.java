package dev.parley.loadtest;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * What one subscriber received, per SSRC, counted from the RTP header alone (SRTP leaves it in clear): packets,
 * bytes, the highest extended sequence number against the first (so gaps are losses, RFC 3550 A.3) and the
 * interarrival jitter (RFC 3550 A.8) on the clock rate its payload type was offered with.
 *
 * <p>Written only by the receive thread, with nothing allocated per packet (one object per new SSRC) and no
 * fences: the per-second reports read the plain fields racily (a little behind at worst); the final figures are
 * read after the receive thread has stopped (its {@code join} orders them).
 */
final class ReceiveStats implements SyntheticPeer.MediaHandler {
    /** One received stream. */
    static final class Stream {
        final int ssrc;
        long packets;
        long bytes;
        long firstSequence;
        long highestSequence;
        double jitter; // in clock units
        int clockRate;
        private long lastTransit;
        private boolean haveTransit;

        Stream(int ssrc) {
            this.ssrc = ssrc;
        }

        /** Packets the sequence numbers say were sent from the first received to the highest. */
        long expected() {
            return packets == 0 ? 0 : highestSequence - firstSequence + 1;
        }

        double jitterMillis() {
            int rate = clockRate;
            return rate == 0 ? 0 : jitter * 1000.0 / rate;
        }
    }

    private volatile Stream[] streams = new Stream[16];
    private volatile int streamCount;
    private volatile int[] clockRates = new int[128];
    /** Null unless the packets arrive decrypted (the send time is inside the SRTP payload). */
    private final LatencyHistogram latency;
    /** Packets sent before {@link #latencyFrom} (a {@link System#nanoTime()}) are not counted: the warm-up. */
    private volatile boolean measuringLatency;
    private volatile long latencyFrom;

    /** Counts from the RTP header alone. */
    ReceiveStats() {
        this(false);
    }

    /**
     * Counts from the RTP header and, when {@code decrypted} (the payloads arrive in clear), the latency of every
     * packet that carries a {@link SendTimestamp}, from {@link #measureLatencyFrom} on.
     */
    ReceiveStats(boolean decrypted) {
        this.latency = decrypted ? new LatencyHistogram() : null;
    }

    /** Control thread: latencies count for packets sent from {@code sentNanos} ({@link System#nanoTime()}) on. */
    void measureLatencyFrom(long sentNanos) {
        latencyFrom = sentNanos;
        measuringLatency = true;
    }

    /** The latencies counted so far, or null when the payloads arrive encrypted; read after the receive thread stopped. */
    LatencyHistogram latency() {
        return latency;
    }

    /** Control thread: the clock rate of each payload type, from the latest offer's {@code a=rtpmap} lines. */
    void clockRates(int[] byPayloadType) {
        clockRates = byPayloadType.clone();
    }

    @Override
    public void onRtp(PacketBuffer packet, long receivedNanos) {
        byte[] b = packet.array();
        int o = packet.offset();
        int len = packet.length();
        if (len < 12) {
            return;
        }
        int pt = b[o + 1] & 0x7F;
        int seq = ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
        int timestamp = SyntheticPeer.getInt(b, o + 4);
        int ssrc = SyntheticPeer.getInt(b, o + 8);
        Stream s = find(ssrc);
        long packets = s.packets;
        if (packets == 0) {
            s.firstSequence = seq;
            s.highestSequence = seq;
        } else {
            long highest = s.highestSequence;
            int delta = (short) (seq - (int) highest); // signed distance in the 16-bit space
            if (delta > 0) {
                s.highestSequence = highest + delta;
            }
        }
        s.packets = packets + 1;
        s.bytes += len;
        LatencyHistogram l = latency;
        if (l != null) {
            long sent = SendTimestamp.read(packet);
            if (sent != SendTimestamp.NONE && measuringLatency && sent - latencyFrom >= 0) {
                l.record(receivedNanos - sent);
            }
        }
        int rate = clockRates[pt];
        if (rate != 0) {
            s.clockRate = rate;
            // transit in clock units; only differences matter, so the arrival clock's origin does not
            long arrival = (long) (receivedNanos * (rate / 1e9));
            long transit = arrival - (timestamp & 0xFFFFFFFFL);
            if (s.haveTransit) {
                long d = Math.abs(transit - s.lastTransit);
                if (d >= 0 && d < (long) rate * 10) { // a timestamp wrap or jump is not jitter
                    s.jitter += (d - s.jitter) / 16.0;
                }
            }
            s.lastTransit = transit;
            s.haveTransit = true;
        }
    }

    private Stream find(int ssrc) {
        Stream[] table = streams;
        int mask = table.length - 1;
        int i = mix(ssrc) & mask;
        while (true) {
            Stream s = table[i];
            if (s == null) {
                break;
            }
            if (s.ssrc == ssrc) {
                return s;
            }
            i = (i + 1) & mask;
        }
        // a new stream: the only allocation, once per SSRC
        if ((streamCount + 1) * 2 > table.length) {
            Stream[] bigger = new Stream[table.length * 2];
            for (Stream s : table) {
                if (s != null) {
                    int j = mix(s.ssrc) & (bigger.length - 1);
                    while (bigger[j] != null) {
                        j = (j + 1) & (bigger.length - 1);
                    }
                    bigger[j] = s;
                }
            }
            table = bigger;
            mask = table.length - 1;
            i = mix(ssrc) & mask;
            while (table[i] != null) {
                i = (i + 1) & mask;
            }
        }
        Stream s = new Stream(ssrc);
        table[i] = s;
        streams = table;
        streamCount++;
        return s;
    }

    private static int mix(int x) {
        int h = x * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    /** Adds this subscriber's figures to {@code into}. */
    void addTo(Totals into) {
        for (Stream s : streams) {
            if (s == null) {
                continue;
            }
            long packets = s.packets;
            if (packets == 0) {
                continue;
            }
            into.streams++;
            into.packets += packets;
            into.bytes += s.bytes;
            into.expected += s.expected();
            double j = s.jitterMillis();
            into.jitterSum += j;
            into.jitterMax = Math.max(into.jitterMax, j);
        }
    }

    /** Streams this subscriber received at least one packet of. */
    int streams() {
        return streamCount;
    }

    /** Sums over subscribers, made by the reporting thread. */
    static final class Totals {
        long streams;
        long packets;
        long bytes;
        long expected;
        double jitterSum;
        double jitterMax;

        long lost() {
            return Math.max(0, expected - packets);
        }

        double meanJitterMillis() {
            return streams == 0 ? 0 : jitterSum / streams;
        }
    }
}

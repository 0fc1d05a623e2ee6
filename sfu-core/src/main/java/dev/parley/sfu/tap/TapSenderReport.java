package dev.parley.sfu.tap;

/**
 * A publisher's RTCP sender report for a tapped track (RFC 3550 section 6.4.1): it pairs the publisher's wall clock
 * with the track's RTP clock, which lines up tracks of one publisher (audio/video sync).
 *
 * @param ntpTimestamp the 64-bit NTP timestamp, seconds since 1900 in the upper 32 bits
 * @param rtpTimestamp the RTP timestamp of the same instant, unsigned 32 bits
 * @param packetCount packets the publisher sent on the track, unsigned 32 bits
 * @param octetCount payload octets the publisher sent, unsigned 32 bits
 * @param arrivalNanos when it reached Parley, on the {@link System#nanoTime()} clock
 */
public record TapSenderReport(long ntpTimestamp, long rtpTimestamp, long packetCount, long octetCount,
                              long arrivalNanos) {
    private static final long NTP_TO_UNIX_SECONDS = 2_208_988_800L;

    /** The NTP timestamp as nanoseconds since the Unix epoch. */
    public long unixNanos() {
        long seconds = (ntpTimestamp >>> 32) - NTP_TO_UNIX_SECONDS;
        long fraction = ntpTimestamp & 0xFFFF_FFFFL;
        return seconds * 1_000_000_000L + ((fraction * 1_000_000_000L) >>> 32);
    }
}

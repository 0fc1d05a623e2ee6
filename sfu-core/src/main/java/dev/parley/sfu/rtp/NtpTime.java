package dev.parley.sfu.rtp;

/** Conversions to the 64-bit NTP timestamps of sender reports (RFC 3550 section 4). */
public final class NtpTime {
    /** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
    static final long UNIX_EPOCH_SECONDS = 2_208_988_800L;

    private NtpTime() {
    }

    /** NTP timestamp of a wall-clock instant given in nanoseconds since the Unix epoch. */
    public static long fromUnixNanos(long unixNanos) {
        long seconds = Math.floorDiv(unixNanos, 1_000_000_000L);
        long nanos = Math.floorMod(unixNanos, 1_000_000_000L);
        return (seconds + UNIX_EPOCH_SECONDS) << 32 | (nanos << 32) / 1_000_000_000L;
    }

    /** Middle 32 bits of an NTP timestamp: the LSR field of a report block. */
    public static int middle32(long ntp) {
        return (int) (ntp >>> 16);
    }
}

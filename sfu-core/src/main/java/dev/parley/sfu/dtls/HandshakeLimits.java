package dev.parley.sfu.dtls;

import java.time.Duration;
import java.util.Objects;

/**
 * How many DTLS handshakes may be pending at once, and for how long. A handshake is pending from the moment
 * its plausible ClientHello is admitted until it completes or fails; until then it holds nothing.
 *
 * @param threads handshake threads (BouncyCastle's handshake blocks one thread for its whole length)
 * @param queue admitted handshakes that may wait for a free thread; beyond {@code threads + queue} the pool is full
 * @param perSource pending handshakes from one source: an IPv4 address, or an IPv6 /64 (one host can hold a /64)
 * @param perRoom pending handshakes in one room
 * @param firstFlightTimeout how long a session waits for a plausible ClientHello before it is abandoned
 * @param handshakeTimeout how long from a session's start until its handshake must have completed, refused
 *     handshakes included (a refused ClientHello is dropped, and the peer's retransmission may be admitted)
 */
public record HandshakeLimits(int threads, int queue, int perSource, int perRoom, Duration firstFlightTimeout,
                              Duration handshakeTimeout) {
    /**
     * 32 threads, a queue of 64, 4 pending per source and 8 per room, 3 s for the first flight and 10 s for the
     * handshake. A browser's handshake is pending for about three round trips; 8 per room let a large meeting
     * start at once (refused ClientHellos are retried by the browser) while leaving most threads to other rooms.
     */
    public static final HandshakeLimits DEFAULTS =
            new HandshakeLimits(32, 64, 4, 8, Duration.ofSeconds(3), Duration.ofSeconds(10));

    public HandshakeLimits {
        if (threads < 1 || threads > 1024) {
            throw new IllegalArgumentException("handshake threads must be 1..1024, was " + threads);
        }
        if (queue < 0 || queue > 65536) {
            throw new IllegalArgumentException("handshake queue must be 0..65536, was " + queue);
        }
        if (perSource < 1) {
            throw new IllegalArgumentException("pending handshakes per source must be at least 1, was " + perSource);
        }
        if (perRoom < 1) {
            throw new IllegalArgumentException("pending handshakes per room must be at least 1, was " + perRoom);
        }
        Objects.requireNonNull(firstFlightTimeout, "firstFlightTimeout");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (firstFlightTimeout.isNegative() || firstFlightTimeout.isZero()) {
            throw new IllegalArgumentException("first-flight timeout must be positive, was " + firstFlightTimeout);
        }
        if (handshakeTimeout.compareTo(firstFlightTimeout) < 0) {
            throw new IllegalArgumentException("handshake timeout (" + handshakeTimeout
                    + ") must not be shorter than the first-flight timeout (" + firstFlightTimeout + ")");
        }
    }
}

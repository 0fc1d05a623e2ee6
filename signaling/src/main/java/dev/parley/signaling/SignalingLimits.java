package dev.parley.signaling;

import java.util.Objects;
import java.util.Set;

/**
 * What one client address may hold at once, and which peers are proxies whose {@code X-Forwarded-For} is trusted.
 *
 * @param connectionsPerAddress open signaling connections from one client address; more are refused
 * @param roomsPerAddress distinct rooms the connections from one client address may be in (or joining) at once
 * @param guestJoins counts joins without a join token per client address; a refused one gets {@code rate_limited}
 * @param trustedProxies IP addresses (as {@link java.net.InetAddress#getHostAddress()} writes them) of reverse
 *                       proxies in front of Parley: for connections from them, the client address is taken from
 *                       {@code X-Forwarded-For}; for everyone else it is the socket's remote address
 */
public record SignalingLimits(int connectionsPerAddress, int roomsPerAddress, GuestJoinLimiter guestJoins,
                              Set<String> trustedProxies) {
    public static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 100;
    public static final int DEFAULT_ROOMS_PER_ADDRESS = 20;

    public SignalingLimits {
        if (connectionsPerAddress < 1 || roomsPerAddress < 1) {
            throw new IllegalArgumentException("per-address limits must be at least 1, were " + connectionsPerAddress
                    + " connections and " + roomsPerAddress + " rooms");
        }
        Objects.requireNonNull(guestJoins, "guestJoins");
        trustedProxies = Set.copyOf(trustedProxies);
    }

    /** The default per-address limits, no limit on guest joins and no trusted proxy (for embedding and tests). */
    public static SignalingLimits defaults() {
        return new SignalingLimits(DEFAULT_CONNECTIONS_PER_ADDRESS, DEFAULT_ROOMS_PER_ADDRESS, address -> true, Set.of());
    }
}

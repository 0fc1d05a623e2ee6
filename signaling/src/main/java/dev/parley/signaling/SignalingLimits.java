package dev.parley.signaling;

import java.util.Objects;
import java.util.Set;

/**
 * What one client address and the whole server may hold at once, and which peers are proxies whose
 * {@code X-Forwarded-For} is trusted.
 *
 * @param connectionsPerAddress open signaling connections from one client address; more are refused
 * @param roomsPerAddress distinct rooms the connections from one client address may be in (or joining) at once
 * @param guestJoins counts joins without a join token per client address; a refused one gets {@code rate_limited}
 * @param trustedProxies IP addresses (as {@link java.net.InetAddress#getHostAddress()} writes them) of reverse
 *                       proxies in front of Parley: for connections from them, the client address is taken from
 *                       {@code X-Forwarded-For}; for everyone else it is the socket's remote address
 * @param maxConnections open signaling connections on the whole server, from all addresses; more are refused
 */
public record SignalingLimits(int connectionsPerAddress, int roomsPerAddress, GuestJoinLimiter guestJoins,
                              Set<String> trustedProxies, int maxConnections) {
    public static final int DEFAULT_CONNECTIONS_PER_ADDRESS = 100;
    public static final int DEFAULT_ROOMS_PER_ADDRESS = 20;
    public static final int DEFAULT_MAX_CONNECTIONS = 10_000;

    public SignalingLimits {
        if (connectionsPerAddress < 1 || roomsPerAddress < 1) {
            throw new IllegalArgumentException("per-address limits must be at least 1, were " + connectionsPerAddress
                    + " connections and " + roomsPerAddress + " rooms");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections must be at least 1, was " + maxConnections);
        }
        Objects.requireNonNull(guestJoins, "guestJoins");
        trustedProxies = Set.copyOf(trustedProxies);
    }

    /** These per-address limits, with the default server-wide cap of {@value #DEFAULT_MAX_CONNECTIONS} connections. */
    public SignalingLimits(int connectionsPerAddress, int roomsPerAddress, GuestJoinLimiter guestJoins,
                           Set<String> trustedProxies) {
        this(connectionsPerAddress, roomsPerAddress, guestJoins, trustedProxies, DEFAULT_MAX_CONNECTIONS);
    }

    /** The default per-address limits, no limit on guest joins and no trusted proxy (for embedding and tests). */
    public static SignalingLimits defaults() {
        return new SignalingLimits(DEFAULT_CONNECTIONS_PER_ADDRESS, DEFAULT_ROOMS_PER_ADDRESS, address -> true, Set.of());
    }
}

package dev.parley.sfu;

import java.time.Duration;
import java.util.Objects;

/**
 * ICE over TCP (RFC 6544 passive candidates, RFC 4571 framing): a TCP port browsers that cannot send UDP
 * connect to. Each connection is one candidate pair; its first framed message must be an ICE connectivity
 * check for a known transport.
 *
 * @param port the TCP port; 0 picks a free port; {@link #OFF} has no TCP port
 * @param maxConnectionsPerAddress connections open at once from one client IP address
 * @param maxConnections connections open at once in all
 * @param firstMessageTimeout how long a new connection may take to send a valid connectivity check
 * @param idleTimeout how long a connection may stay silent once it carries a candidate pair
 */
public record IceTcpConfig(int port, int maxConnectionsPerAddress, int maxConnections, Duration firstMessageTimeout,
                           Duration idleTimeout) {
    /** No ICE-TCP port. */
    public static final IceTcpConfig OFF = new IceTcpConfig(-1, 1, 1, Duration.ofSeconds(5), Duration.ofSeconds(30));

    /** ICE-TCP on {@code port} with the default bounds: 8 connections per address, 4096 in all, 5 s, 30 s. */
    public static IceTcpConfig on(int port) {
        return new IceTcpConfig(port, 8, 4096, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    public IceTcpConfig {
        Objects.requireNonNull(firstMessageTimeout, "firstMessageTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (port < -1 || port > 65535) {
            throw new IllegalArgumentException("ICE-TCP port must be 0..65535 (or -1 for off), was " + port);
        }
        if (maxConnectionsPerAddress < 1 || maxConnections < maxConnectionsPerAddress) {
            throw new IllegalArgumentException("ICE-TCP connection limits must be at least 1 per address and no smaller"
                    + " in all than per address, were " + maxConnectionsPerAddress + " and " + maxConnections);
        }
        if (firstMessageTimeout.isNegative() || firstMessageTimeout.isZero() || idleTimeout.isNegative()
                || idleTimeout.isZero()) {
            throw new IllegalArgumentException("ICE-TCP timeouts must be positive");
        }
    }

    public boolean enabled() {
        return port >= 0;
    }
}

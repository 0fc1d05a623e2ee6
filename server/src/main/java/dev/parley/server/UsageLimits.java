package dev.parley.server;

import java.util.List;

/**
 * How much one participant, room or client address, and everyone together, may take of the server
 * (docs/configuration.md, "Limits").
 *
 * @param trustedProxies reverse proxies whose {@code X-Forwarded-For} names the client address
 * @param maxConnections signaling connections open at once on the whole server
 */
record UsageLimits(int tracksPerParticipant, int tracksPerRoom, int connectionsPerAddress, int roomsPerAddress,
                   int guestJoinsPerMinute, List<String> trustedProxies, int maxConnections) {
    UsageLimits {
        trustedProxies = List.copyOf(trustedProxies);
    }
}

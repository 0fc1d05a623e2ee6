package dev.parley.server;

import java.util.List;

/**
 * How much one participant, room or client address may take of the server (docs/configuration.md, "Limits").
 *
 * @param trustedProxies reverse proxies whose {@code X-Forwarded-For} names the client address
 */
record UsageLimits(int tracksPerParticipant, int tracksPerRoom, int connectionsPerAddress, int roomsPerAddress,
                   int guestJoinsPerMinute, List<String> trustedProxies) {
    UsageLimits {
        trustedProxies = List.copyOf(trustedProxies);
    }
}

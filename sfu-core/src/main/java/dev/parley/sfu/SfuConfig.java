package dev.parley.sfu;

import dev.parley.sfu.dtls.HandshakeLimits;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the media server listens and what it announces.
 *
 * @param bindAddress the address the media UDP socket binds (the wildcard address for all interfaces)
 * @param mediaPort the one UDP port all participants' media uses; 0 picks a free port
 * @param announcedAddresses the addresses put in ICE candidates, in order (e.g. the public address behind 1:1 NAT)
 * @param consentTimeout how long a connection may go without an ICE consent check before its participant is removed
 * @param maxParticipantsPerRoom joins beyond this are refused
 * @param handshakeLimits how many DTLS handshakes may be pending, per source address, per room and in all, and
 *     how long they may take ({@link HandshakeLimits#DEFAULTS} unless a deployment needs otherwise)
 */
public record SfuConfig(InetAddress bindAddress, int mediaPort, List<InetAddress> announcedAddresses,
                        Duration consentTimeout, int maxParticipantsPerRoom, HandshakeLimits handshakeLimits) {
    /** A configuration with the {@linkplain HandshakeLimits#DEFAULTS default handshake limits}. */
    public SfuConfig(InetAddress bindAddress, int mediaPort, List<InetAddress> announcedAddresses,
                     Duration consentTimeout, int maxParticipantsPerRoom) {
        this(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                HandshakeLimits.DEFAULTS);
    }

    public SfuConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(handshakeLimits, "handshakeLimits");
        announcedAddresses = List.copyOf(announcedAddresses);
        if (announcedAddresses.isEmpty()) {
            throw new IllegalArgumentException("at least one address must be announced in ICE candidates");
        }
        if (mediaPort < 0 || mediaPort > 65535) {
            throw new IllegalArgumentException("media port must be 0..65535, was " + mediaPort);
        }
        if (consentTimeout.isNegative() || consentTimeout.isZero()) {
            throw new IllegalArgumentException("consent timeout must be positive");
        }
        if (maxParticipantsPerRoom < 1) {
            throw new IllegalArgumentException("max participants per room must be at least 1");
        }
    }
}

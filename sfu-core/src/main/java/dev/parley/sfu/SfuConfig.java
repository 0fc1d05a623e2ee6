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
 * @param maxTracksPerParticipant a publish that would leave one participant with more tracks is refused
 * @param maxTracksPerRoom a publish that would leave the room with more tracks in all is refused
 * @param handshakeLimits how many DTLS handshakes may be pending, per source address, per room and in all, and
 *     how long they may take ({@link HandshakeLimits#DEFAULTS} unless a deployment needs otherwise)
 * @param mediaPortRange UDP ports to give each transport one of, instead of the one {@code mediaPort}; null
 *     for the one shared port
 * @param iceTcp the ICE-TCP port and its bounds ({@link IceTcpConfig#OFF} for none)
 * @param socketBufferBytes the receive and send buffer asked of the kernel for each media UDP socket: the
 *     receive buffer holds packets that arrive while the media loop is busy (Linux caps it at
 *     {@code net.core.rmem_max})
 * @param mediaThreads how many media event loops (threads) carry media, 1..{@value #MAX_MEDIA_THREADS}; each room
 *     runs on one of them ({@link #DEFAULT_MEDIA_THREADS} unless a deployment needs otherwise)
 * @param lastN each subscriber receives video from at most this many participants, the most recent speakers;
 *     the others' video is paused for it (audio never is); 0 for no limit
 */
public record SfuConfig(InetAddress bindAddress, int mediaPort, List<InetAddress> announcedAddresses,
                        Duration consentTimeout, int maxParticipantsPerRoom, int maxTracksPerParticipant,
                        int maxTracksPerRoom, HandshakeLimits handshakeLimits, MediaPortRange mediaPortRange,
                        IceTcpConfig iceTcp, int socketBufferBytes, int mediaThreads, int lastN) {
    /** Default tracks per participant: microphone, camera, and a screen share with its audio, twice over. */
    public static final int DEFAULT_MAX_TRACKS_PER_PARTICIPANT = 8;
    /** Default tracks per room: every subscriber offer stays well below what browsers and Parley's SDP parser take. */
    public static final int DEFAULT_MAX_TRACKS_PER_ROOM = 256;
    /** Default media socket buffers: 4 MiB, about 3400 full-size packets, half a second of a busy 50-person room. */
    public static final int DEFAULT_SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
    /** Default media threads: one per available processor. */
    public static final int DEFAULT_MEDIA_THREADS = Runtime.getRuntime().availableProcessors();
    /** The most media threads a server may ask for. */
    public static final int MAX_MEDIA_THREADS = 256;

    /** A config with {@link #DEFAULT_MEDIA_THREADS} media threads and no last-N limit. */
    public SfuConfig(InetAddress bindAddress, int mediaPort, List<InetAddress> announcedAddresses,
                     Duration consentTimeout, int maxParticipantsPerRoom, int maxTracksPerParticipant,
                     int maxTracksPerRoom, HandshakeLimits handshakeLimits, MediaPortRange mediaPortRange,
                     IceTcpConfig iceTcp, int socketBufferBytes) {
        this(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                maxTracksPerParticipant, maxTracksPerRoom, handshakeLimits, mediaPortRange, iceTcp, socketBufferBytes,
                DEFAULT_MEDIA_THREADS, 0);
    }

    /** A config with the default track limits and {@linkplain HandshakeLimits#DEFAULTS handshake limits}. */
    public SfuConfig(InetAddress bindAddress, int mediaPort, List<InetAddress> announcedAddresses,
                     Duration consentTimeout, int maxParticipantsPerRoom) {
        this(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                DEFAULT_MAX_TRACKS_PER_PARTICIPANT, DEFAULT_MAX_TRACKS_PER_ROOM, HandshakeLimits.DEFAULTS);
    }

    /** One shared UDP port, no ICE-TCP. */
    public SfuConfig(InetAddress bindAddress, int mediaPort, List<InetAddress> announcedAddresses,
                     Duration consentTimeout, int maxParticipantsPerRoom, int maxTracksPerParticipant,
                     int maxTracksPerRoom, HandshakeLimits handshakeLimits) {
        this(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                maxTracksPerParticipant, maxTracksPerRoom, handshakeLimits, null, IceTcpConfig.OFF,
                DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /** This config with the media transports given: a UDP port range (or null) and ICE-TCP. */
    public SfuConfig withTransports(MediaPortRange range, IceTcpConfig tcp) {
        return new SfuConfig(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                maxTracksPerParticipant, maxTracksPerRoom, handshakeLimits, range, tcp, socketBufferBytes,
                mediaThreads, lastN);
    }

    /** This config with {@code bytes} of receive and send buffer asked for each media socket. */
    public SfuConfig withSocketBuffers(int bytes) {
        return new SfuConfig(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                maxTracksPerParticipant, maxTracksPerRoom, handshakeLimits, mediaPortRange, iceTcp, bytes,
                mediaThreads, lastN);
    }

    /** This config with {@code threads} media event loops. */
    public SfuConfig withMediaThreads(int threads) {
        return new SfuConfig(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                maxTracksPerParticipant, maxTracksPerRoom, handshakeLimits, mediaPortRange, iceTcp, socketBufferBytes,
                threads, lastN);
    }

    /** This config with subscribers receiving video from at most {@code n} most recent speakers (0: all). */
    public SfuConfig withLastN(int n) {
        return new SfuConfig(bindAddress, mediaPort, announcedAddresses, consentTimeout, maxParticipantsPerRoom,
                maxTracksPerParticipant, maxTracksPerRoom, handshakeLimits, mediaPortRange, iceTcp, socketBufferBytes,
                mediaThreads, n);
    }

    public SfuConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(iceTcp, "iceTcp");
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
        if (maxTracksPerParticipant < 1 || maxTracksPerRoom < maxTracksPerParticipant) {
            throw new IllegalArgumentException("track limits must be at least 1 per participant and no smaller per room"
                    + " than per participant, were " + maxTracksPerParticipant + " and " + maxTracksPerRoom);
        }
        if (mediaPortRange != null && mediaPortRange.size() < 2) {
            throw new IllegalArgumentException("a media port range needs at least 2 ports (a participant uses two), was "
                    + mediaPortRange);
        }
        if (socketBufferBytes < 4096) {
            throw new IllegalArgumentException("socket buffers must be at least 4096 bytes, were " + socketBufferBytes);
        }
        if (mediaThreads < 1 || mediaThreads > MAX_MEDIA_THREADS) {
            throw new IllegalArgumentException("media threads must be 1.." + MAX_MEDIA_THREADS + ", were " + mediaThreads);
        }
        if (lastN < 0) {
            throw new IllegalArgumentException("last-N must be 0 (no limit) or more, was " + lastN);
        }
    }
}

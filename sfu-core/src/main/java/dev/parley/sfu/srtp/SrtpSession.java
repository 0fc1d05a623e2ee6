package dev.parley.sfu.srtp;

import dev.parley.sfu.packet.PacketBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Objects;
import org.jitsi.srtp.SrtcpCryptoContext;
import org.jitsi.srtp.SrtpContextFactory;
import org.jitsi.srtp.SrtpPolicy;
import org.jitsi.srtp.SrtpCryptoContext;
import org.jitsi.srtp.SrtpErrorStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SRTP and SRTCP protection for one DTLS-SRTP association: decrypts what the peer sends and encrypts what we
 * send, in place on {@link PacketBuffer}s.
 *
 * <p>jitsi-srtp works with one crypto context per SSRC and direction; this class keeps those contexts in four
 * bounded caches (RTP and RTCP, receive and send) that evict the least recently used SSRC when full. A receive
 * context is only cached once a packet under its SSRC has authenticated: packets under unknown SSRCs are tried
 * with one spare context, so a flood of forged SSRCs neither fills the cache nor derives a context per packet.
 *
 * <p><b>Threading:</b> a session is confined to the event-loop thread that owns its participant's transport.
 * The receive methods ({@code unprotect*}) and the send methods ({@code protect*}) touch disjoint state, so the
 * two directions may each be driven by a different thread, but each direction by one thread at a time. Counters
 * may be read from any thread and are then approximate.
 *
 * <p><b>Allocation:</b> once an SSRC's context exists, this class allocates nothing per packet, and neither does
 * AES-GCM RTP encryption where jitsi-srtp's OpenSSL binding is loaded: that one is Parley's own
 * ({@link GcmRtpProtector}, RFC 7714 framing on the same OpenSSL cipher jitsi-srtp uses, one parameter object
 * reused), because it runs once per copy of every forwarded packet. Everything else is jitsi-srtp's, which allocates
 * a few small objects per packet: a new {@code IvParameterSpec} or {@code GCMParameterSpec} and a
 * {@code Cipher.init} per packet, {@code Mac.doFinal()}'s result array for HMAC-SHA1, and lambdas for its
 * (disabled) debug logging; the JDK's AES-GCM also buffers when decrypting in place. Its context methods are
 * {@code synchronized}, uncontended here. Which cipher providers it uses is reported by {@link #cryptoBackend()}.
 *
 * <p><b>Retransmissions:</b> send-side replay protection is off, because Parley answers a NACK by protecting the
 * stored packet again under the same SSRC and sequence number. That is safe only because the plaintext is
 * byte-identical (the stored packet, rewritten deterministically), so the same nonce meets the same plaintext and
 * yields the same ciphertext. Never protect a different payload under a sequence number already sent: for AES-GCM a
 * reused nonce with new plaintext exposes the authentication key.
 */
public final class SrtpSession implements AutoCloseable {
    /** Which end of the DTLS handshake this session is: it encrypts with that end's write keys. */
    public enum Role { DTLS_SERVER, DTLS_CLIENT }

    /** SSRCs kept per direction and packet kind unless the constructor is told otherwise. */
    public static final int DEFAULT_MAX_SSRCS = 64;

    private static final Logger LOG = LoggerFactory.getLogger(SrtpSession.class);
    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;
    private static final int SRTCP_INDEX = 4;

    private final SrtpProfile profile;
    private final SrtpContextFactory receiveFactory;
    private final SrtpContextFactory sendFactory;
    private final SsrcContextCache<SrtpCryptoContext> receiveRtp;
    private final SsrcContextCache<SrtcpCryptoContext> receiveRtcp;
    private final SsrcContextCache<SrtpCryptoContext> sendRtp;
    private final SsrcContextCache<SrtcpCryptoContext> sendRtcp;
    private final PacketBufferAdapter receiveView = new PacketBufferAdapter();
    private final PacketBufferAdapter sendView = new PacketBufferAdapter();
    /** Encrypts AES-GCM RTP without jitsi-srtp where OpenSSL is loaded, null otherwise; then {@link #sendRollover} keeps the indexes. */
    private final GcmRtpProtector gcmProtector;
    private final SsrcContextCache<RolloverCounter> sendRollover;

    /** Fresh contexts that try packets under SSRCs not yet cached; bound to an SSRC once one authenticates. */
    private SrtpCryptoContext spareRtp;
    private SrtcpCryptoContext spareRtcp;

    private volatile boolean closed;
    private long authFailures;
    private long replayedPackets;
    private long malformedPackets;
    private long protectFailures;
    private boolean unexpectedErrorLogged;
    private long unexpectedErrors;

    /**
     * A session for the SFU's usual side, the DTLS server, remembering up to {@value #DEFAULT_MAX_SSRCS} SSRCs.
     * The first session of a process waits for {@link #cryptoBackend()} unless that already ran at start-up.
     */
    public SrtpSession(SrtpKeyingMaterial keys) {
        this(keys, Role.DTLS_SERVER, DEFAULT_MAX_SSRCS);
    }

    /**
     * A session for either DTLS role.
     *
     * @param maxSsrcs how many SSRCs each of the four context caches keeps. Evicting a send context restarts its
     *     rollover counter and SRTCP index, which a receiver that saw more than 65536 packets of that SSRC will
     *     reject, so size this above the number of SSRCs a participant sends or receives at once
     */
    public SrtpSession(SrtpKeyingMaterial keys, Role role, int maxSsrcs) {
        this(keys, role, maxSsrcs, SrtpCryptoBackend.ownGcmProtect());
    }

    /**
     * As the public constructor, choosing the AES-GCM RTP encryption explicitly.
     *
     * @param ownGcmProtect encrypt AES-GCM RTP with {@link GcmRtpProtector} on OpenSSL (which must be loaded)
     *     rather than jitsi-srtp's contexts; ignored for AES-CM
     */
    SrtpSession(SrtpKeyingMaterial keys, Role role, int maxSsrcs, boolean ownGcmProtect) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(role, "role");
        if (maxSsrcs < 1) {
            throw new IllegalArgumentException("maxSsrcs must be at least 1, got " + maxSsrcs);
        }
        SrtpCryptoBackend.describe();
        this.profile = keys.profile();
        boolean server = role == Role.DTLS_SERVER;
        // A server decrypts with the client's write keys and encrypts with its own; a client the other way round.
        this.receiveFactory = factory(false, server ? keys.clientKey() : keys.serverKey(),
                server ? keys.clientSalt() : keys.serverSalt());
        byte[] sendKey = server ? keys.serverKey() : keys.clientKey();
        byte[] sendSalt = server ? keys.serverSalt() : keys.clientSalt();
        this.sendFactory = factory(true, sendKey, sendSalt);
        if (ownGcmProtect && profile == SrtpProfile.AEAD_AES_128_GCM) {
            try {
                this.gcmProtector = new GcmRtpProtector(sendKey, sendSalt, SrtpCryptoBackend.openSsl());
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM is not available from OpenSSL", e);
            } finally {
                Arrays.fill(sendKey, (byte) 0);
                Arrays.fill(sendSalt, (byte) 0);
            }
            this.sendRollover = new SsrcContextCache<>(maxSsrcs);
        } else {
            this.gcmProtector = null;
            this.sendRollover = null;
        }
        this.receiveRtp = new SsrcContextCache<>(maxSsrcs);
        this.receiveRtcp = new SsrcContextCache<>(maxSsrcs);
        this.sendRtp = new SsrcContextCache<>(maxSsrcs);
        this.sendRtcp = new SsrcContextCache<>(maxSsrcs);
    }

    /**
     * The SRTP crypto implementations in use (OpenSSL through JNI, or JDK/BouncyCastle ciphers), measured and
     * logged on the first call. Call it at start-up: the first measurement benchmarks the candidates.
     */
    public static String cryptoBackend() {
        return SrtpCryptoBackend.describe();
    }

    /** The negotiated protection profile. */
    public SrtpProfile profile() {
        return profile;
    }

    /**
     * Authenticates and decrypts an SRTP packet in place; the window shrinks to the RTP packet.
     *
     * @return true if the packet is authentic and new; false (window unchanged, contents unspecified) if it is
     *     malformed, fails authentication or is a replay. Never throws for bad input.
     */
    public boolean unprotectRtp(PacketBuffer p) {
        if (closed) {
            return false;
        }
        int offset = p.offset();
        int length = p.length();
        if (length < RTP_HEADER + profile.srtpOverhead() || !isVersion2(p)) {
            malformedPackets++;
            return false;
        }
        int ssrc = readInt(p, 8);
        PacketBufferAdapter view = receiveView.wrap(p);
        try {
            SrtpCryptoContext context = receiveRtp.get(ssrc);
            boolean cached = context != null;
            if (!cached) {
                context = spareRtp();
            }
            SrtpErrorStatus status = context.reverseTransformPacket(view, false);
            if (status == SrtpErrorStatus.OK) {
                if (!cached) {
                    receiveRtp.put(ssrc, context);
                    spareRtp = null;
                }
                return true;
            }
            countRejection(status);
        } catch (GeneralSecurityException | RuntimeException e) {
            unexpected(e);
        }
        p.setWindow(offset, length);
        return false;
    }

    /**
     * Authenticates and decrypts an SRTCP packet in place; the window shrinks to the RTCP compound packet.
     *
     * @return true if the packet is authentic and new; false (window unchanged, contents unspecified) if it is
     *     malformed, fails authentication or is a replay. Never throws for bad input.
     */
    public boolean unprotectRtcp(PacketBuffer p) {
        if (closed) {
            return false;
        }
        int offset = p.offset();
        int length = p.length();
        if (length < RTCP_HEADER + profile.srtcpOverhead() || !isVersion2(p)) {
            malformedPackets++;
            return false;
        }
        if (profile == SrtpProfile.AEAD_AES_128_GCM && (p.getUnsignedByte(length - SRTCP_INDEX) & 0x80) == 0) {
            // Unencrypted SRTCP under GCM: no browser sends it, and jitsi-srtp's path for it ignores the
            // buffer offset, so it is refused here rather than half-handled.
            malformedPackets++;
            return false;
        }
        int ssrc = readInt(p, 4);
        PacketBufferAdapter view = receiveView.wrap(p);
        try {
            SrtcpCryptoContext context = receiveRtcp.get(ssrc);
            boolean cached = context != null;
            if (!cached) {
                context = spareRtcp();
            }
            SrtpErrorStatus status = context.reverseTransformPacket(view);
            if (status == SrtpErrorStatus.OK) {
                if (!cached) {
                    receiveRtcp.put(ssrc, context);
                    spareRtcp = null;
                }
                return true;
            }
            countRejection(status);
        } catch (GeneralSecurityException | RuntimeException e) {
            unexpected(e);
        }
        p.setWindow(offset, length);
        return false;
    }

    /**
     * Encrypts and authenticates an RTP packet in place; the window grows by {@link SrtpProfile#srtpOverhead()}.
     *
     * @return true on success; false (window unchanged) if the packet is malformed or the buffer lacks room for
     *     the tag. Protecting an already sent packet again is allowed for retransmissions (see the class notes)
     */
    public boolean protectRtp(PacketBuffer p) {
        if (closed) {
            return false;
        }
        int offset = p.offset();
        int length = p.length();
        int header = protectableRtpHeader(p);
        if (header < 0 || offset + length + profile.srtpOverhead() > p.capacity()) {
            protectFailures++;
            return false;
        }
        int ssrc = readInt(p, 8);
        if (gcmProtector != null) {
            return protectGcm(p, ssrc, header);
        }
        try {
            SrtpCryptoContext context = sendRtp.get(ssrc);
            if (context == null) {
                context = sendFactory.deriveContext(ssrc, 0);
                sendRtp.put(ssrc, context);
            }
            if (context.transformPacket(sendView.wrap(p)) == SrtpErrorStatus.OK) {
                return true;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            unexpected(e);
        }
        protectFailures++;
        p.setWindow(offset, length);
        return false;
    }

    private boolean protectGcm(PacketBuffer p, int ssrc, int header) {
        int offset = p.offset();
        int length = p.length();
        try {
            RolloverCounter rollover = sendRollover.get(ssrc);
            if (rollover == null) {
                rollover = new RolloverCounter();
                sendRollover.put(ssrc, rollover);
            }
            int seq = (p.getUnsignedByte(2) << 8) | p.getUnsignedByte(3);
            gcmProtector.protect(p, header, rollover.forSequence(seq));
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            unexpected(e);
        }
        protectFailures++;
        p.setWindow(offset, length);
        return false;
    }

    /**
     * Encrypts and authenticates an RTCP compound packet in place; the window grows by
     * {@link SrtpProfile#srtcpOverhead()} (SRTCP index and tag).
     *
     * @return true on success; false (window unchanged) if the packet is malformed or the buffer lacks room
     */
    public boolean protectRtcp(PacketBuffer p) {
        if (closed) {
            return false;
        }
        int offset = p.offset();
        int length = p.length();
        if (length < RTCP_HEADER || !isVersion2(p) || offset + length + profile.srtcpOverhead() > p.capacity()) {
            protectFailures++;
            return false;
        }
        int ssrc = readInt(p, 4);
        try {
            SrtcpCryptoContext context = sendRtcp.get(ssrc);
            if (context == null) {
                context = sendFactory.deriveControlContext(ssrc);
                sendRtcp.put(ssrc, context);
            }
            if (context.transformPacket(sendView.wrap(p)) == SrtpErrorStatus.OK) {
                return true;
            }
        } catch (GeneralSecurityException | RuntimeException e) {
            unexpected(e);
        }
        protectFailures++;
        p.setWindow(offset, length);
        return false;
    }

    /** Received packets that failed authentication. */
    public long authFailures() {
        return authFailures;
    }

    /** Received packets refused as replays, or as too old for the replay window. */
    public long replayedPackets() {
        return replayedPackets;
    }

    /** Received packets too short or otherwise not SRTP/SRTCP. */
    public long malformedPackets() {
        return malformedPackets;
    }

    /** Packets {@code protect*} refused. */
    public long protectFailures() {
        return protectFailures;
    }

    /** Failures jitsi-srtp reported by exception rather than by status; expected to stay zero. */
    long unexpectedErrors() {
        return unexpectedErrors;
    }

    /** Number of SSRCs with a cached receive context for RTP (for tests of the caching rule). */
    int receiveRtpContexts() {
        return receiveRtp.size();
    }

    int receiveRtcpContexts() {
        return receiveRtcp.size();
    }

    /**
     * Wipes the master keys; afterwards every method returns false. Call from the thread that owns the session
     * (or after it stopped using it): contexts in use by another thread are not waited for.
     */
    @Override
    public void close() {
        closed = true;
        receiveFactory.close();
        sendFactory.close();
        receiveRtp.clear();
        receiveRtcp.clear();
        sendRtp.clear();
        sendRtcp.clear();
        if (sendRollover != null) {
            sendRollover.clear();
        }
        spareRtp = null;
        spareRtcp = null;
    }

    private SrtpContextFactory factory(boolean sender, byte[] key, byte[] salt) {
        SrtpPolicy srtp = profile.policy();
        SrtpPolicy srtcp = profile.policy();
        if (sender) {
            srtp.setSendReplayEnabled(false); // retransmissions re-protect identical packets: see the class notes
        }
        return new SrtpContextFactory(sender, key, salt, srtp, srtcp, SrtpCryptoBackend.CONTEXT_LOGGER);
    }

    private SrtpCryptoContext spareRtp() throws GeneralSecurityException {
        if (spareRtp == null) {
            // The SSRC given here only labels jitsi-srtp's log lines; keys and IVs come from the packet.
            spareRtp = receiveFactory.deriveContext(0, 0);
        }
        return spareRtp;
    }

    private SrtcpCryptoContext spareRtcp() throws GeneralSecurityException {
        if (spareRtcp == null) {
            spareRtcp = receiveFactory.deriveControlContext(0);
        }
        return spareRtcp;
    }

    private void countRejection(SrtpErrorStatus status) {
        switch (status) {
            case AUTH_FAIL -> authFailures++;
            case REPLAY_FAIL, REPLAY_OLD -> replayedPackets++;
            default -> malformedPackets++;
        }
    }

    private void unexpected(Exception e) {
        unexpectedErrors++;
        if (!unexpectedErrorLogged) {
            unexpectedErrorLogged = true;
            LOG.warn("jitsi-srtp failed on a packet (logged once per session; counted after)", e);
        }
    }

    private static boolean isVersion2(PacketBuffer p) {
        return (p.getUnsignedByte(0) & 0xC0) == 0x80;
    }

    /**
     * The RTP header's length (CSRCs and extension included) if the packet is version 2 and its header fits, which
     * is what encrypting assumes; -1 otherwise.
     */
    private static int protectableRtpHeader(PacketBuffer p) {
        int length = p.length();
        if (length < RTP_HEADER || !isVersion2(p)) {
            return -1;
        }
        int b0 = p.getUnsignedByte(0);
        int header = RTP_HEADER + 4 * (b0 & 0x0F);
        if ((b0 & 0x10) != 0) {
            if (header + 4 > length) {
                return -1;
            }
            header += 4 + 4 * ((p.getUnsignedByte(header + 2) << 8) | p.getUnsignedByte(header + 3));
        }
        return header <= length ? header : -1;
    }

    private static int readInt(PacketBuffer p, int index) {
        return (p.getUnsignedByte(index) << 24) | (p.getUnsignedByte(index + 1) << 16)
                | (p.getUnsignedByte(index + 2) << 8) | p.getUnsignedByte(index + 3);
    }
}

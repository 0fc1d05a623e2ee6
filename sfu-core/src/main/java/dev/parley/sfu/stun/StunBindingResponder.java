package dev.parley.sfu.stun;

import dev.parley.sfu.stun.StunResponseEncoder.ErrorCode;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Answers ICE connectivity checks as the lite, controlled agent (RFC 8445 section 7.3, RFC 8489).
 *
 * <p>The media socket hands every datagram that {@link #looksLikeStun looks like STUN} to
 * {@link #handle}, which authenticates it against the transport named by the server ufrag in
 * USERNAME and returns either {@link StunResult.Accepted} with the success response to send, or
 * {@link StunResult.Rejected} with the reason and, where RFC 8489 asks for one, an error response.
 * A request that does not verify with the transport's password never yields a success response.
 *
 * <p>Checks run in this order: STUN header, message class and method, attribute structure,
 * FINGERPRINT, MESSAGE-INTEGRITY and USERNAME presence, username form, ufrag, MESSAGE-INTEGRITY value,
 * unknown comprehension-required attributes, PRIORITY, role. Error responses to requests that did
 * not authenticate are only returned when they are no larger than the request, so a forged source
 * address cannot turn the server into an amplifier.
 *
 * <p>Thread-safety: one thread at a time (each media loop and ICE-TCP connection makes its own): it keeps
 * its HMAC-SHA1 {@code Mac} between checks, since looking one up per check cost more than the check. It
 * does not block or log, and allocates only the response and a few small objects per request, which suits
 * STUN's low rate on the media event loop.
 */
public final class StunBindingResponder {
    private final IcePasswordLookup passwords;
    private final StunIntegrity integrity = new StunIntegrity();

    /** @param passwords finds the ice-pwd of the transport owning a server ufrag */
    public StunBindingResponder(IcePasswordLookup passwords) {
        this.passwords = Objects.requireNonNull(passwords, "passwords");
    }

    /**
     * The demultiplexer's cheap first test (RFC 7983): first byte 0..3, at least a STUN header, and
     * the magic cookie 0x2112A442 at bytes 4..7. Returns {@code false} for any range outside
     * {@code buf} rather than throwing.
     */
    public static boolean looksLikeStun(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= 0 && off <= buf.length - len
                && BindingRequestParser.hasStunHeader(buf, off, len);
    }

    /**
     * Decides about one datagram received from {@code from}. Any content is answered with a result,
     * never an exception; exceptions are only for caller mistakes.
     *
     * @param buf  holds the datagram; only {@code [off, off + len)} is read, nothing is written
     * @param from the datagram's source, echoed in XOR-MAPPED-ADDRESS
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not describe a range of {@code buf}
     * @throws IllegalArgumentException  if {@code from} is unresolved
     * @throws NullPointerException      if {@code buf} or {@code from} is null
     */
    public StunResult handle(byte[] buf, int off, int len, InetSocketAddress from) {
        Objects.checkFromIndexSize(off, len, buf.length);
        if (from.getAddress() == null) {
            throw new IllegalArgumentException("source address is unresolved: " + from);
        }
        return switch (BindingRequestParser.parse(buf, off, len)) {
            case ParsedDatagram.Unusable unusable -> new StunResult.Rejected(unusable.reason(), null);
            case BindingRequest request -> answer(request, from);
        };
    }

    private StunResult answer(BindingRequest request, InetSocketAddress from) {
        if (request.integrityOffset() < 0) {
            return unauthenticated(request, StunRejection.MISSING_INTEGRITY, ErrorCode.BAD_REQUEST);
        }
        if (request.usernameOffset() < 0) {
            return unauthenticated(request, StunRejection.MISSING_USERNAME, ErrorCode.BAD_REQUEST);
        }
        IceUsername username = IceUsername.parse(request.buf(), request.usernameOffset(), request.usernameLength());
        if (username == null) {
            return unauthenticated(request, StunRejection.BAD_USERNAME, ErrorCode.UNAUTHENTICATED);
        }
        String password = passwords.passwordFor(username.local());
        if (password == null || password.isEmpty()) {
            return unauthenticated(request, StunRejection.UNKNOWN_UFRAG, ErrorCode.UNAUTHENTICATED);
        }
        byte[] key = password.getBytes(StandardCharsets.UTF_8);
        if (!integrity.verifies(request, key)) {
            return unauthenticated(request, StunRejection.BAD_INTEGRITY, ErrorCode.UNAUTHENTICATED);
        }

        // Authenticated from here on: error responses carry MESSAGE-INTEGRITY so the peer can trust them.
        if (request.unknownRequired().length > 0) {
            return authenticated(request, StunRejection.UNKNOWN_ATTRIBUTE, ErrorCode.UNKNOWN_ATTRIBUTE, key);
        }
        if (request.priority() < 0) {
            return authenticated(request, StunRejection.MISSING_PRIORITY, ErrorCode.BAD_REQUEST, key);
        }
        if (request.iceControlled()) {
            // A lite agent is always controlled and cannot switch, so the full agent must (RFC 8445 7.3.1.1).
            return authenticated(request, StunRejection.ROLE_CONFLICT, ErrorCode.ROLE_CONFLICT, key);
        }
        return new StunResult.Accepted(username.local(), username.remote(), request.useCandidate(),
                request.priority(), StunResponseEncoder.success(request, from, key, integrity));
    }

    private StunResult unauthenticated(BindingRequest request, StunRejection reason, ErrorCode error) {
        byte[] response = StunResponseEncoder.error(request, error, null, integrity);
        return new StunResult.Rejected(reason, response.length <= request.len() ? response : null);
    }

    private StunResult authenticated(BindingRequest request, StunRejection reason, ErrorCode error, byte[] key) {
        return new StunResult.Rejected(reason, StunResponseEncoder.error(request, error, key, integrity));
    }
}

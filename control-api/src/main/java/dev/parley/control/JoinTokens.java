package dev.parley.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.control.InvalidTokenException.Reason;
import dev.parley.control.state.RevocationStore;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Join tokens: HS256 JWTs granting one identity entry to one room. The server signs them for
 * {@code POST /meetings/{id}/join} ({@code iss = "parley"}); integrators sign them offline with an API key's
 * secret ({@code iss} = the key id), like LiveKit access tokens. Claims: {@code iss}, {@code sub} (identity),
 * {@code name}, {@code room}, {@code canPublish}, {@code canSubscribe}, {@code canRecord}, {@code isHost},
 * {@code exp}, optional {@code nbf} and {@code jti}. Absent grants default to publish and subscribe allowed,
 * record and host not.
 */
public final class JoinTokens {
    /** How long server-issued join tokens last. */
    public static final Duration DEFAULT_TTL = Duration.ofHours(6);
    /** The {@code iss} of server-signed tokens. */
    public static final String SERVER_ISSUER = "parley";
    /** Tolerated clock difference with integrators minting tokens on their own machines. */
    static final Duration LEEWAY = Duration.ofSeconds(30);
    static final int MAX_ROOM = 64;
    static final int MAX_IDENTITY = 128;
    static final int MAX_NAME = 100;

    private final byte[] serverKey;
    private final Clock clock;
    private final Function<String, Optional<ApiKeyStore.KeyState>> apiKeys;
    private final RevocationStore revocations;

    JoinTokens(byte[] serverKey, Clock clock, Function<String, Optional<ApiKeyStore.KeyState>> apiKeys, RevocationStore revocations) {
        this.serverKey = serverKey;
        this.clock = clock;
        this.apiKeys = apiKeys;
        this.revocations = revocations;
    }

    /** The claim of server-issued tokens that ties them to the meeting password they were minted under. */
    static final String PASSWORD_STAMP_CLAIM = "pwv";

    /** A verified token with what only the server's own tokens carry. */
    record Verified(JoinGrant grant, boolean serverIssued, String passwordStamp) {}

    /** Signs {@code grant} with the server's own key. */
    String issue(JoinGrant grant) {
        return issue(grant, null);
    }

    /**
     * Signs {@code grant} with the server's own key, stamped with the meeting's password (its hash's digest,
     * see {@link #passwordStamp}) when it has one, so the token stops working when the password changes.
     */
    String issue(JoinGrant grant, String passwordHash) {
        return sign(grant, SERVER_ISSUER, serverKey, passwordHash == null ? null : passwordStamp(passwordHash));
    }

    /**
     * A short digest of a stored password hash. The hash is salted afresh on every change, so even setting
     * the same password again gives a new stamp.
     */
    static String passwordStamp(String passwordHash) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(passwordHash.getBytes(StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(d).substring(0, 22);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * Signs {@code grant} with an API key, as an integrator's backend does (from Java; any JWT library works the
     * same way, see docs/api.md). The secret must be the one returned once by {@code POST /api/v1/api-keys}.
     */
    public static String sign(JoinGrant grant, String apiKeyId, String apiKeySecret) {
        if (apiKeyId == null || apiKeyId.isEmpty() || SERVER_ISSUER.equals(apiKeyId)) {
            throw new IllegalArgumentException("apiKeyId must be an API key id such as PK...");
        }
        byte[] key = apiKeySecret.getBytes(StandardCharsets.UTF_8);
        if (key.length < 32) {
            throw new IllegalArgumentException("apiKeySecret is shorter than 32 bytes; use the secret the server issued");
        }
        return sign(grant, apiKeyId, key, null);
    }

    private static String sign(JoinGrant grant, String issuer, byte[] key, String passwordStamp) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(issuer).subject(grant.identity()).jwtID(UUID.randomUUID().toString())
                .expirationTime(Date.from(grant.expiresAt()))
                .claim("name", grant.name()).claim("room", grant.room())
                .claim("canPublish", grant.canPublish()).claim("canSubscribe", grant.canSubscribe())
                .claim("canRecord", grant.canRecord()).claim("isHost", grant.isHost());
        if (passwordStamp != null) {
            claims.claim(PASSWORD_STAMP_CLAIM, passwordStamp);
        }
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims.build());
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a join token", e);
        }
    }

    /**
     * Whether {@code token} has the shape of a join token (a JWT with a {@code room} claim), as opposed to an
     * account's access token. Nothing is verified: callers then verify it as a join token.
     */
    static boolean isJoinToken(String token) {
        if (token == null || token.length() > 8192) {
            return false;
        }
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getClaim("room") != null;
        } catch (ParseException e) {
            return false;
        }
    }

    /**
     * Verifies {@code token} for entering {@code room}: signer known and not revoked, signature, time window,
     * room and token revocation, in that order, refusing with the first reason that applies.
     */
    public JoinGrant verify(String token, String room) throws InvalidTokenException {
        return verifyForJoin(token, room).grant();
    }

    /** As {@link #verify}, also telling whether the server signed the token and its password stamp. */
    Verified verifyForJoin(String token, String room) throws InvalidTokenException {
        if (token == null || token.isEmpty() || token.length() > 8192) {
            throw new InvalidTokenException(Reason.MALFORMED, "the join token is missing or implausibly long");
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new InvalidTokenException(Reason.MALFORMED, "the join token is not a well-formed signed JWT");
        }
        if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
            throw new InvalidTokenException(Reason.MALFORMED, "join tokens must be signed with HS256, not " + jwt.getHeader().getAlgorithm());
        }
        byte[] key = keyFor(claims.getIssuer());
        try {
            if (!jwt.verify(new MACVerifier(key))) {
                throw new InvalidTokenException(Reason.BAD_SIGNATURE, "the join token's signature does not match its issuer's key");
            }
        } catch (JOSEException e) {
            throw new InvalidTokenException(Reason.BAD_SIGNATURE, "the join token's signature cannot be checked: " + e.getMessage());
        }
        Instant now = clock.instant();
        if (claims.getExpirationTime() == null) {
            throw new InvalidTokenException(Reason.MALFORMED, "the join token has no exp claim");
        }
        Instant exp = claims.getExpirationTime().toInstant();
        if (!now.isBefore(exp.plus(LEEWAY))) {
            throw new InvalidTokenException(Reason.EXPIRED, "the join token expired at " + exp);
        }
        if (claims.getNotBeforeTime() != null && now.plus(LEEWAY).isBefore(claims.getNotBeforeTime().toInstant())) {
            throw new InvalidTokenException(Reason.NOT_YET_VALID, "the join token is not valid before " + claims.getNotBeforeTime().toInstant());
        }
        String tokenRoom = text(claims, "room", MAX_ROOM);
        String identity = claims.getSubject();
        if (identity == null || identity.isEmpty() || identity.length() > MAX_IDENTITY) {
            throw new InvalidTokenException(Reason.MALFORMED, "the join token's sub (identity) must be 1.." + MAX_IDENTITY + " characters");
        }
        if (!tokenRoom.equals(room)) {
            throw new InvalidTokenException(Reason.WRONG_ROOM, "the join token is for another room");
        }
        if (claims.getJWTID() != null && revocations.isRevoked(claims.getJWTID())) {
            throw new InvalidTokenException(Reason.REVOKED, "the join token was revoked");
        }
        String name = claims.getClaim("name") == null ? identity : text(claims, "name", MAX_NAME);
        JoinGrant grant = new JoinGrant(tokenRoom, identity, name, flag(claims, "canPublish", true),
                flag(claims, "canSubscribe", true), flag(claims, "canRecord", false), flag(claims, "isHost", false), exp);
        boolean serverIssued = claims.getIssuer() == null || SERVER_ISSUER.equals(claims.getIssuer());
        Object stamp = claims.getClaim(PASSWORD_STAMP_CLAIM);
        return new Verified(grant, serverIssued, serverIssued && stamp instanceof String st ? st : null);
    }

    private byte[] keyFor(String issuer) throws InvalidTokenException {
        if (issuer == null || SERVER_ISSUER.equals(issuer)) {
            return serverKey;
        }
        ApiKeyStore.KeyState state = apiKeys.apply(issuer).orElseThrow(() -> new InvalidTokenException(Reason.UNKNOWN_KEY,
                "the join token is signed by API key '" + TextRules.printable(issuer) + "', which this server does not know"));
        if (state.revoked()) {
            throw new InvalidTokenException(Reason.REVOKED_KEY, "the join token is signed by API key '" + issuer + "', which was revoked");
        }
        if (state.secret() == null) {
            throw new InvalidTokenException(Reason.UNKNOWN_KEY,
                    "API key '" + issuer + "' has an unreadable secret (was the server secret changed?); issue a new key");
        }
        return state.secret().getBytes(StandardCharsets.UTF_8);
    }

    private static String text(JWTClaimsSet claims, String name, int max) throws InvalidTokenException {
        Object v = claims.getClaim(name);
        if (!(v instanceof String s) || s.isEmpty() || s.length() > max) {
            throw new InvalidTokenException(Reason.MALFORMED, "the join token's " + name + " claim must be a string of 1.." + max + " characters");
        }
        return s;
    }

    private static boolean flag(JWTClaimsSet claims, String name, boolean fallback) throws InvalidTokenException {
        Object v = claims.getClaim(name);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            throw new InvalidTokenException(Reason.MALFORMED, "the join token's " + name + " claim must be true or false");
        }
        return b;
    }
}

package dev.parley.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.control.state.RevocationStore;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * Short-lived (15 min) HS256 access tokens for the REST API. They carry the user id and a token id; the
 * user's current role and state are read from the database on each request, so disabling takes effect at once.
 */
final class AccessTokens {
    static final Duration TTL = Duration.ofMinutes(15);
    static final String AUDIENCE = "parley-api";

    /** What a valid access token says. */
    record Claims(String userId, String tokenId, Instant expiresAt) {}

    private final byte[] key;
    private final Clock clock;
    private final RevocationStore revocations;

    AccessTokens(byte[] key, Clock clock, RevocationStore revocations) {
        this.key = key;
        this.clock = clock;
        this.revocations = revocations;
    }

    /** A signed token and when it expires. */
    record Issued(String token, Instant expiresAt) {}

    Issued issue(String userId) {
        Instant now = clock.instant();
        Instant exp = now.plus(TTL);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .subject(userId).audience(AUDIENCE).jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now)).expirationTime(Date.from(exp)).build();
        return new Issued(sign(claims), exp);
    }

    private String sign(JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new MACSigner(key));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an access token", e);
        }
    }

    /** Checks signature, audience, expiry and revocation; throws the matching 401 problem otherwise. */
    Claims verify(String token) {
        JWTClaimsSet claims;
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                throw invalid("it is not signed with HS256");
            }
            if (!jwt.verify(new MACVerifier(key))) {
                throw invalid("its signature does not match");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw invalid("it is not a well-formed JWT");
        } catch (JOSEException e) {
            throw invalid("its signature cannot be checked");
        }
        List<String> aud = claims.getAudience();
        if (aud == null || !aud.contains(AUDIENCE) || claims.getSubject() == null || claims.getJWTID() == null
                || claims.getExpirationTime() == null) {
            throw invalid("it is not a Parley access token");
        }
        Instant exp = claims.getExpirationTime().toInstant();
        if (!clock.instant().isBefore(exp)) {
            throw new ApiProblem(ProblemType.TOKEN_EXPIRED, "the access token expired at " + exp + "; refresh it with POST /api/v1/auth/refresh");
        }
        if (revocations.isRevoked(claims.getJWTID())) {
            throw invalid("it was revoked (logged out)");
        }
        return new Claims(claims.getSubject(), claims.getJWTID(), exp);
    }

    void revoke(Claims claims) {
        revocations.revoke(claims.tokenId(), claims.expiresAt());
    }

    private static ApiProblem invalid(String why) {
        return new ApiProblem(ProblemType.INVALID_TOKEN, "the access token is not valid: " + why);
    }
}

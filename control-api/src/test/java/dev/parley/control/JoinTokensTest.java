package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.parley.control.InvalidTokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Join token signing and verification, refusal reasons, and a fuzz of the verifier. */
class JoinTokensTest {
    static final Instant NOW = Instant.parse("2030-05-01T12:00:00Z");
    static final byte[] SERVER_KEY = "server-join-key-of-thirty-two-bytes!!".getBytes(StandardCharsets.UTF_8);
    static final String KEY_ID = "PKTESTKEY0000001";
    static final String KEY_SECRET = "integrator-secret-integrator-secret-1234";

    final MemoryState.MutableClock clock = new MemoryState.MutableClock(NOW);
    final MemoryState.Revocations revocations = new MemoryState.Revocations();
    final Map<String, ApiKeyStore.KeyState> keys = new HashMap<>(Map.of(KEY_ID, new ApiKeyStore.KeyState(KEY_SECRET, false)));
    final JoinTokens tokens = new JoinTokens(SERVER_KEY, clock, id -> Optional.ofNullable(keys.get(id)), revocations);

    static JoinGrant grant(String room, Instant exp) {
        return new JoinGrant(room, "user-1", "Ada", true, false, true, false, exp);
    }

    @Test
    void serverAndApiKeySignedTokensVerifyWithTheirGrants() throws Exception {
        JoinGrant g = grant("room-a", NOW.plusSeconds(600));
        assertEquals(g, tokens.verify(tokens.issue(g), "room-a"));
        assertEquals(g, tokens.verify(JoinTokens.sign(g, KEY_ID, KEY_SECRET), "room-a"));
    }

    @Test
    void tokensMintedByAnyJwtLibraryUseDefaultsForAbsentGrants() throws Exception {
        String token = hs256(KEY_SECRET, new JWTClaimsSet.Builder().issuer(KEY_ID).subject("alice")
                .claim("room", "r").expirationTime(Date.from(NOW.plusSeconds(60))).build());
        JoinGrant g = tokens.verify(token, "r");
        assertEquals("alice", g.name(), "name defaults to the identity");
        assertTrue(g.canPublish() && g.canSubscribe());
        assertFalse(g.canRecord() || g.isHost());
    }

    @Test
    void eachRefusalHasItsOwnReason() throws Exception {
        JoinGrant g = grant("room-a", NOW.plusSeconds(600));
        String server = tokens.issue(g);
        String byKey = JoinTokens.sign(g, KEY_ID, KEY_SECRET);

        assertReason(Reason.WRONG_ROOM, server, "room-b");
        assertReason(Reason.BAD_SIGNATURE, JoinTokens.sign(g, KEY_ID, KEY_SECRET + "x"), "room-a");
        assertReason(Reason.UNKNOWN_KEY, JoinTokens.sign(g, "PKNOSUCHKEY00000", KEY_SECRET), "room-a");
        assertReason(Reason.MALFORMED, "garbage", "room-a");
        assertReason(Reason.MALFORMED, "", "room-a");
        assertReason(Reason.MALFORMED, null, "room-a");

        // Tampering with the payload (granting host) breaks the signature.
        String[] parts = server.split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8).replace("\"isHost\":false", "\"isHost\":true");
        assertTrue(payload.contains("\"isHost\":true"));
        assertReason(Reason.BAD_SIGNATURE, parts[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2], "room-a");
        // An unsigned ("alg":"none") token is refused.
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
        assertReason(Reason.MALFORMED, none + "." + parts[1] + ".", "room-a");
        // The same claims signed with another algorithm are refused.
        SignedJWT hs512 = new SignedJWT(new JWSHeader(JWSAlgorithm.HS512), SignedJWT.parse(byKey).getJWTClaimsSet());
        hs512.sign(new MACSigner((KEY_SECRET + KEY_SECRET).getBytes(StandardCharsets.UTF_8)));
        assertReason(Reason.MALFORMED, hs512.serialize(), "room-a");

        clock.advance(Duration.ofSeconds(600).plus(JoinTokens.LEEWAY));
        assertReason(Reason.EXPIRED, server, "room-a");
        assertReason(Reason.EXPIRED, byKey, "room-a");
        clock.set(NOW);

        keys.put(KEY_ID, new ApiKeyStore.KeyState(KEY_SECRET, true));
        assertReason(Reason.REVOKED_KEY, byKey, "room-a");
        assertEquals(g, tokens.verify(server, "room-a"), "revoking a key leaves server tokens alone");

        revocations.revoke(SignedJWT.parse(server).getJWTClaimsSet().getJWTID(), g.expiresAt());
        assertReason(Reason.REVOKED, server, "room-a");
    }

    @Test
    void claimsOfTheWrongShapeAreMalformed() throws Exception {
        Date exp = Date.from(NOW.plusSeconds(60));
        assertReason(Reason.MALFORMED, hs256(KEY_SECRET, new JWTClaimsSet.Builder().issuer(KEY_ID).subject("a").claim("room", "r").build()), "r");
        assertReason(Reason.MALFORMED, hs256(KEY_SECRET, new JWTClaimsSet.Builder().issuer(KEY_ID).claim("room", "r").expirationTime(exp).build()), "r");
        assertReason(Reason.MALFORMED, hs256(KEY_SECRET, new JWTClaimsSet.Builder().issuer(KEY_ID).subject("a").claim("room", 5).expirationTime(exp).build()), "r");
        assertReason(Reason.MALFORMED, hs256(KEY_SECRET, new JWTClaimsSet.Builder().issuer(KEY_ID).subject("a").claim("room", "r")
                .claim("isHost", "yes").expirationTime(exp).build()), "r");
        assertReason(Reason.NOT_YET_VALID, hs256(KEY_SECRET, new JWTClaimsSet.Builder().issuer(KEY_ID).subject("a").claim("room", "r")
                .notBeforeTime(Date.from(NOW.plusSeconds(3600))).expirationTime(Date.from(NOW.plusSeconds(7200))).build()), "r");
        assertThrows(IllegalArgumentException.class, () -> JoinTokens.sign(grant("r", NOW), KEY_ID, "short"));
        assertThrows(IllegalArgumentException.class, () -> JoinTokens.sign(grant("r", NOW), JoinTokens.SERVER_ISSUER, KEY_SECRET));
    }

    /** Mutated tokens (bit flips, truncations, spliced parts, junk) only ever fail with InvalidTokenException. */
    @Test
    void fuzzedTokensAreRefusedCleanly() {
        Random random = new Random(20300501L);
        String[] seeds = {tokens.issue(grant("room-a", NOW.plusSeconds(600))),
                JoinTokens.sign(grant("room-a", NOW.plusSeconds(600)), KEY_ID, KEY_SECRET)};
        int accepted = 0;
        for (int i = 0; i < 15_000; i++) {
            String seed = seeds[i & 1];
            String token = mutate(seed, random);
            try {
                JoinGrant g = tokens.verify(token, "room-a");
                accepted++;
                assertEquals("room-a", g.room());
                assertEquals("user-1", g.identity());
            } catch (InvalidTokenException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
            } catch (RuntimeException | StackOverflowError e) {
                fail("verify threw " + e + " for " + token, e);
            }
        }
        // Only mutations that leave the signed bytes intact (e.g. none applied) may pass.
        assertTrue(accepted < 15_000 / 4, "accepted " + accepted);
    }

    private static String mutate(String token, Random r) {
        byte[] b = token.getBytes(StandardCharsets.US_ASCII);
        return switch (r.nextInt(6)) {
            case 0 -> { // bit flips
                for (int k = 0, n = 1 + r.nextInt(3); k < n; k++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
                yield new String(b, StandardCharsets.ISO_8859_1);
            }
            case 1 -> token.substring(0, r.nextInt(token.length())); // truncation
            case 2 -> { // payload replaced with random JSON-ish base64
                String[] p = token.split("\\.", -1);
                byte[] junk = new byte[r.nextInt(200)];
                r.nextBytes(junk);
                yield p[0] + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(junk) + "." + p[2];
            }
            case 3 -> { // header replaced with a random JSON header
                String[] p = token.split("\\.", -1);
                String[] algs = {"none", "HS256", "RS256", "HS512", "", "ES256"};
                String header = "{\"alg\":\"" + algs[r.nextInt(algs.length)] + "\"" + (r.nextBoolean() ? ",\"crit\":[\"x\"]" : "") + "}";
                yield Base64.getUrlEncoder().withoutPadding().encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + p[1] + "." + p[2];
            }
            case 4 -> { // random dots and characters
                StringBuilder s = new StringBuilder(token);
                for (int k = 0, n = 1 + r.nextInt(4); k < n; k++) {
                    s.insert(r.nextInt(s.length() + 1), r.nextBoolean() ? '.' : (char) r.nextInt(128));
                }
                yield s.toString();
            }
            default -> token;
        };
    }

    private void assertReason(Reason reason, String token, String room) {
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> tokens.verify(token, room));
        assertEquals(reason, e.reason(), e.getMessage());
    }

    private static String hs256(String secret, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
        return jwt.serialize();
    }
}

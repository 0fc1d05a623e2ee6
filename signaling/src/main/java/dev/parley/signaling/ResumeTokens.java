package dev.parley.signaling;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The resume tokens of the participants in rooms: each names one seat, is random (256 bits) and is good for one
 * resume; the seat gets a new one each time it is taken back, and none once it leaves.
 */
final class ResumeTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final ConcurrentHashMap<String, SignalingSession> seats = new ConcurrentHashMap<>();

    /** A new token for {@code seat}. */
    String issue(SignalingSession seat) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        seats.put(token, seat);
        return token;
    }

    /** The seat {@code token} names, which it no longer names from now on; null for an unknown or used token. */
    SignalingSession take(String token) {
        return token == null ? null : seats.remove(token);
    }

    /** Forgets {@code token} (its seat left); harmless for null or a token already used. */
    void revoke(String token) {
        if (token != null) {
            seats.remove(token);
        }
    }

    int size() {
        return seats.size();
    }
}

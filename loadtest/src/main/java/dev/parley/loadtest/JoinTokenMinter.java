package dev.parley.loadtest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs join tokens with an API key, as an integrator's backend does (docs/api.md, "API keys"): an HS256 JWT
 * whose issuer is the key id. The server checks them; nothing here trusts its own output.
 */
final class JoinTokenMinter {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final String keyId;
    private final byte[] secret;

    JoinTokenMinter(String keyId, String secret) {
        this.keyId = keyId;
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** A token admitting {@code identity} to {@code room}, publishing only when {@code canPublish}. */
    String mint(String room, String identity, boolean canPublish, Duration validFor) {
        long exp = Instant.now().plus(validFor).getEpochSecond();
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
        String claims = "{\"iss\":" + quote(keyId) + ",\"sub\":" + quote(identity) + ",\"name\":" + quote(identity)
                + ",\"room\":" + quote(room) + ",\"canPublish\":" + canPublish + ",\"canSubscribe\":true,\"exp\":" + exp + "}";
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static String quote(String s) {
        return SignalingConnection.JSON.getNodeFactory().textNode(s).toString();
    }
}

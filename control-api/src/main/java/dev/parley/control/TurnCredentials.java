package dev.parley.control;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code iceServers} list handed to clients, with time-limited TURN credentials in coturn's
 * {@code use-auth-secret} scheme (the "TURN REST API"): username {@code <expiry unix seconds>:<identity>},
 * credential {@code base64(HMAC-SHA1(secret, username))}.
 */
final class TurnCredentials {
    private final ControlConfig cfg;

    TurnCredentials(ControlConfig cfg) {
        this.cfg = cfg;
    }

    List<Map<String, Object>> iceServers(String identity, Instant now) {
        List<Map<String, Object>> servers = new ArrayList<>();
        if (!cfg.stunUrls().isEmpty()) {
            servers.add(Map.of("urls", cfg.stunUrls()));
        }
        if (!cfg.turnUrls().isEmpty()) {
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("urls", cfg.turnUrls());
            if (cfg.turnSecret() != null) {
                String username = now.plus(cfg.turnTtl()).getEpochSecond() + ":" + identity;
                turn.put("username", username);
                turn.put("credential", credential(cfg.turnSecret(), username));
            }
            servers.add(turn);
        }
        return servers;
    }

    static String credential(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable", e);
        }
    }
}

package dev.parley.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, stable ids for room names in metrics: the first 64 bits of HMAC-SHA256 under a server key, so a
 * dashboard can tell rooms apart without the exposition revealing (or letting anyone guess-check) their names.
 */
final class RoomIds {
    private final SecretKeySpec key;

    RoomIds(byte[] serverKey) {
        this.key = new SecretKeySpec(serverKey, "HmacSHA256");
    }

    String of(String roomName) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            byte[] digest = mac.doFinal(("parley/room-id/" + roomName).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}

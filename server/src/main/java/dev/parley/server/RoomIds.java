package dev.parley.server;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, stable ids for room names in metrics: the first 64 bits of HMAC-SHA256 under a server key, so a
 * dashboard can tell rooms apart without the exposition revealing (or letting anyone guess-check) their names.
 * Ids are remembered (a scrape asks for every live room's id every second); the memory is emptied when it
 * holds more names than {@link #REMEMBERED} so that rooms come and go without it growing.
 */
final class RoomIds {
    static final int REMEMBERED = 4096;
    private final SecretKeySpec key;
    private final ConcurrentHashMap<String, String> ids = new ConcurrentHashMap<>();

    RoomIds(byte[] serverKey) {
        this.key = new SecretKeySpec(serverKey, "HmacSHA256");
    }

    String of(String roomName) {
        String id = ids.get(roomName);
        if (id == null) {
            if (ids.size() >= REMEMBERED) {
                ids.clear();
            }
            id = compute(roomName);
            ids.put(roomName, id);
        }
        return id;
    }

    private String compute(String roomName) {
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

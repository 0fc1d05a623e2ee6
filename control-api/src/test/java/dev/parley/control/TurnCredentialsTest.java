package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The iceServers entry a join hands out: every configured TURN URL, one time-limited credential for all. */
class TurnCredentialsTest {
    private static final List<String> UDP_TCP_TLS = List.of("turn:turn.example.org:3478?transport=udp",
            "turn:turn.example.org:3478?transport=tcp", "turns:turn.example.org:5349?transport=tcp");

    @Test
    void oneCredentialCoversTheUdpTcpAndTlsUrlsUntilTheConfiguredExpiry(@TempDir Path dir) throws Exception {
        ControlConfig cfg = new ControlConfig(dir, null, null, null, null, false, "http://localhost",
                List.of(), UDP_TCP_TLS, "shared-with-coturn", Duration.ofMinutes(20), ControlConfig.DEFAULT_MAX_BODY_BYTES);
        Instant now = Instant.parse("2026-11-27T12:00:00Z");
        List<Map<String, Object>> servers = new TurnCredentials(cfg).iceServers("participant-7", now);

        assertEquals(1, servers.size(), "no STUN entry unless configured");
        Map<String, Object> turn = servers.getFirst();
        assertEquals(UDP_TCP_TLS, turn.get("urls"));
        String username = (String) turn.get("username");
        assertEquals(now.plus(Duration.ofMinutes(20)).getEpochSecond() + ":participant-7", username);
        // coturn's use-auth-secret check, written out here rather than calling the code under test.
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec("shared-with-coturn".getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        assertEquals(Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8))),
                turn.get("credential"));
    }
}

package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code turn/turnserver.conf} run by a real coturn: a client holding a valid TURN REST credential gets
 * a relay, but the relay may not be pointed at private, loopback, link-local, shared or multicast addresses
 * (CreatePermission answers 403), except the one Parley address the test allows the way the file documents it;
 * expired and forged credentials get no relay at all. Only CreatePermission is asked for those addresses: nothing
 * is sent to them, and all traffic stays on 127.0.0.1.
 */
class CoturnPeerRulesTest {
    private static final String SECRET = "coturn-peer-rules-test-secret";
    private static CoturnProcess coturn;

    @BeforeAll
    static void startCoturn() throws Exception {
        coturn = CoturnProcess.start("peer-rules", SECRET);
    }

    @AfterAll
    static void stopCoturn() {
        if (coturn != null) coturn.close();
    }

    @Test
    void theRelayRefusesPrivateAndSpecialAddressesButReachesTheAllowedParleyAddress() throws Exception {
        List<String> denied = List.of("10.0.0.1", "10.255.255.254", "172.16.0.1", "172.31.255.1", "192.168.1.1",
                "169.254.169.254", "100.64.0.1", "127.0.0.2", "127.255.255.254", "0.0.0.1", "192.0.0.8",
                "198.18.0.1", "224.0.0.1", "239.255.255.250", "255.255.255.255");
        String username = usernameUntil(Instant.now().plusSeconds(600));
        try (TurnClient client = new TurnClient(server(), username, password(SECRET, username))) {
            assertEquals(new TurnClient.Answer(true, 0, ""), client.allocate(), "a valid TURN REST credential gets a relay");
            assertEquals(new TurnClient.Answer(true, 0, ""), client.createPermission(InetAddress.getByName("127.0.0.1")),
                    "the address allowed with allowed-peer-ip (Parley's, in the test) is reachable");
            for (String peer : denied) {
                TurnClient.Answer answer = client.createPermission(InetAddress.getByName(peer));
                assertEquals(403, answer.errorCode(), "CreatePermission for " + peer + " must be forbidden, was " + answer);
            }
        }
    }

    @Test
    void anExpiredOrForgedCredentialGetsNoRelay() throws Exception {
        String expired = usernameUntil(Instant.now().minusSeconds(60));
        try (TurnClient client = new TurnClient(server(), expired, password(SECRET, expired))) {
            assertEquals(401, client.allocate().errorCode(), "a credential whose time has passed is refused");
        }
        String username = usernameUntil(Instant.now().plusSeconds(600));
        try (TurnClient client = new TurnClient(server(), username, password("another-secret", username))) {
            assertEquals(401, client.allocate().errorCode(), "a credential made with another secret is refused");
        }
        try (TurnClient client = new TurnClient(server(), username, password(SECRET, username))) {
            assertEquals(true, client.allocate().success(), "the same username with the right password works");
        }
    }

    private static InetSocketAddress server() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), coturn.port());
    }

    private static String usernameUntil(Instant expiry) {
        return expiry.getEpochSecond() + ":coturn-test";
    }

    /** coturn's use-auth-secret password: base64(HMAC-SHA1(secret, username)). */
    private static String password(String secret, String username) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
    }
}

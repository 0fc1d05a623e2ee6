package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.testkit.NginxGateway;
import dev.parley.testkit.TestCertificate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Chromium pages meet through the shipped nginx gateway (nginx/parley.conf, TLS with a test certificate):
 * the meeting page, its scripts and the signaling WebSocket come over https/wss through nginx, media goes
 * straight to Parley's UDP port, and each page decodes the other's video and receives its audio.
 */
class GatewayCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void twoBrowsersMeetThroughTheShippedGateway() throws Exception {
        String room = "gateway-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (ParleyServerProcess server = ParleyServerProcess.start("gateway", null, List.of("--trusted-proxies", "127.0.0.1"));
                NginxGateway nginx = NginxGateway.start(dir.resolve("nginx"), TestCertificate.create(), server.baseUri().getPort(), null);
                HeadlessChromium chromium = HeadlessChromium.launch()) {
            String origin = "https://127.0.0.1:" + nginx.httpsPort;
            try (MeetingPage ada = MeetingPage.join(chromium.newParticipantContextForTestCertificate(origin), room, "Ada");
                    MeetingPage bob = MeetingPage.join(chromium.newParticipantContextForTestCertificate(origin), room, "Bob")) {
                for (MeetingPage page : List.of(ada, bob)) {
                    page.awaitTiles(Set.of("Ada", "Bob"), TIMEOUT);
                }
                ada.awaitMediaFrom(List.of("Bob"), TIMEOUT);
                bob.awaitMediaFrom(List.of("Ada"), TIMEOUT);
                assertTrue(ada.page().url().startsWith(origin + "/meet/"), ada.page().url());
                assertTrue(ada.policyViolations().isEmpty(), "no Content-Security-Policy violations: " + ada.policyViolations());
            }
            String log = nginx.accessLog();
            assertTrue(log.lines().filter(l -> l.contains("GET /ws/signaling") && l.contains("\" 101 ")).count() >= 2,
                    "both signaling sockets were upgraded through nginx:\n" + log);
        }
    }
}

package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/**
 * A subscriber whose downlink is capped at 300 kbit/s gets a low simulcast layer of a publisher and keeps decoding
 * (no freeze over a second), and climbs back to the full layer within 10 s once the cap is lifted.
 *
 * <p>The network is the test's own namespace ({@code ip netns add}, as in {@link IceTcpBrowserTest}): the server
 * and the browsers run in it, and an nftables rule there drops what the server sends to the capped subscriber's
 * port beyond 300 kbit/s ({@code limit rate over}), the port read from that browser's selected candidate pair.
 */
@Disabled("passes alone, not yet under a full CI run on 2 cores: a probe on the capped link can freeze the low"
        + " layer over a second, and the climb back can take over 10 s (docs/bandwidth.md, probing)")
class SimulcastBandwidthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestNetwork network;
    private static ParleyServerProcess server;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void namespaceServerAndBrowser() throws Exception {
        network = TestNetwork.create("simulcast");
        network.nft("add table inet cap");
        network.nft("add chain inet cap out { type filter hook output priority 0; policy accept; }");
        server = ParleyServerProcess.start("simulcast-bandwidth", null, List.of("--simulcast", "true"), network.exec());
        chromium = network.chromium(null);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (chromium != null) chromium.close();
            if (server != null) server.close();
        } finally {
            if (network != null) network.close();
        }
    }

    @Test
    void aCappedSubscriberGetsALowLayerKeepsDecodingAndClimbsBackWhenTheCapLifts() throws Exception {
        String room = "e2e-bw-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = join(room, "Alice");
             MeetingPage bob = join(room, "Bob")) {
            String aliceId = alice.participantId();
            // Bob shows Alice big, so only bandwidth can hold him to a low layer.
            bob.page().evaluate("id => { const v = document.querySelector(`.tile[data-participant-id=\"${id}\"] video`);"
                    + " v.style.setProperty('width', '1280px', 'important');"
                    + " v.style.setProperty('height', '720px', 'important'); }", aliceId);
            await(bob, "Bob decodes Alice's full layer", TIMEOUT, n -> n.path("width").asInt() >= 1000);

            int port = JSON.readTree(bob.evaluateJson("""
                    async () => {
                      const stats = await parley.subscriberConnection.getStats();
                      let pair = null;
                      stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
                      return pair ? stats.get(pair.localCandidateId).port : 0;
                    }""")).asInt();
            assertTrue(port > 0, "Bob's subscriber connection has a selected pair");
            // 300 kbit/s is 37.5 kbytes/s (nft counts bytes).
            network.nft("add rule inet cap out udp dport " + port
                    + " limit rate over 38 kbytes/second drop");

            await(bob, "capped, Bob gets a low layer", TIMEOUT,
                    n -> n.path("width").asInt() > 0 && n.path("width").asInt() <= 400);
            keepsDecoding(bob, Duration.ofSeconds(10));

            network.nft("flush chain inet cap out");
            await(bob, "uncapped, Bob climbs back to the full layer", Duration.ofSeconds(10),
                    n -> n.path("width").asInt() >= 1000);
        }
    }

    /** framesDecoded keeps rising for {@code period}, never standing still for more than a second. */
    private static void keepsDecoding(MeetingPage page, Duration period) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        long frames = -1;
        long changedAt = System.nanoTime();
        while (System.nanoTime() < end) {
            long now = JSON.readTree(page.evaluateJson(DECODING)).path("frames").asLong();
            if (now != frames) {
                frames = now;
                changedAt = System.nanoTime();
            } else if (System.nanoTime() - changedAt > 1_000_000_000L) {
                fail(page.name() + ": the video froze for over a second at " + frames + " frames");
            }
            page.pause(Duration.ofMillis(200));
        }
    }

    /** The width of the frames decoded of the one remote video in the page, and how many. */
    private static final String DECODING = """
                async () => {
                  const v = [...document.querySelectorAll('.tile:not(.self) video')][0];
                  const track = v?.srcObject?.getVideoTracks()[0];
                  if (!track) return {};
                  let frames = 0;
                  (await parley.subscriberConnection.getStats(track)).forEach((s) => {
                    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded ?? 0;
                  });
                  return { width: v.videoWidth, frames };
                }""";

    private static void await(MeetingPage page, String what, Duration timeout, Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(page.evaluateJson(DECODING));
            if (done.test(last)) {
                return;
            }
            page.pause(Duration.ofMillis(500));
        }
        fail(page.name() + ": timed out waiting: " + what + "; last: " + last);
    }

    private static MeetingPage join(String room, String name) {
        MeetingPage page = MeetingPage.open(chromium, server, name);
        try {
            page.page().navigate("/meet/" + room + "?name=" + name + "&prejoin=0");
            page.page().waitForFunction("() => window.parley && window.parley.participantId", null,
                    new Page.WaitForFunctionOptions().setTimeout(TIMEOUT.toMillis()));
            return page;
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }
}

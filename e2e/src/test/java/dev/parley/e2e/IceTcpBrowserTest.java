package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Page;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A browser whose network drops all its UDP joins a call over ICE-TCP and exchanges audio and video with two
 * browsers that use UDP.
 *
 * <p>How the firewall is played, without touching the machine's own network: the test makes a network namespace
 * of its own ({@code ip netns add}) with only a loopback interface, and starts the Parley server
 * ({@code ip netns exec}) and all three Chromiums ({@code e2e/netns/chromium.sh}) in it. Playwright's driver stays
 * outside and talks to the browsers over the pipes they inherit. The blocked browser runs as the unprivileged
 * user nobody (uid 65534), and an nftables rule in the namespace drops every UDP packet that user's sockets send:
 * its UDP candidates gather but no check gets through, exactly as behind a firewall that blocks UDP. The server
 * offers a passive TCP candidate ({@code --media-tcp-port}), and that browser's ICE finds it. Its selected
 * candidate pairs (both peer connections) are checked to be TCP, the others' UDP, and the rule's counter shows
 * the blocked browser did try UDP.
 */
class IceTcpBrowserTest {
    // Generous: three Chromiums and the server share a small, often busy machine, and Carol's ICE first waits for
    // her UDP checks to fail before TCP wins.
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELECTED_PAIRS = """
            async () => {
              const out = {};
              for (const [label, pc] of [['publisher', window.parley.publisherConnection],
                                         ['subscriber', window.parley.subscriberConnection]]) {
                out[label] = null;
                if (!pc) continue;
                const stats = await pc.getStats();
                let pairId = null;
                stats.forEach(s => { if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId; });
                const pair = pairId && stats.get(pairId);
                const local = pair && stats.get(pair.localCandidateId);
                const remote = pair && stats.get(pair.remoteCandidateId);
                if (local && remote) out[label] = local.protocol + ' to ' + remote.protocol + (remote.tcpType ? ' ' + remote.tcpType : '');
              }
              return out;
            }""";

    private static TestNetwork network;
    private static ParleyServerProcess server;
    private static HeadlessChromium open;
    private static HeadlessChromium udpBlocked;

    @BeforeAll
    static void namespaceWithAFirewallServerAndBrowsers() throws Exception {
        network = TestNetwork.create("icetcp");
        network.nft("add table inet firewall");
        network.nft("add chain inet firewall out { type filter hook output priority 0; policy accept; }");
        network.nft("add rule inet firewall out meta skuid " + TestNetwork.NOBODY
                + " meta l4proto udp counter drop");
        server = ParleyServerProcess.start("ice-tcp", null, List.of("--media-tcp-port", "0"),
                network.exec());
        assertTrue(server.mediaTcpPort() > 0, "the server reports its ICE-TCP port");
        open = network.chromium(null);
        udpBlocked = network.chromium(TestNetwork.NOBODY);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (udpBlocked != null) udpBlocked.close();
            if (open != null) open.close();
            if (server != null) server.close();
        } finally {
            if (network != null) network.close();
        }
    }

    @Test
    void aBrowserWithoutUdpJoinsOverIceTcpAndExchangesAudioAndVideoWithTwoOthers() throws Exception {
        String room = "e2e-tcp-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = join(open, room, "Alice");
             MeetingPage bob = join(open, room, "Bob");
             MeetingPage carol = join(udpBlocked, room, "Carol")) {
            carol.awaitMediaFrom(List.of("Alice", "Bob"), TIMEOUT);
            Map<String, String> carolPairs = selectedPairs(carol);
            assertEquals(Map.of("publisher", "tcp to tcp passive", "subscriber", "tcp to tcp passive"), carolPairs,
                    "Carol, whose UDP is dropped, sends and receives over ICE-TCP");
            assertTrue(droppedUdpPackets() > 0, "the firewall dropped Carol's UDP (her browser did try it)");
            // This JVM is outside the namespace: a page inside it reads /metrics.
            String metrics = JSON.readTree(carol.evaluateJson("async () => (await fetch('/metrics', {headers: "
                    + "{Authorization: 'Bearer " + server.metricsToken() + "'}})).text()")).asText();
            Files.writeString(E2eFiles.outputDir().resolve("ice-tcp-metrics.txt"), metrics);
            Matcher accepted = Pattern.compile("parley_ice_tcp_connections_total\\{outcome=\"accepted\"} (\\d+)")
                    .matcher(metrics);
            assertTrue(accepted.find(), "the ICE-TCP counter is in /metrics");
            assertTrue(Integer.parseInt(accepted.group(1)) >= 2, "Carol's two connections were accepted: " + accepted.group());

            alice.awaitMediaFrom(List.of("Bob", "Carol"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice", "Carol"), TIMEOUT);
            assertEquals(Map.of("publisher", "udp to udp", "subscriber", "udp to udp"), selectedPairs(alice),
                    "Alice, whose UDP is not dropped, keeps using UDP");
        }
    }

    /** {@link MeetingPage#join} with this test's longer wait: a cold browser on a busy machine starts slowly. */
    private static MeetingPage join(HeadlessChromium browser, String room, String name) {
        MeetingPage page = MeetingPage.open(browser, server, name);
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

    private static Map<String, String> selectedPairs(MeetingPage page) throws IOException {
        JsonNode pairs = JSON.readTree(page.evaluateJson(SELECTED_PAIRS));
        Map<String, String> out = new HashMap<>();
        pairs.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        return out;
    }

    private static long droppedUdpPackets() throws Exception {
        String rules = network.nft("list chain inet firewall out");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rules);
        assertTrue(m.find(), "the drop rule has a counter: " + rules);
        return Long.parseLong(m.group(1));
    }
}

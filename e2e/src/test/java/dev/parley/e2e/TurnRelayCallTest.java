package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Calls through a real coturn running Parley's shipped {@code turn/turnserver.conf}: two Chromium pages that may
 * only use relayed candidates ({@code iceTransportPolicy: "relay"}, as a browser behind a firewall that lets
 * nothing but TURN out) join with the TURN credentials from Parley's join answer and exchange audio and video,
 * once over TURN/UDP and once over TURN/TCP; the selected candidate pair of every peer connection is a relay
 * candidate of that protocol. With a credential coturn does not accept (Parley configured with another secret)
 * the page gets no relayed candidate, has nothing to connect with, and its client reports the call failed.
 *
 * <p>The relay-only policy is put on the page by a script that wraps {@code RTCPeerConnection} before the client
 * runs, and it also keeps only the TURN URL of the transport under test, which is what a browser whose UDP is
 * blocked is left with.
 */
class TurnRelayCallTest {
    private static final String SECRET = "turn-relay-call-test-secret";
    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration FAILURE_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static CoturnProcess coturn;
    private static ParleyServerProcess server;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws Exception {
        coturn = CoturnProcess.start("relay-call", SECRET);
        server = ParleyServerProcess.start("turn-relay", null, parleyArgs(SECRET));
        chromium = HeadlessChromium.launch();
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) chromium.close();
        } finally {
            try {
                if (server != null) server.close();
            } finally {
                if (coturn != null) coturn.close();
            }
        }
    }

    @Test
    void aRelayOnlyCallOverTurnUdpCarriesAudioAndVideoBothWays() throws Exception {
        callThroughTheRelay("udp");
    }

    @Test
    void aRelayOnlyCallOverTurnTcpCarriesAudioAndVideoBothWays() throws Exception {
        callThroughTheRelay("tcp");
    }

    @Test
    void aCredentialCoturnDoesNotAcceptLeavesTheCallFailed() throws Exception {
        try (ParleyServerProcess wrongSecret = ParleyServerProcess.start("turn-wrong-secret", null,
                parleyArgs("not-" + SECRET));
             MeetingPage alice = joinRelayOnly(wrongSecret, room(), "Alice", "udp")) {
            // With relayed candidates only, a refused allocation leaves nothing to pair; the client says so once
            // gathering is over (browsers themselves leave such a connection "new").
            alice.page().waitForFunction("() => window.parley.connectionState === 'failed'", null,
                    new Page.WaitForFunctionOptions().setTimeout(FAILURE_TIMEOUT.toMillis()).setPollingInterval(250));
            JsonNode candidates = JSON.readTree(alice.evaluateJson(LOCAL_CANDIDATES));
            assertEquals(0, candidates.size(), "coturn gave no relay to a credential made with another secret: " + candidates);
            JsonNode ice = JSON.readTree(alice.evaluateJson("async () => ({ gathering: window.parley.publisherConnection.iceGatheringState,"
                    + " ice: window.parley.publisherConnection.iceConnectionState })"));
            assertEquals("complete", ice.path("gathering").asText(), "gathering ended: " + ice);
            assertTrue(!List.of("connected", "completed").contains(ice.path("ice").asText()), "never connected: " + ice);
            assertTrue(Files.readString(coturn.logFile()).contains("check_stun_auth"),
                    "coturn logged the refused credential");
        }
    }

    private static void callThroughTheRelay(String transport) throws Exception {
        String room = room();
        try (MeetingPage alice = joinRelayOnly(server, room, "Alice", transport);
             MeetingPage bob = joinRelayOnly(server, room, "Bob", transport)) {
            alice.awaitMediaFrom(List.of("Bob"), MEDIA_TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), MEDIA_TIMEOUT);
            for (MeetingPage page : List.of(alice, bob)) {
                JsonNode pairs = JSON.readTree(page.evaluateJson(SELECTED_PAIRS));
                for (String pc : List.of("publisher", "subscriber")) {
                    JsonNode pair = pairs.path(pc);
                    assertEquals("relay", pair.path("localType").asText(), page.name() + "'s " + pc + " pair: " + pair);
                    assertEquals(transport, pair.path("relayProtocol").asText(), page.name() + "'s " + pc + " pair: " + pair);
                    assertEquals(server.mediaPort(), pair.path("remotePort").asInt(),
                            page.name() + "'s " + pc + " relays to Parley's media port: " + pair);
                }
                JsonNode candidates = JSON.readTree(page.evaluateJson(LOCAL_CANDIDATES));
                assertTrue(candidates.size() > 0, page.name() + " gathered relay candidates");
                for (JsonNode c : candidates) {
                    assertEquals("relay", c.path("type").asText(), page.name() + " gathered only relay candidates: " + candidates);
                }
            }
        }
    }

    private static List<String> parleyArgs(String secret) {
        List<String> urls = coturn.urls();
        return List.of("--turn-urls", String.join(",", urls), "--turn-secret", secret, "--turn-ttl", "600");
    }

    private static MeetingPage joinRelayOnly(ParleyServerProcess parley, String room, String name, String transport) {
        MeetingPage meeting = MeetingPage.open(chromium, parley, name);
        try {
            meeting.page().addInitScript(RELAY_ONLY.replace("%TRANSPORT%", transport));
            meeting.page().navigate("/meet/" + room + "?name=" + name + "&prejoin=0");
            meeting.awaitJoined();
            return meeting;
        } catch (RuntimeException e) {
            meeting.close();
            throw e;
        }
    }

    private static String room() {
        return "turn-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    /** Wraps RTCPeerConnection: relayed candidates only, through the TURN URLs of one transport. */
    private static final String RELAY_ONLY = """
            (() => {
              const Native = window.RTCPeerConnection;
              const relayOnly = (config) => {
                const c = Object.assign({}, config || {});
                c.iceTransportPolicy = 'relay';
                c.iceServers = (c.iceServers || [])
                  .map((s) => Object.assign({}, s, { urls: [].concat(s.urls || [])
                    .filter((u) => /^turns?:/.test(u) && u.endsWith('transport=%TRANSPORT%')) }))
                  .filter((s) => s.urls.length > 0);
                return c;
              };
              window.RTCPeerConnection = class extends Native {
                constructor(config, ...rest) { super(relayOnly(config), ...rest); }
                setConfiguration(config) { return super.setConfiguration(relayOnly(config)); }
              };
            })();
            """;

    /** Each peer connection's selected candidate pair: local type and relay protocol, remote address. */
    private static final String SELECTED_PAIRS = """
            async () => {
              const out = {};
              for (const [name, pc] of [['publisher', window.parley.publisherConnection],
                                        ['subscriber', window.parley.subscriberConnection]]) {
                if (!pc) continue;
                const stats = await pc.getStats();
                let pair = null;
                stats.forEach((r) => {
                  if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId);
                });
                if (!pair) continue;
                const local = stats.get(pair.localCandidateId) || {};
                const remote = stats.get(pair.remoteCandidateId) || {};
                out[name] = { localType: local.candidateType, relayProtocol: local.relayProtocol || null,
                              remoteType: remote.candidateType, remoteAddress: remote.address, remotePort: remote.port };
              }
              return out;
            }
            """;

    /** Every local candidate of the page's peer connections, with its type and relay protocol. */
    private static final String LOCAL_CANDIDATES = """
            async () => {
              const out = [];
              for (const pc of [window.parley.publisherConnection, window.parley.subscriberConnection]) {
                if (!pc) continue;
                (await pc.getStats()).forEach((r) => {
                  if (r.type === 'local-candidate') out.push({ type: r.candidateType, relayProtocol: r.relayProtocol || null });
                });
              }
              return out;
            }
            """;
}

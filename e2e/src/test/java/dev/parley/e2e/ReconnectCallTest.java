package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A page loses all its network for five seconds (its media over UDP and its signaling over TCP) and gets it
 * back: it shows "Reconnecting…", resumes its seat on a new signaling socket, restarts ICE, and is the same
 * participant for the server and the other page, whose video from it flows again. Nobody reloads anything.
 *
 * <p>The cut is played as in {@link IceTcpBrowserTest}: the server and both Chromiums run in a network
 * namespace of the test's own; Bob's browser runs as the user nobody. An nftables rule marks the connection
 * (conntrack) of every packet that user's sockets send, so both directions of each of Bob's flows, his UDP
 * media and his WebSocket, carry the mark; a second rule, added for five seconds, drops every marked packet.
 */
class ReconnectCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestNetwork network;
    private static ParleyServerProcess server;
    private static HeadlessChromium open;
    private static HeadlessChromium cuttable;

    @BeforeAll
    static void namespaceServerAndBrowsers() throws Exception {
        network = TestNetwork.create("reconnect");
        network.nft("add table inet reconnect");
        network.nft("add chain inet reconnect tag { type filter hook output priority 0; policy accept; }");
        network.nft("add rule inet reconnect tag meta skuid " + TestNetwork.NOBODY + " ct mark set 1");
        network.nft("add chain inet reconnect cutoff { type filter hook output priority 10; policy accept; }");
        server = ParleyServerProcess.start("reconnect", null, List.of(), network.exec());
        open = network.chromium(null);
        cuttable = network.chromium(TestNetwork.NOBODY);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (cuttable != null) cuttable.close();
            if (open != null) open.close();
            if (server != null) server.close();
        } finally {
            if (network != null) network.close();
        }
    }

    @Test
    void aPageWhoseNetworkDropsForFiveSecondsComesBackAsItselfWithoutReloading() throws Exception {
        String room = "e2e-reconnect-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = join(open, room, "Alice");
             MeetingPage bob = join(cuttable, room, "Bob")) {
            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);
            String bobId = bob.participantId();
            // What Alice's page hears of Bob, and whether Bob's page showed its banner, from here on.
            alice.page().evaluate("() => { window.__heard = [];"
                    + " for (const type of ['participantjoined', 'participantleft', 'participantreconnecting'])"
                    + "   window.parley.addEventListener(type, (e) => window.__heard.push(type + ' '"
                    + "     + (e.detail.participantId ?? e.detail.participant?.id))); }");
            bob.page().evaluate("() => { const banner = document.getElementById('reconnecting-banner');"
                    + " window.__banner = { shown: false, hiddenAgain: false };"
                    + " new MutationObserver(() => { if (!banner.hidden) window.__banner.shown = true;"
                    + "   else if (window.__banner.shown) window.__banner.hiddenAgain = true; })"
                    + "   .observe(banner, { attributes: true }); }");

            network.nft("add rule inet reconnect cutoff ct mark 1 counter drop");
            long restoreAt = System.nanoTime() + CUT.toNanos();
            awaitTrue(bob, "() => window.__banner.shown", "Bob's page shows Reconnecting… while its network is gone", TIMEOUT);
            long left = restoreAt - System.nanoTime();
            if (left > 0) {
                bob.pause(Duration.ofNanos(left)); // the rest of the five seconds without network
            }
            assertTrue(droppedPackets() > 0, "the rule dropped Bob's packets");
            network.nft("flush chain inet reconnect cutoff");

            awaitTrue(bob, "() => window.__banner.hiddenAgain && !window.parley.reconnecting",
                    "Bob's banner goes once media flows again", TIMEOUT);
            assertEquals(bobId, bob.participantId(), "Bob's page is the same participant");
            alice.awaitVideoFrom(List.of("Bob"), TIMEOUT);
            bob.awaitVideoFrom(List.of("Alice"), TIMEOUT);

            JsonNode heard = JSON.readTree(alice.evaluateJson("async () => window.__heard"));
            for (JsonNode event : heard) {
                String e = event.asText();
                assertTrue(e.startsWith("participantreconnecting"), "Alice saw Bob neither leave nor join: " + heard);
            }
            JsonNode ids = JSON.readTree(alice.evaluateJson("async () => [...window.parley.participants.keys()]"));
            assertEquals(1, ids.size(), ids.toString());
            assertEquals(bobId, ids.get(0).asText(), "Alice's page (the server's list) has Bob under the same id");
            alice.awaitTiles(java.util.Set.of("Alice", "Bob"), TIMEOUT);
        }
    }

    private static void awaitTrue(MeetingPage page, String function, String what, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!JSON.readTree(page.evaluateJson("async () => Boolean((" + function + ")())")).asBoolean()) {
            if (System.nanoTime() > deadline) {
                fail(what + ": not within " + timeout.toSeconds() + " s");
            }
            page.pause(Duration.ofMillis(200));
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

    private static long droppedPackets() throws Exception {
        String rules = network.nft("list chain inet reconnect cutoff");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rules);
        assertTrue(m.find(), "the drop rule has a counter: " + rules);
        return Long.parseLong(m.group(1));
    }
}

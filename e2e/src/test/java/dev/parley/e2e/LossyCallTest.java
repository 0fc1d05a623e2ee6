package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Page;
import java.nio.file.Files;
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
 * A call where one browser's network loses 5% of its packets, both ways, and loss recovery (NACK and RFC 4588
 * RTX on both legs, see docs/architecture.md) keeps the video smooth. The server runs with its defaults, so the
 * cameras go out as simulcast layers: the lossy browser's own uplink estimate makes it stop and resume its upper
 * layers, and the clean page's view must not freeze when the layer it gets stops (docs/architecture.md, "A layer
 * that stops").
 *
 * <p>As in {@link IceTcpBrowserTest}, the test makes a network namespace of its own with only a loopback
 * interface and starts the server and both Chromiums in it; the lossy browser runs as the user nobody. nftables
 * rules there mark that user's UDP flows (conntrack) and drop 5% of what it sends (its published media and its
 * RTCP: Parley must NACK it and it answers with RTX) and 5% of what comes back to it (its subscribed media: it
 * NACKs and Parley answers with RTX). The other browser's network is clean.
 *
 * <p>Checked: the clean browser keeps decoding the lossy one's video with no gap over a second between decoded
 * frames; the lossy browser counts retransmissions received ({@code retransmittedPacketsReceived}) and sent
 * ({@code retransmittedPacketsSent}) in getStats; the rules did drop packets; and Parley's /metrics shows the
 * NACKs and the recovered packets.
 */
class LossyCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How long the clean page watches the lossy page's video for freezes. */
    private static final int WATCH_MILLIS = 15_000;

    /** The longest time between two increases of framesDecoded of the remote video, sampled every 50 ms. */
    private static final String LONGEST_FREEZE = """
            async () => {
              const framesDecoded = async () => {
                const pc = window.parley.subscriberConnection;
                let frames = 0;
                if (pc) (await pc.getStats()).forEach(s => {
                  if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0;
                });
                return frames;
              };
              const start = performance.now();
              let last = await framesDecoded();
              let lastRise = start;
              let longest = 0;
              const first = last;
              while (performance.now() - start < %d) {
                await new Promise(r => setTimeout(r, 50));
                const now = performance.now();
                const frames = await framesDecoded();
                if (frames > last) {
                  longest = Math.max(longest, now - lastRise);
                  lastRise = now;
                  last = frames;
                }
              }
              longest = Math.max(longest, performance.now() - lastRise);
              return {longestGapMs: Math.round(longest), framesDecoded: last - first};
            }""".formatted(WATCH_MILLIS);

    /** Retransmission counters of the page's video, both peer connections. */
    private static final String RETRANSMISSIONS = """
            async () => {
              const out = {received: 0, lost: 0, sent: 0};
              const sub = window.parley.subscriberConnection;
              if (sub) (await sub.getStats()).forEach(s => {
                if (s.type === 'inbound-rtp' && s.kind === 'video') {
                  out.received += s.retransmittedPacketsReceived || 0;
                  out.lost += s.packetsLost || 0;
                }
              });
              const pub = window.parley.publisherConnection;
              if (pub) (await pub.getStats()).forEach(s => {
                if (s.type === 'outbound-rtp' && s.kind === 'video') out.sent += s.retransmittedPacketsSent || 0;
              });
              return out;
            }""";

    private static TestNetwork network;
    private static ParleyServerProcess server;
    private static HeadlessChromium clean;
    private static HeadlessChromium lossy;

    @BeforeAll
    static void namespaceWithALossyUserServerAndBrowsers() throws Exception {
        network = TestNetwork.create("lossy");
        network.nft("add table inet loss");
        network.nft("add chain inet loss out { type filter hook output priority 0; policy accept; }");
        network.nft("add chain inet loss in { type filter hook input priority 0; policy accept; }");
        // The lossy browser's flows are marked when it sends (it starts every flow: Parley is ICE-lite), and the
        // loss is played on input: a drop on output fails the sender's sendto (EPERM), which Chromium retries,
        // whereas a packet dropped on input is silently lost, as on a real network.
        network.nft("add rule inet loss out meta skuid " + TestNetwork.NOBODY + " meta l4proto udp ct mark set 1");
        network.nft("add rule inet loss in meta l4proto udp ct mark 1 ct direction original numgen random mod 100 < 5 counter drop");
        network.nft("add rule inet loss in meta l4proto udp ct mark 1 ct direction reply numgen random mod 100 < 5 counter drop");
        server = ParleyServerProcess.start("lossy", null, List.of(), network.exec());
        clean = network.chromium(null);
        lossy = network.chromium(TestNetwork.NOBODY);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (lossy != null) lossy.close();
            if (clean != null) clean.close();
            if (server != null) server.close();
        } finally {
            if (network != null) network.close();
        }
    }

    @Test
    void videoStaysSmoothAndRetransmissionsAreCountedWhenOneBrowserLosesFivePercent() throws Exception {
        String room = "e2e-loss-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = join(clean, room, "Alice");
             MeetingPage carol = join(lossy, room, "Carol")) {
            alice.awaitVideoFrom(List.of("Carol"), TIMEOUT);
            carol.awaitVideoFrom(List.of("Alice"), TIMEOUT);
            Object rids = carol.page().evaluate("() => parley.publisherConnection.getSenders()"
                    + ".find((s) => s.track?.kind === 'video').getParameters().encodings.map((e) => e.rid)");
            assertTrue(rids instanceof List<?> list && list.size() >= 2 && !list.contains(null),
                    "by default Carol's camera goes out as simulcast layers: " + rids);

            JsonNode watch = JSON.readTree(alice.evaluateJson(LONGEST_FREEZE));
            long longestGap = watch.get("longestGapMs").asLong();
            long frames = watch.get("framesDecoded").asLong();
            assertTrue(frames > WATCH_MILLIS / 1000 * 5, "Alice decoded Carol's video: " + watch);
            assertTrue(longestGap <= 1000, "no freeze over a second in Carol's video at Alice: " + watch);

            long[] dropped = droppedPackets();
            assertTrue(dropped[0] > 0 && dropped[1] > 0, "the rules dropped Carol's packets both ways: "
                    + dropped[0] + " out, " + dropped[1] + " in");

            JsonNode rtx = awaitRetransmissions(carol);
            Files.writeString(E2eFiles.outputDir().resolve("lossy-call-stats.txt"), "Alice watching Carol: " + watch
                    + "\nCarol's video retransmissions: " + rtx + "\ndropped by the rules: " + dropped[0] + " sent by Carol, "
                    + dropped[1] + " sent to her\n");
            assertTrue(rtx.get("received").asLong() > 0, "Carol received RTX for her losses: " + rtx);
            assertTrue(rtx.get("sent").asLong() > 0, "Carol answered Parley's NACKs with RTX: " + rtx);

            String metrics = JSON.readTree(alice.evaluateJson("async () => (await fetch('/metrics', {headers: "
                    + "{Authorization: 'Bearer " + server.metricsToken() + "'}})).text()")).asText();
            Files.writeString(E2eFiles.outputDir().resolve("lossy-call-metrics.txt"), metrics);
            for (String counter : List.of("parley_media_nacks_sent_total", "parley_media_packets_recovered_total",
                    "parley_media_retransmissions_received_total", "parley_media_nacks_received_total",
                    "parley_media_retransmissions_sent_total")) {
                assertTrue(counterValue(metrics, counter) > 0, counter + " shows the loss in /metrics");
            }
            // Carol's audio has no retransmissions: its loss stays in her inbound loss count.
            Matcher audioLost = Pattern.compile("(?m)^parley_participant_rtp_packets_lost_total\\{direction=\"inbound\",kind=\"audio\","
                    + "participant=\"" + carol.participantId() + "\"[^}]*} (\\S+)$").matcher(metrics);
            assertTrue(audioLost.find(), "Carol's inbound audio loss is in /metrics");
            assertTrue(Double.parseDouble(audioLost.group(1)) > 0, "Carol's lost audio shows: " + audioLost.group());
        }
    }

    /** Carol's retransmission counters once both have risen (getStats catches up within a second or so). */
    private static JsonNode awaitRetransmissions(MeetingPage page) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        JsonNode rtx = JSON.readTree(page.evaluateJson(RETRANSMISSIONS));
        while ((rtx.get("received").asLong() == 0 || rtx.get("sent").asLong() == 0) && System.nanoTime() < deadline) {
            page.pause(CallPage.POLL);
            rtx = JSON.readTree(page.evaluateJson(RETRANSMISSIONS));
        }
        return rtx;
    }

    private static double counterValue(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        assertTrue(m.find(), name + " is in /metrics");
        return Double.parseDouble(m.group(1));
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

    /** Packets the rules dropped: out (Carol's sends), in (what came back to her). */
    private static long[] droppedPackets() throws Exception {
        String rules = network.nft("list table inet loss");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rules);
        long[] counts = new long[2];
        for (int i = 0; i < 2; i++) {
            assertTrue(m.find(), "both drop rules have a counter: " + rules);
            counts[i] = Long.parseLong(m.group(1));
        }
        return counts;
    }
}

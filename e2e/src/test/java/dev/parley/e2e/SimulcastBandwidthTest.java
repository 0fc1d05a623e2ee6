package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A subscriber whose downlink is capped at 300 kbit/s gets the low simulcast layer of a publisher and keeps
 * decoding it (never standing still for a second), and climbs back to the full layer within 10 s of the cap
 * lifting; another subscriber of the same publisher keeps the full layer throughout (whenever the publisher's
 * Chromium sends it: on a loaded machine its own estimate may pause it for a moment).
 *
 * <p>The network is the test's own namespace ({@link TestNetwork}): the server and the browsers run in it, and an
 * nftables policer there drops what the server sends to the capped subscriber's port beyond 300 kbit/s, the port
 * read from that browser's selected candidate pair. The policer's bucket is 15,000 bytes, a realistic burst for a
 * capped link (a few full packets' worth of a 50 ms feedback interval); the server's probing is built to resist a
 * bucket of a whole second too (docs/bandwidth.md, probing), which its unit tests show on traces.
 */
class SimulcastBandwidthTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Chromium's send-side estimate climbs for a while before the full layer goes out (see SimulcastCallTest). */
    private static final Duration RAMP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration CLIMB = Duration.ofSeconds(10);
    private static final Duration FREEZE = Duration.ofSeconds(1);
    /** A layer choice (once a second) and the keyframe it asks for, with room for a loaded machine. */
    private static final Duration OTHER_SWITCH = Duration.ofSeconds(3);
    /** 300 kbit/s. */
    private static final int CAP_BYTES_PER_SECOND = 37_500;
    private static final int BURST_BYTES = 15_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestNetwork network;
    private static ParleyServerProcess server;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void namespaceServerAndBrowser() throws Exception {
        network = TestNetwork.create("simulcast");
        network.nft("add table inet cap");
        // On the input hook: a drop there is silent, as on a real link (on the output hook the server's send call
        // would fail with EPERM, and a batch of datagrams to other subscribers with it).
        network.nft("add chain inet cap in { type filter hook input priority 0; policy accept; }");
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
    void aCappedSubscriberGetsTheLowLayerKeepsDecodingAndClimbsBackWhenTheCapLifts() throws Exception {
        String room = "e2e-bw-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(chromium, server, room, "Alice");
             MeetingPage bob = MeetingPage.join(chromium, server, room, "Bob");
             MeetingPage carol = MeetingPage.join(chromium, server, room, "Carol")) {
            String aliceId = alice.participantId();
            String carolId = carol.participantId();
            for (MeetingPage page : List.of(alice, bob, carol)) {
                // The publisher connection comes a moment after joining: its video sender, once there.
                page.page().evaluate("""
                        () => { window.videoSender = async () => {
                          for (let i = 0; i < 600; i++) {
                            const s = parley.publisherConnection?.getSenders().find((x) => x.track?.kind === 'video');
                            if (s) return s;
                            await new Promise((r) => setTimeout(r, 100));
                          }
                          throw new Error('no video sender after 60 s');
                        }; }""");
            }
            // A loaded machine must not make Chromium shrink Alice's layers (its CPU adaptation would): what a
            // subscriber gets must say which layer it is. Frames are dropped instead.
            alice.evaluateJson("""
                    async () => {
                      const sender = await videoSender();
                      const p = sender.getParameters();
                      p.degradationPreference = 'maintain-resolution';
                      await sender.setParameters(p);
                      return {};
                    }""");
            // Only Alice's camera is encoded: on a loaded machine, three simulcast encoders (and the decoders of the
            // others' videos) would starve Chromium, and its send-side estimate would drop Alice's upper layers.
            for (MeetingPage subscriber : List.of(bob, carol)) {
                subscriber.evaluateJson("""
                        async () => {
                          const sender = await videoSender();
                          await sender.replaceTrack(null);
                          return {};
                        }""");
            }
            // Both show Alice big, so only bandwidth can hold either to a lower layer; Bob hides Carol, so Alice's
            // video is the only one his capped link carries (and the only one sharing his estimate).
            bob.showVideoAt(aliceId, 1280, 720);
            carol.showVideoAt(aliceId, 1280, 720);
            bob.page().evaluate("id => document.querySelector(`.tile[data-participant-id=\"${id}\"] video`)"
                    + ".style.setProperty('display', 'none', 'important')", carolId);
            await(bob, aliceId, "Bob decodes Alice's full layer", RAMP_TIMEOUT, n -> n.path("width").asInt() >= 1000);
            await(carol, aliceId, "Carol decodes Alice's full layer", RAMP_TIMEOUT, n -> n.path("width").asInt() >= 1000);
            // The first seconds of a subscriber's estimate are its start (it begins at what arrived in the first
            // half second, and a loaded machine's delay may cut it once): the cap comes once both hold the layer.
            holdTheFullLayer(List.of(bob, carol), aliceId, Duration.ofSeconds(5), RAMP_TIMEOUT);

            int port = JSON.readTree(bob.evaluateJson("""
                    async () => {
                      const stats = await parley.subscriberConnection.getStats();
                      let pair = null;
                      stats.forEach((s) => { if (s.type === 'transport' && s.selectedCandidatePairId) pair = stats.get(s.selectedCandidatePairId); });
                      return pair ? stats.get(pair.localCandidateId).port : 0;
                    }""")).asInt();
            assertTrue(port > 0, "Bob's subscriber connection has a selected pair");
            network.nft("add rule inet cap in udp dport " + port + " limit rate over " + CAP_BYTES_PER_SECOND
                    + " bytes/second burst " + BURST_BYTES + " bytes drop");

            await(bob, aliceId, "capped, Bob gets the low layer", TIMEOUT,
                    n -> n.path("width").asInt() > 0 && n.path("width").asInt() <= 400);
            keepsDecodingLow(bob, carol, alice, aliceId, Duration.ofSeconds(15));

            network.nft("flush chain inet cap in");
            long lifted = System.nanoTime();
            await(bob, aliceId, "uncapped, Bob climbs back to the full layer", CLIMB,
                    n -> n.path("width").asInt() >= 1000);
            System.out.printf("SimulcastBandwidthTest: back to the full layer %d ms after the cap lifted%n",
                    (System.nanoTime() - lifted) / 1_000_000);
            JsonNode last = decoding(carol, aliceId);
            assertTrue(last.path("width").asInt() >= 1000, "Carol still decodes the full layer: " + last);
        }
    }

    /**
     * For {@code period}: {@code capped} keeps decoding Alice's low layer, its frames never standing still for more
     * than {@link #FREEZE}, and {@code other} keeps decoding her full layer.
     */
    private static void keepsDecodingLow(MeetingPage capped, MeetingPage other, MeetingPage publisher, String aliceId,
                                         Duration period) throws Exception {
        long end = System.nanoTime() + period.toNanos();
        long frames = -1;
        long changedAt = System.nanoTime();
        long longestStill = 0;
        long otherFrames = -1;
        long otherBelowSince = -1;
        boolean fullPaused = false;
        while (System.nanoTime() < end) {
            JsonNode now = decoding(capped, aliceId);
            long polled = System.nanoTime();
            if (now.path("frames").asLong() != frames) {
                frames = now.path("frames").asLong();
                longestStill = Math.max(longestStill, polled - changedAt);
                changedAt = polled;
            } else if (polled - changedAt > FREEZE.toNanos()) {
                fail(capped.name() + ": the video froze for over a second at " + frames + " frames: " + now);
            }
            int width = now.path("width").asInt();
            assertTrue(width > 0 && width <= 400, capped.name() + " stays on the low layer while capped: " + now);
            JsonNode seen = decoding(other, aliceId);
            if (seen.path("width").asInt() >= 1000) {
                otherBelowSince = -1;
            } else {
                // Chromium's own send-side estimate may pause Alice's full layer on a loaded machine; the server
                // then rightly forwards the next one. Only a full layer that goes out and does not reach the
                // other subscriber (past a choice and a keyframe) is the cap's doing.
                String sent = layers(publisher);
                boolean fullGoesOut = JSON.readTree(sent).path("f").path("fps").asDouble() > 0;
                if (!fullGoesOut) {
                    otherBelowSince = -1;
                    fullPaused = true;
                } else if (otherBelowSince < 0) {
                    otherBelowSince = polled;
                } else if (polled - otherBelowSince > OTHER_SWITCH.toNanos()) {
                    fail(other.name() + " keeps the full layer: " + seen + "; Alice sends " + sent);
                }
            }
            assertTrue(seen.path("frames").asLong() >= otherFrames, seen.toString());
            otherFrames = seen.path("frames").asLong();
            capped.pause(Duration.ofMillis(100));
        }
        System.out.printf("SimulcastBandwidthTest: capped, the longest wait between polls that saw new frames was %d ms%s%n",
                longestStill / 1_000_000, fullPaused ? "; Chromium paused Alice's full layer for a while" : "");
    }

    /** Waits until every page decoded Alice's full layer without a break for {@code steady}. */
    private static void holdTheFullLayer(List<MeetingPage> pages, String aliceId, Duration steady, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long since = System.nanoTime();
        JsonNode last = null;
        while (System.nanoTime() - since < steady.toNanos()) {
            if (System.nanoTime() > deadline) {
                fail("the subscribers never held Alice's full layer for " + steady + "; last: " + last);
            }
            for (MeetingPage page : pages) {
                last = decoding(page, aliceId);
                if (last.path("width").asInt() < 1000) {
                    since = System.nanoTime();
                }
            }
            pages.get(0).pause(Duration.ofMillis(250));
        }
    }

    /** What {@code publisher} sends of each simulcast layer (for failure messages). */
    private static String layers(MeetingPage publisher) {
        return publisher.evaluateJson("""
                async () => {
                  const out = {};
                  (await parley.publisherConnection.getStats()).forEach((s) => {
                    if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid)
                      out[s.rid] = { width: s.frameWidth ?? 0, fps: s.framesPerSecond ?? 0, why: s.qualityLimitationReason };
                  });
                  return out;
                }""");
    }

    /** The width of the frames decoded of {@code id}'s video in {@code page}, and how many. */
    private static JsonNode decoding(MeetingPage page, String id) throws Exception {
        return JSON.readTree(page.evaluateJson(MeetingPage.decodedVideoOf(id)));
    }

    private static void await(MeetingPage page, String id, String what, Duration timeout, Predicate<JsonNode> done)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = decoding(page, id);
            if (done.test(last)) {
                return;
            }
            page.pause(Duration.ofMillis(250));
        }
        fail(page.name() + ": timed out waiting: " + what + "; last: " + last);
    }
}

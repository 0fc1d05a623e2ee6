package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Chromium publishes its 1280x720 fake camera as three simulcast layers; of the same publisher, a subscriber
 * whose page shows a big tile receives the full layer and one whose tile is small a low one, each decoding one
 * stream; the layer nobody needs is paused at the publisher.
 *
 * <p>Chromium's send-side bandwidth estimate starts low and, with receiver reports only, climbs for a while
 * before the full layer goes out: the deadlines allow for that.
 */
class SimulcastCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RAMP_TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final CallFixture call = new CallFixture("simulcast", () -> List.of("--simulcast", "true"));

    @Test
    void eachSubscriberGetsTheLayerItsTileNeeds() throws Exception {
        String room = "e2e-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob");
             MeetingPage carol = MeetingPage.join(call.chromium(), call.server(), room, "Carol")) {
            String aliceId = alice.participantId();

            JsonNode layers = await(alice, "Alice's camera goes out as three layers", TIMEOUT, """
                    async () => {
                      const out = {};
                      (await parley.publisherConnection.getStats()).forEach((s) => {
                        if (s.type === 'outbound-rtp' && s.kind === 'video' && s.rid)
                          out[s.rid] = { width: s.frameWidth ?? 0, bytes: s.bytesSent ?? 0, why: s.qualityLimitationReason, active: s.active };
                        if (s.type === 'candidate-pair' && s.nominated) out.bwe = s.availableOutgoingBitrate ?? -1;
                      });
                      return out;
                    }""", n -> n.size() >= 3 && n.path("q").path("bytes").asLong() > 0
                    && n.path("h").path("bytes").asLong() > 0);
            assertTrue(layers.has("f"), layers.toString());

            bob.showVideoAt(aliceId, 1280, 720);
            carol.showVideoAt(aliceId, 240, 135);

            JsonNode big = await(bob, "the big tile decodes the full layer", RAMP_TIMEOUT, MeetingPage.decodedVideoOf(aliceId),
                    n -> n.path("width").asInt() >= 1000);
            JsonNode small = await(carol, "the small tile decodes a low layer", TIMEOUT, MeetingPage.decodedVideoOf(aliceId),
                    n -> n.path("width").asInt() > 0 && n.path("width").asInt() <= 400 && n.path("frames").asLong() > 0);
            long framesBefore = small.path("frames").asLong();
            await(carol, "the small tile keeps decoding", TIMEOUT, MeetingPage.decodedVideoOf(aliceId),
                    n -> n.path("frames").asLong() > framesBefore + 30 && n.path("width").asInt() <= 400);
            assertTrue(big.path("width").asInt() >= 1000, big.toString());

            // Nobody shows Alice at the middle size now: the page was told to pause that layer.
            await(alice, "the middle layer nobody needs is paused", TIMEOUT, """
                    async () => {
                      const sender = parley.publisherConnection.getSenders().find((s) => s.track?.kind === 'video');
                      const active = {};
                      for (const e of sender.getParameters().encodings) active[e.rid] = e.active;
                      return active;
                    }""", n -> n.path("q").asBoolean() && !n.path("h").asBoolean(true) && n.path("f").asBoolean());

            // A tile that grows climbs only as fast as the subscriber's estimate and probes find room, which a
            // loaded CI machine does not show reliably yet (docs/bandwidth.md): not asserted here.
        }
    }

    private static JsonNode await(MeetingPage page, String what, Duration timeout, String asyncFunction,
                                  Predicate<JsonNode> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            last = JSON.readTree(page.evaluateJson(asyncFunction));
            if (done.test(last)) {
                return last;
            }
            page.pause(Duration.ofMillis(500));
        }
        fail(page.name() + ": timed out waiting: " + what + "; last: " + last);
        return last;
    }
}

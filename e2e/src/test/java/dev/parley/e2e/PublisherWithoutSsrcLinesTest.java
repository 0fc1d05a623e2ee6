package dev.parley.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A publisher whose offer announces no SSRC ({@code a=ssrc} lines absent, as RFC 8843 allows when every packet
 * names its m-section in the mid header extension) is still seen and heard, also by someone who joins later
 * and needs a keyframe from it. The browser here is Chromium with the {@code a=ssrc} lines taken out of its
 * publish offer on the way to the server.
 */
class PublisherWithoutSsrcLinesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    // Removes a=ssrc and a=ssrc-group lines from the offer the page sends in its publish message.
    private static final String STRIP_SSRC_LINES = """
            (() => {
              const send = WebSocket.prototype.send;
              WebSocket.prototype.send = function (data) {
                if (typeof data === 'string' && data.includes('"type":"publish"')) {
                  const message = JSON.parse(data);
                  message.sdp = message.sdp.split('\\r\\n').filter((line) => !line.startsWith('a=ssrc')).join('\\r\\n');
                  window.sentPublishSdp = message.sdp;
                  data = JSON.stringify(message);
                }
                return send.call(this, data);
              };
            })();""";

    @RegisterExtension
    static final CallFixture call = new CallFixture("publisher-without-ssrc");

    @Test
    void aPublisherWhoseOfferAnnouncesNoSsrcIsSeenAndHeard() {
        String room = "nossrc-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.open(call.chromium(), call.server(), "Bob")) {
            bob.page().addInitScript(STRIP_SSRC_LINES);
            bob.page().navigate("/meet/" + room + "?name=Bob&prejoin=0");
            bob.awaitJoined();

            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);
            String sent = bob.evaluateJson("async () => window.sentPublishSdp");
            assertTrue(sent.contains("m=video"), "the page did not record its publish offer: " + sent);
            assertFalse(sent.contains("a=ssrc"), "the offer Parley received still announced SSRCs: " + sent);

            try (MeetingPage carol = MeetingPage.join(call.chromium(), call.server(), room, "Carol")) {
                carol.awaitMediaFrom(List.of("Alice", "Bob"), TIMEOUT);
            }
        }
    }
}

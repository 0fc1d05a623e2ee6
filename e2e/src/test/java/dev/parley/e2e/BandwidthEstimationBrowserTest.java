package dev.parley.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Bandwidth estimation both ways with Chromium. Toward Parley: the browser negotiates transport-cc on its
 * publisher connection and Parley's feedback drives Chrome's own send-side estimate, which the candidate pair's
 * {@code availableOutgoingBitrate} reports. Alice is alone at first, so the REMB Parley sends her is the
 * {@code max-publish-bitrate} cap (no subscriber estimate limits it) and only transport-cc feedback showing her
 * packets arrive lets her estimate climb above Chrome's start rate (300 kbit/s). From Parley: once Bob joins,
 * Chrome's transport-cc feedback on his subscriber connection gives Parley an estimate for him, read from
 * {@code parley_participant_available_bitrate_bps}.
 */
class BandwidthEstimationBrowserTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** Chrome's send-side estimate starts here; above it, feedback has shown the path takes more. */
    private static final double CHROME_START_BITRATE = 300_000;

    private static final String AVAILABLE_OUTGOING_BITRATE = """
            async () => {
              const pc = window.parley.publisherConnection;
              if (!pc) return -1;
              let bitrate = -1;
              (await pc.getStats()).forEach((s) => {
                if (s.type === 'candidate-pair' && s.nominated && s.availableOutgoingBitrate !== undefined) {
                  bitrate = Math.max(bitrate, s.availableOutgoingBitrate);
                }
              });
              return bitrate;
            }""";

    @RegisterExtension
    static final CallFixture call = new CallFixture("bandwidth-estimation");

    @Test
    void parleysFeedbackDrivesTheBrowsersEstimateAndTheBrowsersDrivesParleys() {
        String room = "bwe-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice")) {
            double outgoing = -1;
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (outgoing <= CHROME_START_BITRATE) {
                if (System.nanoTime() > deadline) {
                    fail("Alice's availableOutgoingBitrate is " + outgoing + " after " + TIMEOUT.toSeconds()
                            + " s; Parley's transport-cc feedback should have let it climb above " + CHROME_START_BITRATE);
                }
                alice.pause(CallPage.POLL);
                outgoing = Double.parseDouble(alice.evaluateJson(AVAILABLE_OUTGOING_BITRATE));
            }

            try (MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
                bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);
                String bobId = bob.participantId();
                double serverEstimate = -1;
                deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (serverEstimate <= 0) {
                    if (System.nanoTime() > deadline) {
                        fail("no estimate toward Bob in /metrics after " + TIMEOUT.toSeconds() + " s");
                    }
                    bob.pause(CallPage.POLL);
                    serverEstimate = call.server().metrics().samples().stream()
                            .filter(s -> s.name().equals("parley_participant_available_bitrate_bps")
                                    && bobId.equals(s.labels().get("participant")))
                            .mapToDouble(PrometheusText.Sample::value).max().orElse(-1);
                }
                System.out.printf("Alice's availableOutgoingBitrate %.0f bit/s; Parley's estimate toward Bob %.0f bit/s%n",
                        outgoing, serverEstimate);
            }
        }
    }
}

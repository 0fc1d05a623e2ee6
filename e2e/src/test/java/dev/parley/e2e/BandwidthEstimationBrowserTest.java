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
 * publisher connection, Parley's feedback drives Chrome's own send-side estimate, which the candidate pair's
 * {@code availableOutgoingBitrate} reports and which climbs above Chrome's start rate (300 kbit/s) only on
 * feedback showing its packets arrive. From Parley: Chrome's transport-cc feedback on the subscriber connection
 * gives Parley an estimate for it, read from {@code parley_participant_available_bitrate_bps}.
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
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);

            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            double outgoing = -1;
            double serverEstimate = -1;
            while (System.nanoTime() < deadline) {
                outgoing = Double.parseDouble(alice.evaluateJson(AVAILABLE_OUTGOING_BITRATE));
                String bobId = bob.participantId();
                serverEstimate = call.server().metrics().samples().stream()
                        .filter(s -> s.name().equals("parley_participant_available_bitrate_bps")
                                && bobId.equals(s.labels().get("participant")))
                        .mapToDouble(PrometheusText.Sample::value).max().orElse(-1);
                if (outgoing > CHROME_START_BITRATE && serverEstimate > 0) {
                    System.out.printf("Alice's availableOutgoingBitrate %.0f bit/s; Parley's estimate toward Bob %.0f bit/s%n",
                            outgoing, serverEstimate);
                    return;
                }
                alice.pause(CallPage.POLL);
            }
            fail("after " + TIMEOUT.toSeconds() + " s: Alice's availableOutgoingBitrate " + outgoing
                    + " (needs > " + CHROME_START_BITRATE + "), Parley's estimate toward Bob " + serverEstimate + " (needs > 0)");
        }
    }
}

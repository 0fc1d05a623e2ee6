package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.loadtest.LoadTest;
import dev.parley.loadtest.LoadTestOptions;
import dev.parley.loadtest.LoadTestResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code parley-loadtest --simulcast} against a real Parley on loopback started with {@code --simulcast true}: the
 * publisher's three layers reach each subscriber as one rewritten video stream, numbered without a gap whatever
 * layer it was switched to, and the subscribers' transport-cc feedback gives the server a bandwidth estimate for
 * each of them ({@code parley_participant_available_bitrate_bps}, read by the tool before they leave).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SimulcastLoadTestToolTest {
    private static final int SUBSCRIBERS = 4;

    @RegisterExtension
    static final RunningServer server = RunningServer.perClass("--simulcast", "true");

    @Test
    void layersArriveAsOneStreamPerSubscriberAndFeedbackGivesAnEstimate() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoadTestResult r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = LoadTest.execute(LoadTestOptions.parse("--url", server.base, "--room", "load-simulcast",
                    "--metrics-token", server.generatedMetricsToken(), "--join-timeout", "15s", "--publishers", "1",
                    "--subscribers", String.valueOf(SUBSCRIBERS), "--duration", "4s", "--max-loss", "0", "--simulcast"), out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(output);

        assertEquals(LoadTestResult.OK, r.exitCode(), output);
        assertEquals(1 + SUBSCRIBERS, r.joined(), output);
        assertEquals(0, r.incompleteSubscribers(), output);
        // Each subscriber: the audio and one video SSRC, not one per layer; its numbering has no gap (the rewriter
        // runs it on across layer switches), and every audio packet sent arrived.
        assertTrue(output.contains("by " + SUBSCRIBERS + " subscribers from " + 2 * SUBSCRIBERS + " streams"), output);
        assertEquals(0.0, r.lossPercent(), output);
        assertEquals(0.0, r.undeliveredPercent(), output);
        // Video too, not only audio: 50 audio packets/s, and the lowest layer alone adds 30.
        double perSubscriberPerSecond = r.received() / 4.0 / SUBSCRIBERS;
        assertTrue(perSubscriberPerSecond > 65, "packets/s per subscriber: " + perSubscriberPerSecond + "\n" + output);
        assertTrue(r.serverForwarded() > 0, output);
        // What the tool counted is what the server says it forwarded (probe padding is in neither), within what
        // flows while the server's counters are read at the start (media flows then, after the warm-up).
        long gap = Math.abs(r.received() - r.serverForwarded());
        assertTrue(gap <= Math.max(20, r.serverForwarded() / 33),
                "the tool counted " + r.received() + ", the server forwarded " + r.serverForwarded() + "\n" + output);

        Matcher feedback = Pattern.compile("(\\d+) transport-cc feedbacks \\(([0-9.]+)/s per subscriber\\)").matcher(output);
        assertTrue(feedback.find(), output);
        double perSecond = Double.parseDouble(feedback.group(2));
        assertTrue(perSecond >= 5 && perSecond <= 21, "one feedback per 50-200 ms: " + perSecond + "/s\n" + output);

        Matcher estimate = Pattern.compile("a bandwidth estimate for (\\d+) of (\\d+) participants, lowest ([0-9.]+) Mbit/s")
                .matcher(output);
        assertTrue(estimate.find(), "the server has estimates\n" + output);
        assertEquals(SUBSCRIBERS, Integer.parseInt(estimate.group(1)), "one per subscriber\n" + output);
        assertTrue(Double.parseDouble(estimate.group(3)) > 0.05, output);
    }
}

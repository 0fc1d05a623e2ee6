package dev.parley.e2e;

import com.fasterxml.jackson.core.type.TypeReference;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How long a participant waits from pressing Join to seeing the first frame of someone's camera: a presenter
 * publishes in a room, then viewers join one after another through the pre-join screen, each in a fresh browser
 * context, and the page notes (see {@code join-timing.js}) when the form was submitted, when the server's
 * subscriber offer came, when each connection connected and when the presenter's first video frame was presented
 * on its tile. The figures are printed as {@code JOIN LATENCY} lines (median and p95 over the measured joins, and
 * each join's steps); {@code bench/join-latency.sh} runs this test and prints them.
 */
class JoinLatencyTest {
    /** Joins measured, after one unmeasured join that warms the server and the browser up. */
    private static final int JOINS = Integer.getInteger("parley.joinLatency.joins", 10);
    /** Per step; generous because a CI machine shared by several browser tests can stall a join for many seconds. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String PRESENTER = "Presenter";

    /** Debug logging puts the server's side of each join in its log, with timestamps (see docs/performance.md). */
    @RegisterExtension
    static final CallFixture call = new CallFixture("join-latency", () -> List.of("--log-level", "debug"));

    @Test
    @Timeout(900) // eleven joins on a loaded machine
    void everyViewerSeesThePresentersVideoAndTheTimeToItIsReported() throws IOException {
        String room = "join-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        String timingScript = resource("join-timing.js").replace("%WATCHED%", PRESENTER);
        try (MeetingPage presenter = MeetingPage.join(call.chromium(), call.server(), room, PRESENTER)) {
            presenter.page().waitForFunction("() => window.parley.publisherConnection?.connectionState === 'connected'",
                    null, new Page.WaitForFunctionOptions().setTimeout(TIMEOUT.toMillis()));
            List<Double> firstFrame = new ArrayList<>();
            for (int i = 0; i <= JOINS; i++) {
                Map<String, Double> marks = joinOnce(room, "Viewer" + i, timingScript);
                String steps = steps(marks) + String.format(Locale.ROOT, " (Join pressed at %s)",
                        Instant.ofEpochMilli(Math.round(marks.get("origin") + marks.get("join"))));
                if (i == 0) {
                    System.out.println("JOIN LATENCY warm-up join: " + steps);
                    continue;
                }
                System.out.println("JOIN LATENCY join " + i + " (Viewer" + i + "): " + steps);
                firstFrame.add(marks.get("firstFrame") - marks.get("join"));
            }
            List<Double> sorted = firstFrame.stream().sorted().toList();
            System.out.printf(Locale.ROOT, "JOIN LATENCY join to first decoded frame over %d joins: median %.0f ms, p95 %.0f ms,"
                    + " min %.0f ms, max %.0f ms%n", sorted.size(), quantile(sorted, 0.5), quantile(sorted, 0.95),
                    sorted.getFirst(), sorted.getLast());
            // A frame far later than any join should take on loopback means something waits for a timer (a keyframe
            // request that went unanswered until the next periodic keyframe, a retransmitted handshake flight).
            assertTrue(quantile(sorted, 0.5) < 5_000, "median join to first frame " + quantile(sorted, 0.5) + " ms");
        }
    }

    /** Joins {@code name} through the pre-join screen and returns the page's marks once the first frame is shown. */
    private static Map<String, Double> joinOnce(String room, String name, String timingScript) {
        BrowserContext context = call.chromium().newParticipantContext(call.server().baseUri().toString());
        try {
            context.addInitScript(timingScript);
            Page page = context.newPage();
            page.navigate("/meet/" + room + "?name=" + name);
            page.waitForSelector("#prejoin:not([hidden]) #prejoin-form button[type=submit]:enabled",
                    new Page.WaitForSelectorOptions().setTimeout(TIMEOUT.toMillis()));
            page.click("#prejoin-form button[type=submit]");
            page.waitForFunction("() => window.__joinTiming.marks.firstFrame !== undefined", null,
                    new Page.WaitForFunctionOptions().setTimeout(TIMEOUT.toMillis()));
            String json = (String) page.evaluate(
                    "() => JSON.stringify({ ...window.__joinTiming.marks, origin: window.__joinTiming.origin })");
            return CallPage.Json.MAPPER.readValue(json, new TypeReference<Map<String, Double>>() {});
        } catch (IOException e) {
            throw new IllegalStateException("unreadable join marks", e);
        } finally {
            context.close();
        }
    }

    /** Each mark as milliseconds after the submit, in the order they happened. */
    private static String steps(Map<String, Double> marks) {
        double join = marks.get("join");
        StringBuilder line = new StringBuilder();
        marks.entrySet().stream().sorted(Map.Entry.comparingByValue()).forEach(e -> {
            if (!e.getKey().equals("join") && !e.getKey().equals("origin")) {
                line.append(String.format(Locale.ROOT, "%s %.0f ms, ", e.getKey(), e.getValue() - join));
            }
        });
        return line.isEmpty() ? "" : line.substring(0, line.length() - 2);
    }

    private static double quantile(List<Double> sorted, double p) {
        int rank = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank)));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = JoinLatencyTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

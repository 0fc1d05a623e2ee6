package dev.parley.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One participant's meeting page ({@code /meet/<room>?name=...&prejoin=0}) in its own browser context, and
 * what the tests read from it: tiles, and media statistics through {@code window.parley} (the page's ParleyClient).
 * The page's console goes to {@code e2e/target/browser-<name>-*.log}.
 */
public final class MeetingPage implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(20);
    private static final long POLL_MILLIS = 500;

    private final String name;
    private final BrowserContext context;
    private final Page page;
    private final Writer console;
    private final List<String> policyViolations;

    private MeetingPage(String name, BrowserContext context, Page page, Writer console, List<String> policyViolations) {
        this.name = name;
        this.context = context;
        this.page = page;
        this.console = console;
        this.policyViolations = policyViolations;
    }

    /** Opens the meeting page as {@code name} and waits until the client has joined the room. */
    public static MeetingPage join(HeadlessChromium chromium, ParleyServerProcess server, String room, String name) {
        MeetingPage meeting = open(chromium, server, name);
        try {
            meeting.page.navigate("/meet/" + room + "?name=" + name + "&prejoin=0");
            meeting.awaitJoined();
            return meeting;
        } catch (RuntimeException e) {
            meeting.close();
            throw e;
        }
    }

    /**
     * A fresh browser context and blank page for {@code name}, its console logged, for flows that reach the
     * meeting another way (signing in, a meetings list); call {@link #awaitJoined()} once it joins.
     */
    public static MeetingPage open(HeadlessChromium chromium, ParleyServerProcess server, String name) {
        BrowserContext context = chromium.newParticipantContext(server.baseUri().toString());
        Page page = context.newPage();
        Writer console = openConsoleLog(name);
        List<String> violations = new CopyOnWriteArrayList<>();
        page.onConsoleMessage(message -> {
            write(console, message.type() + ": " + message.text());
            if (message.text().contains("Content Security Policy")) {
                violations.add(message.text());
            }
        });
        page.onPageError(error -> write(console, "pageerror: " + error));
        return new MeetingPage(name, context, page, console, violations);
    }

    /** Waits until the page's client ({@code window.parley}) has joined its room. */
    public void awaitJoined() {
        page.waitForFunction("() => window.parley && window.parley.participantId", null,
                new Page.WaitForFunctionOptions().setTimeout(JOIN_TIMEOUT.toMillis()));
    }

    /** The participant id the server gave this page's client in {@code joined}. */
    public String participantId() {
        return (String) page.evaluate("() => window.parley.participantId");
    }

    /** What the browser refused to load or run under the server's Content-Security-Policy, as it logged it. */
    public List<String> policyViolations() {
        return List.copyOf(policyViolations);
    }

    /** The display name this page joined with. */
    public String name() {
        return name;
    }

    /** The Playwright page, for what this class does not cover. */
    public Page page() {
        return page;
    }

    /** Names on the tiles shown (self included), from their {@code data-participant-name} attributes. */
    public Set<String> tileNames() {
        List<?> names = (List<?>) page.evaluate(
                "() => [...document.querySelectorAll('.tile[data-participant-id]')].map(t => t.dataset.participantName)");
        Set<String> result = new TreeSet<>();
        for (Object n : names) result.add(String.valueOf(n));
        return result;
    }

    /** Waits until exactly these names are on tiles. */
    public void awaitTiles(Set<String> expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> shown = tileNames();
        while (!shown.equals(new TreeSet<>(expected))) {
            if (System.nanoTime() > deadline) {
                fail(name + "'s page shows tiles " + shown + ", expected " + new TreeSet<>(expected)
                        + " within " + timeout.toSeconds() + " s");
            }
            page.waitForTimeout(POLL_MILLIS);
            shown = tileNames();
        }
    }

    /** Receive statistics of this page by remote participant name. */
    public Map<String, ReceiverStats> receiverStatsByName() {
        String json = (String) page.evaluate("async () => JSON.stringify(await window.parley.receiverStats())");
        try {
            Map<String, ReceiverStats> byId = JSON.readValue(json, new TypeReference<Map<String, ReceiverStats>>() {});
            Map<String, ReceiverStats> byName = new HashMap<>();
            for (ReceiverStats stats : byId.values()) byName.put(stats.name(), stats);
            return byName;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("receiverStats() returned unreadable JSON: " + json, e);
        }
    }

    /** Waits until video frames are decoded and audio arrives from each of {@code senders}, between two polls. */
    public Map<String, ReceiverStats> awaitMediaFrom(Collection<String> senders, Duration timeout) {
        return awaitRising(senders, timeout, ReceiverStats::mediaRoseSince, "video frames and audio");
    }

    /** Waits until video frames are decoded from each of {@code senders}, between two polls. */
    public Map<String, ReceiverStats> awaitVideoFrom(Collection<String> senders, Duration timeout) {
        return awaitRising(senders, timeout, ReceiverStats::videoRoseSince, "video frames");
    }

    private Map<String, ReceiverStats> awaitRising(Collection<String> senders, Duration timeout,
                                                   BiPredicate<ReceiverStats, ReceiverStats> rose, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, ReceiverStats> previous = receiverStatsByName();
        while (true) {
            page.waitForTimeout(POLL_MILLIS);
            Map<String, ReceiverStats> current = receiverStatsByName();
            boolean all = true;
            for (String sender : senders) {
                ReceiverStats before = previous.get(sender);
                ReceiverStats now = current.get(sender);
                all &= before != null && now != null && rose.test(now, before);
            }
            if (all) return current;
            if (System.nanoTime() > deadline) {
                fail(name + " did not receive rising " + what + " from " + senders + " within "
                        + timeout.toSeconds() + " s; last two polls: " + previous + " then " + current);
            }
            previous = current;
        }
    }

    /** The server's SDP answer on the publisher connection (carries the server's ICE ufrag and password). */
    public String publisherRemoteSdp() {
        return (String) page.evaluate("() => window.parley.publisherConnection.remoteDescription.sdp");
    }

    /** Our own offer on the publisher connection. */
    public String publisherLocalSdp() {
        return (String) page.evaluate("() => window.parley.publisherConnection.localDescription.sdp");
    }

    /** Presses the leave button and waits for the "you left" screen. */
    public void clickLeave() {
        page.click("#leave");
        page.waitForSelector("#ended:not([hidden])", new Page.WaitForSelectorOptions().setTimeout(10_000));
    }

    /** Saves a screenshot of the page. */
    public void screenshot(Path file) {
        page.screenshot(new Page.ScreenshotOptions().setPath(file));
    }

    /** Closes the page and its browser context (the WebSocket closes with it). */
    @Override
    public void close() {
        try {
            context.close();
        } finally {
            try {
                console.close();
            } catch (IOException ignored) {
                // The console log is only a debugging aid.
            }
        }
    }

    private static Writer openConsoleLog(String name) {
        try {
            Path dir = E2eFiles.outputDir();
            Files.createDirectories(dir);
            return Files.newBufferedWriter(dir.resolve("browser-" + name + "-" + System.nanoTime() + ".log"),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Writer writer, String line) {
        try {
            writer.write(line);
            writer.write('\n');
            writer.flush();
        } catch (IOException ignored) {
            // The console log is only a debugging aid.
        }
    }
}

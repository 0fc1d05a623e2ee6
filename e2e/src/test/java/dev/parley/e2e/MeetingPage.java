package dev.parley.e2e;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import dev.parley.testkit.Eventually;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;


/**
 * One participant's meeting page ({@code /meet/<room>?name=...&prejoin=0}) in its own browser context, and
 * what the tests read from it: tiles, and media statistics through {@code window.parley} (the page's ParleyClient).
 * The page's console goes to {@code e2e/target/browser-<name>-*.log}.
 */
public final class MeetingPage implements CallPage {
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(20);

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
        return open(chromium.newParticipantContext(server.baseUri().toString()), name);
    }

    /**
     * Opens the meeting page as {@code name} in {@code context} (whose base URL is the site, e.g. a TLS gateway in
     * front of the server) and waits until the client has joined the room.
     */
    public static MeetingPage join(BrowserContext context, String room, String name) {
        MeetingPage meeting = open(context, name);
        try {
            meeting.page.navigate("/meet/" + room + "?name=" + name + "&prejoin=0");
            meeting.awaitJoined();
            return meeting;
        } catch (RuntimeException e) {
            meeting.close();
            throw e;
        }
    }

    private static MeetingPage open(BrowserContext context, String name) {
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

    /**
     * Waits until this page sends camera frames: its publisher connection is connected and has encoded video.
     * (Polled with {@code evaluate}, which awaits the stats; {@code waitForFunction} would take the promise itself
     * for a truthy answer.)
     */
    public void awaitPublishingVideo(Duration timeout) {
        Eventually.await(timeout, name + " sending camera frames", () -> Boolean.TRUE.equals(page.evaluate(
                "async () => { const pc = window.parley?.publisherConnection;"
                        + " if (!pc || pc.connectionState !== 'connected') return false; let frames = 0;"
                        + " (await pc.getStats()).forEach((s) => {"
                        + " if (s.type === 'outbound-rtp' && s.kind === 'video') frames += s.framesEncoded || 0; });"
                        + " return frames > 0; }")));
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
    @Override
    public String name() {
        return name;
    }

    /** The Playwright page, for what this class does not cover. */
    public Page page() {
        return page;
    }

    @Override
    public String evaluateJson(String asyncFunction) {
        return (String) page.evaluate("async () => JSON.stringify(await (" + asyncFunction + ")())");
    }

    @Override
    public void pause(Duration duration) {
        page.waitForTimeout(duration.toMillis());
    }

    /** The server's SDP answer on the publisher connection (carries the server's ICE ufrag and password). */
    public String publisherRemoteSdp() {
        return (String) page.evaluate("() => window.parley.publisherConnection.remoteDescription.sdp");
    }

    /** Our own offer on the publisher connection. */
    public String publisherLocalSdp() {
        return (String) page.evaluate("() => window.parley.publisherConnection.localDescription.sdp");
    }

    /**
     * Fixes the size of the video element on {@code participantId}'s tile, as a layout would; the page's
     * ResizeObserver tells the server the size the tile is rendered at.
     */
    public void showVideoAt(String participantId, int width, int height) {
        page.evaluate("([id, w, h]) => {"
                + " const v = document.querySelector(`.tile[data-participant-id=\"${id}\"] video`);"
                + " v.style.setProperty('width', w + 'px', 'important');"
                + " v.style.setProperty('height', h + 'px', 'important'); }",
                List.of(participantId, width, height));
    }

    /**
     * JavaScript for {@link #evaluateJson}: the size of the frames decoded of {@code participantId}'s video on its
     * tile and how many were decoded, as {@code {width, height, frames}} ({@code {}} before its track is there).
     */
    public static String decodedVideoOf(String participantId) {
        return """
                async () => {
                  const v = document.querySelector('.tile[data-participant-id="%s"] video');
                  const track = v?.srcObject?.getVideoTracks()[0];
                  if (!track) return {};
                  let frames = 0;
                  (await parley.subscriberConnection.getStats(track)).forEach((s) => {
                    if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded ?? 0;
                  });
                  return { width: v.videoWidth, height: v.videoHeight, frames };
                }""".formatted(participantId);
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
            return Files.newBufferedWriter(E2eFiles.browserLog(name), StandardCharsets.UTF_8);
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

package dev.parley.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WHIP and WHEP with Chromium. A Chromium page publishes its fake camera and microphone with the RFC 9725 flow
 * (getUserMedia, createOffer, POST /whip/{room}, setRemoteDescription); two meeting pages in the room decode its
 * video and receive its audio like any participant's, and its tile goes when the session is DELETEd. The viewer
 * page /watch/{room} decodes the room's speaker's video over WHEP.
 */
class WhipWhepBrowserTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(25);

    @RegisterExtension
    static final CallFixture call = new CallFixture("whip-whep");

    private static String room(String prefix) {
        return prefix + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    }

    private static String resource(String name) {
        try (InputStream in = WhipWhepBrowserTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aWhipStreamReachesTwoMeetingPagesAndLeavesOnDelete() {
        String room = room("whip");
        BrowserContext studio = call.chromium().newParticipantContext(call.server().baseUri().toString());
        try (studio;
             MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
            Page page = studio.newPage();
            page.navigate("/");
            Object created = page.evaluate(resource("/whip/whip-publish.js"), List.of(room, "Studio", ""));
            assertTrue(String.valueOf(created).contains("/whip/" + room + "/"), "WHIP POST result: " + created);

            alice.awaitMediaFrom(List.of("Studio"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Studio"), TIMEOUT);
            alice.awaitTiles(Set.of("Alice", "Bob", "Studio"), TIMEOUT);

            Object status = page.evaluate("async () => (await fetch(window.whip.location, { method: 'DELETE' })).status");
            assertEquals(200, ((Number) status).intValue());
            alice.awaitTiles(Set.of("Alice", "Bob"), TIMEOUT);
            bob.awaitTiles(Set.of("Alice", "Bob"), TIMEOUT);
        }
    }

    @Test
    void theWatchPageDecodesTheSpeakersVideo() {
        String room = room("whep");
        BrowserContext viewer = call.chromium().newParticipantContext(call.server().baseUri().toString());
        try (viewer; MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice")) {
            Page page = viewer.newPage();
            page.navigate("/watch/" + room);
            long first = awaitFramesAbove(page, 0);
            awaitFramesAbove(page, first);
            assertEquals(1.0, call.server().metrics().sum("parley_whep_viewers"), "the viewer is counted");
            assertTrue(page.evaluate("() => document.getElementById('stage').muted").equals(Boolean.TRUE),
                    "the page starts muted so that autoplay is allowed");
            page.click("#unmute");
            assertTrue(page.evaluate("() => document.getElementById('stage').muted").equals(Boolean.FALSE));
        }
    }

    /** Waits until the watch page has decoded more than {@code floor} video frames; returns the count. */
    private static long awaitFramesAbove(Page page, long floor) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Object frames = page.evaluate("""
                    async () => {
                      if (!window.parleyWatch) return 0;
                      let n = 0;
                      (await window.parleyWatch.pc.getStats()).forEach((s) => {
                        if (s.type === 'inbound-rtp' && s.kind === 'video') n += s.framesDecoded ?? 0;
                      });
                      return n;
                    }""");
            long n = ((Number) frames).longValue();
            if (n > floor) {
                return n;
            }
            if (System.nanoTime() > deadline) {
                fail("the watch page decoded " + n + " video frames, not more than " + floor + ", within " + TIMEOUT);
            }
            page.waitForTimeout(CallPage.POLL.toMillis());
        }
    }
}

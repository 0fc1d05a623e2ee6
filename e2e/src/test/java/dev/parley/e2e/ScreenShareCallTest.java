package dev.parley.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Screen share between two Chromium meeting pages: Ada presses "Share screen" (headless Chromium picks a
 * screen unattended under {@code --use-fake-ui-for-media-stream}, and {@code --use-fake-device-for-media-stream}
 * makes it a generated picture), Bob's page shows it large on the stage and decodes its frames while Ada's
 * camera tile keeps decoding; when Ada stops (the button, or the browser's own "Stop sharing", which ends the
 * track), the stage tile leaves Bob's page. A picker that refuses
 * ({@code --use-fake-ui-for-media-stream=deny}) leaves a readable message on the page.
 */
class ScreenShareCallTest {
    private static final Duration MEDIA_TIMEOUT = Duration.ofSeconds(30);
    private static final LocatorAssertions.IsVisibleOptions VISIBLE = new LocatorAssertions.IsVisibleOptions().setTimeout(20_000);

    @RegisterExtension
    static final CallFixture call = new CallFixture("screen-share");

    /** Frames decoded by the receiver of the track shown in the first {@code video} matching {@code selector}; -1 without one. */
    private static final String FRAMES_OF_VIDEO = """
            async (selector) => {
              const track = document.querySelector(selector)?.srcObject?.getVideoTracks()[0];
              const receiver = track && window.parley.subscriberConnection?.getReceivers().find((r) => r.track === track);
              if (!receiver) return -1;
              let frames = 0;
              (await receiver.getStats()).forEach((s) => { if (s.type === 'inbound-rtp') frames += s.framesDecoded ?? 0; });
              return frames;
            }""";

    @Test
    void aSharedScreenShowsLargeOnTheOthersPageAndLeavesWhenSharingStops() throws Exception {
        String room = "screen-share";
        try (MeetingPage ada = MeetingPage.join(call.chromium(), call.server(), room, "Ada");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
            bob.awaitVideoFrom(List.of("Ada"), MEDIA_TIMEOUT);
            String adaId = ada.participantId();
            String stageVideo = "#screen-stage .screen-tile[data-presenter-id=\"" + adaId + "\"] video";
            String cameraVideo = "#tiles .tile[data-participant-id=\"" + adaId + "\"] video";

            ada.page().click("#share-screen");
            assertThat(ada.page().locator("#share-screen")).hasText("Stop sharing");
            assertThat(ada.page().locator("#screen-stage .screen-tile.self")).isVisible(VISIBLE);

            Locator stage = bob.page().locator("#screen-stage .screen-tile");
            assertThat(stage).isVisible(VISIBLE);
            assertThat(stage.locator(".name")).hasText("Ada is presenting");
            assertTrue(bob.page().locator(".stage").getAttribute("class").contains("presenting"), "the page is in presenting layout");
            awaitFramesRising(bob, stageVideo, "Ada's screen on Bob's stage");
            awaitFramesRising(bob, cameraVideo, "Ada's camera tile on Bob's page");
            assertEquals(Set.of("Ada", "Bob"), bob.tileNames(), "the screen is not a camera tile");
            JsonNode stats = CallPage.Json.MAPPER.readTree(bob.evaluateJson("async () => window.parley.receiverStats()")).get(adaId);
            assertTrue(stats.get("screenFramesDecoded").asLong() > 0, "receiverStats counts the screen apart: " + stats);
            assertTrue(stats.get("videoFramesDecoded").asLong() > 0, stats.toString());

            // The stage is large and the camera tiles small.
            double stageWidth = bob.page().locator("#screen-stage").boundingBox().width;
            double tileWidth = bob.page().locator("#tiles .tile").first().boundingBox().width;
            assertTrue(stageWidth > 2 * tileWidth, "stage " + stageWidth + " px wide, a camera tile " + tileWidth + " px");
            bob.screenshot(E2eFiles.outputDir().resolve("screen-share-bob.png"));

            // Ada's sender follows the screen policy (docs/browsers.md).
            JsonNode policy = CallPage.Json.MAPPER.readTree(ada.evaluateJson("""
                    async () => {
                      const sender = window.parley.publisherConnection.getSenders().find((s) => s.track === window.parley.screenTrack);
                      const p = sender.getParameters();
                      return { hint: sender.track.contentHint, degradation: p.degradationPreference ?? null,
                               fps: p.encodings[0].maxFramerate, bitrate: p.encodings[0].maxBitrate };
                    }"""));
            assertEquals("detail", policy.get("hint").asText(), policy.toString());
            assertEquals(15, policy.get("fps").asInt(), policy.toString());
            assertEquals(3_000_000, policy.get("bitrate").asInt(), policy.toString());
            assertEquals("maintain-resolution", policy.get("degradation").asText(), policy.toString());

            ada.page().click("#share-screen");
            assertThat(ada.page().locator("#share-screen")).hasText("Share screen");
            assertThat(stage).hasCount(0, new LocatorAssertions.HasCountOptions().setTimeout(20_000));
            assertThat(bob.page().locator("#screen-stage")).isHidden();
            awaitFramesRising(bob, cameraVideo, "Ada's camera after the share stopped");

            // Sharing again works: a new section, one screen.
            ada.page().click("#share-screen");
            assertThat(stage).isVisible(VISIBLE);
            awaitFramesRising(bob, stageVideo, "Ada's second share on Bob's stage");

            // The browser's own "Stop sharing" ends the track (the event a page cannot cause with stop()).
            ada.page().evaluate("() => window.parley.screenTrack.dispatchEvent(new Event('ended'))");
            assertThat(ada.page().locator("#share-screen")).hasText("Share screen");
            assertThat(stage).hasCount(0, new LocatorAssertions.HasCountOptions().setTimeout(20_000));
            assertEquals(0, ada.policyViolations().size() + bob.policyViolations().size(),
                    "CSP violations: " + ada.policyViolations() + bob.policyViolations());
        }
    }

    @Test
    void aRefusedPickerLeavesAReadableMessage() {
        try (HeadlessChromium denying = HeadlessChromium.launch(List.of("--use-fake-ui-for-media-stream=deny"));
             MeetingPage cy = MeetingPage.join(denying, call.server(), "screen-refused", "Cy")) {
            cy.page().click("#share-screen");
            Locator error = cy.page().locator("#share-error");
            assertThat(error).isVisible(VISIBLE);
            assertThat(error).containsText("cancelled or not allowed");
            assertThat(cy.page().locator("#share-screen")).hasText("Share screen");
            assertThat(cy.page().locator("#share-screen")).isEnabled();
            assertThat(cy.page().locator("#screen-stage")).isHidden();
        }
    }

    /** Waits until the frames decoded for the video at {@code selector} rise between two polls. */
    private static void awaitFramesRising(MeetingPage page, String selector, String what) {
        long deadline = System.nanoTime() + MEDIA_TIMEOUT.toNanos();
        long before = frames(page, selector);
        while (true) {
            page.pause(CallPage.POLL);
            long now = frames(page, selector);
            if (before > 0 && now > before) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(what + ": frames decoded did not rise within " + MEDIA_TIMEOUT.toSeconds() + " s (" + before + " then " + now + ")");
            }
            before = now;
        }
    }

    private static long frames(MeetingPage page, String selector) {
        return ((Number) page.page().evaluate(FRAMES_OF_VIDEO, selector)).longValue();
    }
}

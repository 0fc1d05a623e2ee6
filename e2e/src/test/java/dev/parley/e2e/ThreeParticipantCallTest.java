package dev.parley.e2e;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.assertions.LocatorAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Three browsers in one room through a real Parley server: everyone decodes everyone else's video and receives
 * their audio, tiles carry the right names, mute and camera-off reach the others, and someone who leaves
 * disappears from the others' grids and can come back with media flowing again both ways.
 */
class ThreeParticipantCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Set<String> EVERYONE = Set.of("Alice", "Bob", "Carol");

    @RegisterExtension
    static final CallFixture call = new CallFixture("three-participants");

    @Test
    void everyoneSeesAndHearsEveryoneAndALeaverCanComeBack() {
        String room = "e2e-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
            try (MeetingPage carol = MeetingPage.join(call.chromium(), call.server(), room, "Carol")) {
                List<MeetingPage> all = List.of(alice, bob, carol);
                for (MeetingPage page : all) page.awaitTiles(EVERYONE, TIMEOUT);
                for (MeetingPage page : all) page.awaitMediaFrom(othersThan(page, EVERYONE), TIMEOUT);
                alice.screenshot(E2eFiles.outputDir().resolve("call.png"));
                perParticipantMediaIsInMetrics(all);
                for (MeetingPage page : all) {
                    assertEquals(List.of(), page.policyViolations(), page.name() + ": the client runs under the server's CSP");
                }

                carol.clickLeave();
            }
            Set<String> remaining = Set.of("Alice", "Bob");
            alice.awaitTiles(remaining, TIMEOUT);
            bob.awaitTiles(remaining, TIMEOUT);
            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);

            try (MeetingPage carolAgain = MeetingPage.join(call.chromium(), call.server(), room, "Carol")) {
                List<MeetingPage> all = List.of(alice, bob, carolAgain);
                for (MeetingPage page : all) page.awaitTiles(EVERYONE, TIMEOUT);
                for (MeetingPage page : all) page.awaitMediaFrom(othersThan(page, EVERYONE), TIMEOUT);

                muteAndCameraOffReachTheOthers(bob, List.of(alice, carolAgain));
            }
        }
    }

    // Network engineers read each participant's media in Prometheus: every one publishes video to Parley,
    // receives the others' video from it, and has a round-trip time from its receiver reports. Series are
    // labelled by the participant id the server made, and carry neither the room name nor display names.
    private static void perParticipantMediaIsInMetrics(List<MeetingPage> pages) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        String missing = "";
        while (System.nanoTime() < deadline) {
            PrometheusText metrics = call.server().metrics();
            missing = "";
            for (MeetingPage page : pages) {
                String id = page.participantId();
                for (String direction : List.of("inbound", "outbound")) {
                    double bytes = metrics.samples().stream()
                            .filter(s -> s.name().equals("parley_participant_rtp_bytes_total")
                                    && id.equals(s.labels().get("participant"))
                                    && "video".equals(s.labels().get("kind"))
                                    && direction.equals(s.labels().get("direction")))
                            .mapToDouble(PrometheusText.Sample::value).sum();
                    if (bytes <= 0) {
                        missing += " " + page.name() + "/" + direction;
                    }
                }
                boolean rttKnown = metrics.samples().stream()
                        .anyMatch(s -> s.name().equals("parley_participant_rtt_seconds")
                                && id.equals(s.labels().get("participant"))
                                && s.value() >= 0 && s.value() < 1);
                if (!rttKnown) {
                    missing += " " + page.name() + "/rtt";
                }
            }
            boolean userTextInLabels = metrics.samples().stream()
                    .anyMatch(s -> s.labels().containsKey("name") || s.labels().containsKey("room_name"));
            if (userTextInLabels) {
                throw new AssertionError("display or room names in the default metrics labels");
            }
            if (missing.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("per-participant metrics missing for" + missing);
    }

    // Bob mutes and turns his camera off: the others show the muted-mic indicator and the camera-off
    // placeholder on his tile; turning both back on clears them.
    private static void muteAndCameraOffReachTheOthers(MeetingPage bob, List<MeetingPage> others) {
        bob.page().click("#mic");
        bob.page().click("#cam");
        for (MeetingPage page : others) {
            Locator tile = page.page().locator(".tile[data-participant-name='Bob']");
            assertThat(tile.locator(".mic-off")).isVisible(visibleWithin());
            assertThat(tile.locator(".placeholder")).isVisible(visibleWithin());
        }
        bob.page().click("#mic");
        bob.page().click("#cam");
        for (MeetingPage page : others) {
            Locator tile = page.page().locator(".tile[data-participant-name='Bob']");
            assertThat(tile.locator(".mic-off")).isHidden(hiddenWithin());
            assertThat(tile.locator(".placeholder")).isHidden(hiddenWithin());
        }
    }

    private static LocatorAssertions.IsVisibleOptions visibleWithin() {
        return new LocatorAssertions.IsVisibleOptions().setTimeout(TIMEOUT.toMillis());
    }

    private static LocatorAssertions.IsHiddenOptions hiddenWithin() {
        return new LocatorAssertions.IsHiddenOptions().setTimeout(TIMEOUT.toMillis());
    }

    private static List<String> othersThan(MeetingPage page, Set<String> everyone) {
        List<String> others = new ArrayList<>(everyone);
        others.remove(page.name());
        return others;
    }
}

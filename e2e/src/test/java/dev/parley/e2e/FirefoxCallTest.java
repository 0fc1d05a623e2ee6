package dev.parley.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Firefox beside Chromium in one call through a real Parley server: Firefox's camera and microphone reach both
 * Chromium pages and Firefox decodes and hears both of them, with Firefox joining between the two, after a
 * Chromium participant leaves and comes back (Firefox's subscriber m-sections are taken over), and after
 * Firefox itself leaves and comes back through the pre-join screen as a new user would (a new Firefox
 * publisher connection, whose tracks take over the m-sections its first one had on the others' side).
 */
class FirefoxCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(25);
    private static final Set<String> EVERYONE = Set.of("Alice", "Fox", "Bob");

    @RegisterExtension
    static final CallFixture call = new CallFixture("firefox-call");

    @Test
    void firefoxAndTwoChromiumPagesSeeAndHearEachOther() throws IOException {
        String room = "firefox-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice")) {
            try (FirefoxPage fox = FirefoxPage.join(call.server(), room, "Fox")) {
                try (MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
                    everyoneSeesAndHearsEveryone(List.of(alice, fox, bob));
                    alice.screenshot(E2eFiles.outputDir().resolve("firefox-call.png"));
                    bob.clickLeave();
                }
                alice.awaitTiles(Set.of("Alice", "Fox"), TIMEOUT);
                fox.awaitTiles(Set.of("Alice", "Fox"), TIMEOUT);
                try (MeetingPage bobAgain = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
                    everyoneSeesAndHearsEveryone(List.of(alice, fox, bobAgain));
                    fox.clickLeave();
                }
            }
            try (MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob");
                 FirefoxPage foxAgain = FirefoxPage.joinThroughPreJoin(call.server(), room, "Fox")) {
                everyoneSeesAndHearsEveryone(List.of(alice, foxAgain, bob));
            }
        }
    }

    private static void everyoneSeesAndHearsEveryone(List<CallPage> pages) {
        for (CallPage page : pages) page.awaitTiles(EVERYONE, TIMEOUT);
        for (CallPage page : pages) {
            List<String> others = new ArrayList<>(EVERYONE);
            others.remove(page.name());
            page.awaitMediaFrom(others, TIMEOUT);
        }
    }
}

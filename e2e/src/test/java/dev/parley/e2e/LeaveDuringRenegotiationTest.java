package dev.parley.e2e;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two participants leave one after the other while the page is still applying the subscriber offer that the
 * first departure caused (that offer still lists the second as sending): the page must end with no tile for
 * either. The browser's {@code setRemoteDescription} is held back by the test to make that moment certain.
 */
class LeaveDuringRenegotiationTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    // Holds the subscriber connection's next setRemoteDescription until window.releaseOffers() is called.
    private static final String HOLD_OFFERS = """
            () => {
              const original = RTCPeerConnection.prototype.setRemoteDescription;
              let release;
              const released = new Promise((resolve) => { release = resolve; });
              window.releaseOffers = release;
              window.heldOffers = 0;
              RTCPeerConnection.prototype.setRemoteDescription = async function (description) {
                if (this === window.parley.subscriberConnection && description?.type === 'offer') {
                  window.heldOffers++;
                  await released;
                }
                return original.call(this, description);
              };
            }""";

    @RegisterExtension
    static final CallFixture call = new CallFixture("leave-during-renegotiation");

    @Test
    void participantsWhoLeaveWhileAnOfferIsBeingAppliedLeaveNoTileBehind() {
        String room = "race-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice")) {
            MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob");
            MeetingPage carol = MeetingPage.join(call.chromium(), call.server(), room, "Carol");
            try {
                alice.awaitTiles(Set.of("Alice", "Bob", "Carol"), TIMEOUT);
                alice.awaitVideoFrom(Set.of("Bob", "Carol"), TIMEOUT);
                alice.page().evaluate(HOLD_OFFERS);

                carol.close();
                awaitPage(alice, "window.heldOffers >= 1", "the offer after Carol left to be held");
                bob.close();
                awaitPage(alice, "![...window.parley.participants.values()].some((p) => p.name === 'Bob')",
                        "Bob's participantLeft to be handled");
                alice.page().evaluate("() => window.releaseOffers()");
                // Offers are applied in order: once the one retiring every section is in, the held one was
                // applied and its tracks announced.
                awaitPage(alice, "window.parley.subscriberConnection.remoteDescription.sdp.split('\\nm=').slice(1)"
                        + ".every((section) => section.includes('a=inactive'))", "the offer retiring Bob and Carol");

                alice.awaitTiles(Set.of("Alice"), TIMEOUT);
            } finally {
                bob.close();
                carol.close();
            }
        }
    }

    private static void awaitPage(MeetingPage page, String condition, String what) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Boolean.TRUE.equals(page.page().evaluate("() => Boolean(" + condition + ")"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            page.pause(CallPage.POLL);
        }
    }
}

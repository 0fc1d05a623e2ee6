package dev.parley.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * One participant's meeting page, whichever browser drives it ({@link MeetingPage} for Chromium,
 * {@link FirefoxPage} for Firefox): what the call tests read from it through {@code window.parley}.
 */
public interface CallPage extends AutoCloseable {
    /** How often the waits below poll the page. */
    Duration POLL = Duration.ofMillis(500);

    /** The display name this page joined with. */
    String name();

    /**
     * Runs {@code asyncFunction} (JavaScript source of a function without arguments, e.g.
     * {@code async () => 1}) in the page and returns its result as JSON text.
     */
    String evaluateJson(String asyncFunction);

    /** Lets the page run for {@code duration} between two polls. */
    void pause(Duration duration);

    /** Closes the page (and its browser context or browser); the signaling socket closes with it. */
    @Override
    void close();

    /** Receive statistics of this page by remote participant name. */
    default Map<String, ReceiverStats> receiverStatsByName() {
        String json = evaluateJson("async () => window.parley.receiverStats()");
        try {
            Map<String, ReceiverStats> byId = Json.MAPPER.readValue(json, new TypeReference<Map<String, ReceiverStats>>() {});
            Map<String, ReceiverStats> byName = new HashMap<>();
            for (ReceiverStats stats : byId.values()) byName.put(stats.name(), stats);
            return byName;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("receiverStats() returned unreadable JSON: " + json, e);
        }
    }

    /** Names on the tiles shown (self included), from their {@code data-participant-name} attributes. */
    default Set<String> tileNames() {
        String json = evaluateJson("async () => [...document.querySelectorAll('.tile[data-participant-id]')]"
                + ".map(t => t.dataset.participantName)");
        try {
            return new TreeSet<>(Json.MAPPER.readValue(json, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("tile names are unreadable JSON: " + json, e);
        }
    }

    /** Waits until exactly these names are on tiles. */
    default void awaitTiles(Set<String> expected, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> shown = tileNames();
        while (!shown.equals(new TreeSet<>(expected))) {
            if (System.nanoTime() > deadline) {
                fail(name() + "'s page shows tiles " + shown + ", expected " + new TreeSet<>(expected)
                        + " within " + timeout.toSeconds() + " s");
            }
            pause(POLL);
            shown = tileNames();
        }
    }

    /** Waits until video frames are decoded and audio arrives from each of {@code senders}, between two polls. */
    default Map<String, ReceiverStats> awaitMediaFrom(Collection<String> senders, Duration timeout) {
        return awaitRising(senders, timeout, ReceiverStats::mediaRoseSince, "video frames and audio");
    }

    /** Waits until video frames are decoded from each of {@code senders}, between two polls. */
    default Map<String, ReceiverStats> awaitVideoFrom(Collection<String> senders, Duration timeout) {
        return awaitRising(senders, timeout, ReceiverStats::videoRoseSince, "video frames");
    }

    private Map<String, ReceiverStats> awaitRising(Collection<String> senders, Duration timeout,
                                                   BiPredicate<ReceiverStats, ReceiverStats> rose, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, ReceiverStats> previous = receiverStatsByName();
        while (true) {
            pause(POLL);
            Map<String, ReceiverStats> current = receiverStatsByName();
            boolean all = true;
            for (String sender : senders) {
                ReceiverStats before = previous.get(sender);
                ReceiverStats now = current.get(sender);
                all &= before != null && now != null && rose.test(now, before);
            }
            if (all) return current;
            if (System.nanoTime() > deadline) {
                fail(name() + " did not receive rising " + what + " from " + senders + " within "
                        + timeout.toSeconds() + " s; last two polls: " + previous + " then " + current);
            }
            previous = current;
        }
    }

    /** The JSON mapper the pages share. */
    final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Json() {}
    }
}

package dev.parley.sfu.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecentSpeakersTest {
    private final RecentSpeakers recent = new RecentSpeakers();

    @Test
    void beforeAnyoneSpeaksTheOrderIsWhoCameFirst() {
        recent.add("a");
        recent.add("b");
        recent.add("c");
        recent.add("a"); // already there: stays first
        assertEquals(List.of("a", "b", "c"), recent.order());
        assertEquals(List.of("a", "b"), recent.mostRecent(2, "z"));
    }

    @Test
    void theMostRecentSpeakersComeFirstAndASubscriberNeverCountsItself() {
        for (String id : List.of("a", "b", "c", "d")) {
            recent.add(id);
        }
        recent.spoke("c");
        recent.spoke("d");
        assertEquals(List.of("d", "c", "a", "b"), recent.order());
        assertEquals(List.of("d"), recent.mostRecent(1, "a"));
        assertEquals(List.of("c"), recent.mostRecent(1, "d"), "d receives the one who spoke before it");
        assertEquals(List.of("d", "a"), recent.mostRecent(2, "c"));
        recent.spoke("c"); // speaking again moves it back to the front, not a second entry
        assertEquals(List.of("c", "d", "a", "b"), recent.order());
        recent.add("e");
        assertEquals(List.of("c", "d", "a", "b", "e"), recent.order(), "a newcomer goes last");
    }

    @Test
    void zeroMeansEveryoneAndLeavingDropsOut() {
        for (String id : List.of("a", "b", "c")) {
            recent.add(id);
        }
        recent.spoke("b");
        recent.remove("b");
        assertEquals(List.of("a", "c"), recent.mostRecent(0, "x"));
        assertEquals(List.of("c"), recent.mostRecent(0, "a"));
        assertEquals(List.of("a", "c"), recent.mostRecent(5, "x"), "fewer than N: everyone");
    }
}

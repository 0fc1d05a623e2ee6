package dev.parley.sfu.speaker;

import java.util.ArrayList;
import java.util.List;

/**
 * A room's participants ordered by when they last held the floor, most recent first; those who have not spoken
 * yet follow in the order they came. Last-N shows each subscriber the video of the first N of this order (itself
 * left out). Not thread-safe: use it from the room's control executor.
 */
public final class RecentSpeakers {
    private final List<String> order = new ArrayList<>();

    /** A newcomer: placed after everyone who is already there. Adding someone already there changes nothing. */
    public void add(String id) {
        if (!order.contains(id)) {
            order.add(id);
        }
    }

    /** {@code id} took the floor: it becomes the most recent speaker. */
    public void spoke(String id) {
        order.remove(id);
        order.add(0, id);
    }

    /** {@code id} left. */
    public void remove(String id) {
        order.remove(id);
    }

    /** The first {@code n} of the order without {@code except} (a subscriber does not receive itself); all when n is 0. */
    public List<String> mostRecent(int n, String except) {
        List<String> out = new ArrayList<>();
        for (String id : order) {
            if (n > 0 && out.size() >= n) {
                break;
            }
            if (!id.equals(except)) {
                out.add(id);
            }
        }
        return out;
    }

    /** Everyone, most recent speaker first. */
    public List<String> order() {
        return List.copyOf(order);
    }
}

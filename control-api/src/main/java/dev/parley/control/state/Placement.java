package dev.parley.control.state;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/**
 * Where a new room goes: the least loaded node that takes rooms (not draining). Load is participants first,
 * then rooms, then the node id, so every node computes the same answer from the same reports; but the node the
 * participant reached wins a tie on participants, since sending them elsewhere costs a reconnect.
 */
final class Placement {
    static final Comparator<NodeLoad> LEAST_LOADED = Comparator.comparingInt(NodeLoad::participants)
            .thenComparingInt(NodeLoad::rooms)
            .thenComparing(NodeLoad::nodeId);

    private Placement() {}

    /**
     * @param live    the nodes whose reports have not lapsed
     * @param reached the id of the node the participant reached, or null when none is preferred (a REST join)
     * @return the chosen node, empty when every live node is draining (or none is live)
     */
    static Optional<NodeLoad> choose(Collection<NodeLoad> live, String reached) {
        Optional<NodeLoad> least = live.stream().filter(n -> !n.draining()).min(LEAST_LOADED);
        if (least.isEmpty() || reached == null) {
            return least;
        }
        return live.stream()
                .filter(n -> n.nodeId().equals(reached) && !n.draining()
                        && n.participants() <= least.get().participants())
                .findFirst()
                .or(() -> least);
    }
}

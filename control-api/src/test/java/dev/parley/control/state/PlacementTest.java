package dev.parley.control.state;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlacementTest {
    private static NodeLoad node(String id, int participants, int rooms, boolean draining) {
        return new NodeLoad(id, "http://" + id + ".example.org:8080", List.of("127.0.0.1:40000"), participants, rooms,
                -1, draining);
    }

    private static String chosen(List<NodeLoad> live, String reached) {
        return Placement.choose(live, reached).map(NodeLoad::nodeId).orElse("none");
    }

    @Test
    void leastParticipantsWinsThenFewestRoomsThenTheLowestId() {
        assertEquals("b", chosen(List.of(node("a", 10, 1, false), node("b", 3, 3, false), node("c", 7, 0, false)), null));
        assertEquals("c", chosen(List.of(node("a", 3, 2, false), node("b", 5, 0, false), node("c", 3, 1, false)), null));
        assertEquals("a", chosen(List.of(node("b", 3, 1, false), node("a", 3, 1, false)), null),
                "a full tie goes to the lowest id, so every node computes the same answer");
    }

    @Test
    void drainingNodesTakeNoNewRoomsHoweverIdle() {
        assertEquals("b", chosen(List.of(node("a", 0, 0, true), node("b", 50, 9, false)), null));
        assertEquals("b", chosen(List.of(node("a", 0, 0, true), node("b", 50, 9, false)), "a"),
                "not even when the participant reached the draining node");
        assertEquals(Optional.empty(), Placement.choose(List.of(node("a", 0, 0, true)), null), "all draining: none");
        assertEquals(Optional.empty(), Placement.choose(List.of(), "a"), "no live node: none");
    }

    @Test
    void theNodeReachedWinsATieOnParticipantsButNotMore() {
        List<NodeLoad> tie = List.of(node("a", 2, 0, false), node("b", 2, 5, false));
        assertEquals("a", chosen(tie, null), "without a preference, fewer rooms wins");
        assertEquals("b", chosen(tie, "b"), "the node reached keeps the room: a redirect costs a reconnect");
        List<NodeLoad> busier = List.of(node("a", 2, 0, false), node("b", 3, 0, false));
        assertEquals("a", chosen(busier, "b"), "one participant more and the room goes to the least loaded");
        assertEquals("a", chosen(busier, "zz"), "an unknown node reached is no preference");
    }

    @Test
    void reportsAreCheckedAndGiveTheSignalingUrl() {
        assertEquals("wss://n1.example.org/ws/signaling",
                new NodeLoad("n1", "https://n1.example.org/", List.of(), 0, 0, -1, false).signalingUrl());
        assertEquals("ws://127.0.0.1:8080/ws/signaling",
                new NodeLoad("n2", "http://127.0.0.1:8080", List.of(), 0, 0, -1, false).signalingUrl());
        assertTrue(node("a", 1, 1, false).asDraining().draining());
        assertThrows(IllegalArgumentException.class, () -> new NodeLoad("a", "ftp://x", List.of(), 0, 0, -1, false));
        assertThrows(IllegalArgumentException.class, () -> new NodeLoad("a", "http://x", List.of(), -1, 0, -1, false));
        assertThrows(IllegalArgumentException.class, () -> new NodeLoad(" ", "http://x", List.of(), 0, 0, -1, false));
    }
}

package dev.parley.control.state;

import dev.parley.testkit.Eventually;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Node reports and room owners against the local Redis, through two connections as two nodes would use them. */
class RedisNodesTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    private TwoRedisNodes redis;
    private RedisState nodeA;
    private RedisState nodeB;

    @BeforeEach
    void connect() {
        redis = TwoRedisNodes.connect();
        nodeA = redis.a;
        nodeB = redis.b;
    }

    @AfterEach
    void cleanUp() {
        if (redis != null) {
            redis.close();
        }
    }

    private static NodeLoad load(String id, int participants, boolean draining) {
        return new NodeLoad(id, "http://" + id + ".test:8080", List.of("127.0.0.1:4000" + id.length()), participants,
                participants == 0 ? 0 : 1, 0.25, draining);
    }

    private static List<String> ids(List<NodeLoad> nodes) {
        return nodes.stream().map(NodeLoad::nodeId).toList();
    }

    @Test
    void reportsAreSeenByOtherNodesAndLapseWithTheirTtl() {
        nodeA.nodes().report(load("a", 3, false), Duration.ofMillis(400));
        nodeB.nodes().report(load("b", 1, false), LONG);
        List<NodeLoad> seen = nodeB.nodes().live();
        assertEquals(List.of("a", "b"), ids(seen));
        assertEquals(load("a", 3, false), seen.get(0), "every field travels: " + seen.get(0));

        Eventually.await(Duration.ofSeconds(5), "a's report lapses", () -> ids(nodeB.nodes().live()).equals(List.of("b")));
        nodeA.nodes().report(load("a", 0, false), LONG);
        assertEquals(List.of("a", "b"), ids(nodeB.nodes().live()), "a node that reports again is back");
        nodeB.nodes().forget("b");
        assertEquals(List.of("a"), ids(nodeA.nodes().live()), "an orderly stop leaves at once");
    }

    @Test
    void aRoomGoesToTheLeastLoadedNodeAndStaysThereForEveryone() {
        nodeA.nodes().report(load("a", 5, false), LONG);
        nodeB.nodes().report(load("b", 2, false), LONG);
        assertEquals("b", nodeA.nodes().home("standup", "a", LONG).orElseThrow().nodeId(),
                "a joined at a goes to b, which has fewer participants");
        assertEquals(Optional.of("b"), nodeA.nodes().owner("standup"));

        nodeB.nodes().report(load("b", 50, false), LONG);
        assertEquals("b", nodeA.nodes().home("standup", "a", LONG).orElseThrow().nodeId(),
                "a room stays where it lives, however loaded that node becomes");
        assertEquals("a", nodeB.nodes().home("retro", null, LONG).orElseThrow().nodeId(),
                "a new room goes to the now less loaded a");
    }

    @Test
    void concurrentFirstJoinsAgreeOnOneOwner() throws Exception {
        nodeA.nodes().report(load("a", 0, false), LONG);
        nodeB.nodes().report(load("b", 0, false), LONG);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int round = 0; round < 20; round++) {
                String room = "race-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<String>> answers = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    RedisNodes via = i % 2 == 0 ? nodeA.nodes() : nodeB.nodes();
                    String reached = i % 2 == 0 ? "a" : "b";
                    answers.add(pool.submit(() -> {
                        go.await();
                        return via.home(room, reached, LONG).orElseThrow().nodeId();
                    }));
                }
                go.countDown();
                Set<String> owners = new HashSet<>();
                for (Future<String> f : answers) {
                    owners.add(f.get(10, TimeUnit.SECONDS));
                }
                assertEquals(1, owners.size(), room + ": joins reaching both nodes at once got one node: " + owners);
                assertEquals(Optional.of(owners.iterator().next()), nodeA.nodes().owner(room));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aRoomWhoseOwnerIsGoneIsRehomedOnTheNextJoin() {
        nodeA.nodes().report(load("a", 0, false), Duration.ofMillis(400));
        nodeB.nodes().report(load("b", 9, false), LONG);
        assertEquals("a", nodeB.nodes().home("standup", "b", LONG).orElseThrow().nodeId());
        Eventually.await(Duration.ofSeconds(5), "a's report lapses", () -> !ids(nodeB.nodes().live()).contains("a"));
        assertEquals(Optional.of("a"), nodeB.nodes().owner("standup"), "the ownership itself has not lapsed yet");
        assertEquals("b", nodeB.nodes().home("standup", "b", LONG).orElseThrow().nodeId(), "re-homed on b");
        assertEquals(Optional.of("b"), nodeA.nodes().owner("standup"));
    }

    @Test
    void aDrainingNodeKeepsItsRoomsButTakesNoNewOnes() {
        nodeA.nodes().report(load("a", 0, false), LONG);
        nodeB.nodes().report(load("b", 20, false), LONG);
        assertEquals("a", nodeA.nodes().home("standup", "a", LONG).orElseThrow().nodeId());
        nodeA.nodes().report(load("a", 0, true), LONG);
        assertEquals("a", nodeB.nodes().home("standup", "b", LONG).orElseThrow().nodeId(), "its own room stays");
        assertEquals("b", nodeA.nodes().home("retro", "a", LONG).orElseThrow().nodeId(), "a new room goes elsewhere");
        nodeB.nodes().report(load("b", 20, true), LONG);
        assertEquals(Optional.empty(), nodeA.nodes().home("planning", "a", LONG), "everyone draining: nowhere");
        assertEquals(Optional.empty(), nodeA.nodes().owner("planning"), "and nothing claimed");
    }

    @Test
    void onlyTheOwnerRenewsOrReleasesAndAReleasedRoomIsPlacedAgain() {
        nodeA.nodes().report(load("a", 0, false), LONG);
        nodeB.nodes().report(load("b", 0, false), LONG);
        assertEquals("a", nodeA.nodes().home("standup", "a", Duration.ofMillis(500)).orElseThrow().nodeId());
        assertFalse(nodeB.nodes().renew("standup", "b", LONG), "b does not own it");
        nodeB.nodes().release("standup", "b");
        assertEquals(Optional.of("a"), nodeB.nodes().owner("standup"), "b's release did nothing");
        assertTrue(nodeA.nodes().renew("standup", "a", LONG));
        // Renewed for 30 s: still owned well after the first 500 ms would have lapsed.
        assertEquals(Optional.of("a"), nodeB.nodes().owner("standup"));
        nodeA.nodes().release("standup", "a");
        assertEquals(Optional.empty(), nodeB.nodes().owner("standup"), "released when the room emptied");
        assertEquals("b", nodeB.nodes().home("standup", "b", LONG).orElseThrow().nodeId(), "placed again where reached");
    }

    @Test
    void anOwnershipThatIsNotRenewedLapses() {
        nodeA.nodes().report(load("a", 0, false), LONG);
        assertEquals("a", nodeA.nodes().home("standup", "a", Duration.ofMillis(300)).orElseThrow().nodeId());
        Eventually.await(Duration.ofSeconds(5), "the claim lapses", () -> nodeB.nodes().owner("standup").isEmpty());
    }

    @Test
    void aMalformedReportIsIgnoredNotFatal() {
        nodeA.nodes().report(load("a", 0, false), LONG);
        redis.raw(r -> {
            r.set(redis.prefix + "node:bogus", "{not json");
            r.zadd(redis.prefix + "nodes", System.currentTimeMillis() + 30_000, "bogus");
            return r.zadd(redis.prefix + "nodes", System.currentTimeMillis() + 30_000, "vanished");
        });
        assertEquals(List.of("a"), ids(nodeB.nodes().live()));
        assertEquals("a", nodeB.nodes().home("standup", null, LONG).orElseThrow().nodeId());
    }
}

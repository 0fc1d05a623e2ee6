package dev.parley.control.state;

import dev.parley.testkit.Eventually;
import dev.parley.control.state.LiveParticipants.LiveParticipant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Redis stores against the local Redis at 127.0.0.1:6379, as two nodes (two separate connections) would use them. */
class RedisStateTest {
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


    @Test
    void rateLimitIsSharedByNodesAndTheWindowExpires() {
        // Long enough that a loaded machine still reads the key before the window ends.
        Duration window = Duration.ofSeconds(3);
        assertTrue(nodeA.rateLimiter().tryAcquire("login:alice", 3, window));
        assertTrue(nodeB.rateLimiter().tryAcquire("login:alice", 3, window));
        assertTrue(nodeA.rateLimiter().tryAcquire("login:alice", 3, window));
        assertFalse(nodeB.rateLimiter().tryAcquire("login:alice", 3, window), "fourth attempt across nodes");
        long ttl = redis.raw(r -> r.pttl(redis.prefix + "rate:login:alice"));
        assertTrue(ttl > 0 && ttl <= 3000, "counter carries the window as TTL, was " + ttl);
        Eventually.await(Duration.ofSeconds(15), "window to end",
                () -> nodeA.rateLimiter().tryAcquire("login:alice", 1, window));
        assertFalse(nodeA.rateLimiter().tryAcquire("login:alice", 1, window));
        nodeB.rateLimiter().reset("login:alice");
        assertTrue(nodeA.rateLimiter().tryAcquire("login:alice", 1, window), "reset on one node frees it on all");
    }

    @Test
    void revocationIsSeenByOtherNodesAndExpiresWithTheToken() {
        Instant expiry = Instant.now().plusSeconds(3);
        nodeA.revocations().revoke("jti-1", expiry);
        nodeA.revocations().revoke("jti-expired", Instant.now().minusSeconds(1));
        assertTrue(nodeB.revocations().isRevoked("jti-1"));
        assertFalse(nodeB.revocations().isRevoked("jti-expired"));
        assertFalse(nodeB.revocations().isRevoked("jti-other"));
        long ttl = redis.raw(r -> r.pttl(redis.prefix + "revoked:jti-1"));
        assertTrue(ttl > 0 && ttl <= 3000, "PXAT set, ttl " + ttl);
        Eventually.await(Duration.ofSeconds(15), "revocation to expire", () -> !nodeB.revocations().isRevoked("jti-1"));
        assertTrue(Instant.now().isAfter(expiry.minusMillis(50)), "not forgotten early");
    }

    @Test
    void liveParticipantsAreSharedAcrossNodes() {
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        LiveParticipant alice = new LiveParticipant("p-1", "alice", "Alice", t0);
        LiveParticipant bob = new LiveParticipant("p-2", "bob", null, t0.plusSeconds(1));
        nodeA.liveParticipants().joined("room-a", alice);
        nodeB.liveParticipants().joined("room-a", bob);
        assertEquals(List.of(alice, bob), nodeA.liveParticipants().list("room-a"));
        assertEquals(List.of(alice, bob), nodeB.liveParticipants().list("room-a"));
        long ttl = redis.raw(r -> r.pttl(redis.prefix + "room:room-a:participants"));
        assertTrue(ttl > Duration.ofHours(11).toMillis(), "room hash expires when idle, ttl " + ttl);

        nodeB.liveParticipants().left("room-a", "p-1");
        assertEquals(List.of(bob), nodeA.liveParticipants().list("room-a"));
        nodeA.liveParticipants().left("room-a", "p-2");
        assertEquals(List.of(), nodeB.liveParticipants().list("room-a"));
        long exists = redis.raw(r -> r.exists(redis.prefix + "room:room-a:participants"));
        assertEquals(0L, exists, "empty room leaves no key");
    }

    @Test
    void malformedEntriesAreSkippedNotFatal() {
        nodeA.liveParticipants().joined("room-x", new LiveParticipant("p-1", "alice", "Alice", Instant.EPOCH));
        redis.raw(r -> r.hset(redis.prefix + "room:room-x:participants", "p-bad", "{not json"));
        assertEquals(1, nodeB.liveParticipants().list("room-x").size());
    }

    @Test
    void unreachableRedisFailsWithAClearMessage() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> RedisState.connect("redis://127.0.0.1:" + closedPort + "/0", "parley:"));
        assertTrue(e.getMessage().contains("127.0.0.1:" + closedPort) && e.getMessage().contains("unreachable"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RedisState.connect("http://nope", "parley:"));
        assertThrows(IllegalArgumentException.class, () -> RedisState.connect(TwoRedisNodes.URL, "bad prefix with spaces"));
    }
}

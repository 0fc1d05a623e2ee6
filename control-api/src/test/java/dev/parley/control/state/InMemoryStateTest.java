package dev.parley.control.state;

import dev.parley.control.state.LiveParticipants.LiveParticipant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InMemoryStateTest {
    private final MutableClock clock = new MutableClock();

    @Test
    void rateLimiterAllowsTheLimitPerWindowThenResetsWhenTheWindowEnds() {
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(1000, clock);
        Duration window = Duration.ofMinutes(1);
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire("login:alice", 3, window), "attempt " + (i + 1));
        }
        assertFalse(limiter.tryAcquire("login:alice", 3, window));
        assertTrue(limiter.tryAcquire("login:bob", 3, window), "keys are independent");
        clock.advance(Duration.ofSeconds(59));
        assertFalse(limiter.tryAcquire("login:alice", 3, window), "window is fixed from the first attempt");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire("login:alice", 3, window), "a new window began");
        assertTrue(limiter.tryAcquire("login:alice", 3, window));
        assertTrue(limiter.tryAcquire("login:alice", 3, window));
        assertFalse(limiter.tryAcquire("login:alice", 3, window));
        limiter.reset("login:alice");
        assertTrue(limiter.tryAcquire("login:alice", 3, window), "reset forgets the attempts");
    }

    @Test
    void rateLimiterMemoryStaysBounded() {
        InMemoryRateLimiter limiter = new InMemoryRateLimiter(100, clock);
        for (int i = 0; i < 10_000; i++) {
            limiter.tryAcquire("ip:" + i, 5, Duration.ofMinutes(1));
            clock.advance(Duration.ofMillis(1));
        }
        assertTrue(limiter.size() <= 100, "size " + limiter.size());
    }

    @Test
    void rateLimiterRejectsBadArguments() {
        InMemoryRateLimiter limiter = new InMemoryRateLimiter();
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("k", 0, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire("k", 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> limiter.tryAcquire(" ", 1, Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> limiter.tryAcquire(null, 1, Duration.ofSeconds(1)));
    }

    @Test
    void revocationLastsUntilTheTokenWouldHaveExpiredAndIsThenForgotten() {
        InMemoryRevocationStore store = new InMemoryRevocationStore(clock);
        store.revoke("jti-1", clock.instant().plusSeconds(60));
        store.revoke("jti-old", clock.instant().minusSeconds(1));
        assertTrue(store.isRevoked("jti-1"));
        assertFalse(store.isRevoked("jti-old"), "an already expired token needs no entry");
        assertFalse(store.isRevoked("jti-2"));
        clock.advance(Duration.ofSeconds(60));
        assertFalse(store.isRevoked("jti-1"));
        assertEquals(0, store.size(), "expired entry dropped");
    }

    @Test
    void revocationSweepKeepsMemoryProportionalToLiveTokens() {
        InMemoryRevocationStore store = new InMemoryRevocationStore(clock);
        for (int i = 0; i < 5_000; i++) {
            store.revoke("jti-" + i, clock.instant().plusSeconds(10));
            clock.advance(Duration.ofMillis(100));
        }
        assertTrue(store.size() <= 100 + 256, "size " + store.size());
    }

    @Test
    void liveParticipantsJoinLeaveAndListInJoinOrder() {
        InMemoryLiveParticipants live = new InMemoryLiveParticipants(Duration.ofHours(1), clock);
        Instant t0 = clock.instant();
        LiveParticipant bob = new LiveParticipant("p-2", "bob", "Bob", t0.plusSeconds(5));
        LiveParticipant alice = new LiveParticipant("p-1", "alice", null, t0);
        live.joined("room-a", bob);
        live.joined("room-a", alice);
        live.joined("room-b", new LiveParticipant("p-3", "carol", "Carol", t0));
        assertEquals(List.of(alice, bob), live.list("room-a"));
        live.left("room-a", "p-1");
        live.left("room-a", "p-unknown");
        live.left("room-unknown", "p-1");
        assertEquals(List.of(bob), live.list("room-a"));
        live.left("room-a", "p-2");
        assertEquals(List.of(), live.list("room-a"));
        assertEquals(1, live.roomCount(), "an emptied room is dropped");
    }

    @Test
    void idleRoomsExpire() {
        InMemoryLiveParticipants live = new InMemoryLiveParticipants(Duration.ofHours(1), clock);
        live.joined("room-a", new LiveParticipant("p-1", "alice", "Alice", clock.instant()));
        clock.advance(Duration.ofMinutes(59));
        assertEquals(1, live.list("room-a").size());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), live.list("room-a"));
        assertEquals(0, live.roomCount());
    }

    @Test
    void liveParticipantsRejectBadInput() {
        InMemoryLiveParticipants live = new InMemoryLiveParticipants();
        assertThrows(IllegalArgumentException.class,
                () -> live.joined("", new LiveParticipant("p", "i", "n", Instant.now())));
        assertThrows(NullPointerException.class,
                () -> live.joined("r", new LiveParticipant("p", null, "n", Instant.now())));
        assertThrows(IllegalArgumentException.class, () -> live.left("r", " "));
        assertEquals(0, live.roomCount());
    }
}

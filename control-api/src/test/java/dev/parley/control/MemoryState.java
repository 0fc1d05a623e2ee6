package dev.parley.control;

import dev.parley.control.state.LiveParticipants;
import dev.parley.control.state.RateLimiter;
import dev.parley.control.state.RevocationStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Minimal in-memory implementations of the shared-state contracts, for tests. */
final class MemoryState {
    private MemoryState() {}

    static final class Limiter implements RateLimiter {
        private final Clock clock;
        private final Map<String, List<Instant>> attempts = new ConcurrentHashMap<>();

        Limiter(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized boolean tryAcquire(String key, int limit, Duration window) {
            Instant now = clock.instant();
            List<Instant> list = attempts.computeIfAbsent(key, k -> new ArrayList<>());
            list.removeIf(t -> !t.isAfter(now.minus(window)));
            list.add(now);
            return list.size() <= limit;
        }

        @Override
        public synchronized void reset(String key) {
            attempts.remove(key);
        }
    }

    static final class Revocations implements RevocationStore {
        private final Map<String, Instant> revoked = new ConcurrentHashMap<>();

        @Override
        public void revoke(String tokenId, Instant expiresAt) {
            revoked.put(tokenId, expiresAt);
        }

        @Override
        public boolean isRevoked(String tokenId) {
            return revoked.containsKey(tokenId);
        }
    }

    static final class Live implements LiveParticipants {
        private final Map<String, Map<String, LiveParticipant>> rooms = new ConcurrentHashMap<>();

        @Override
        public void joined(String room, LiveParticipant participant) {
            rooms.computeIfAbsent(room, r -> new ConcurrentHashMap<>()).put(participant.participantId(), participant);
        }

        @Override
        public void left(String room, String participantId) {
            Map<String, LiveParticipant> members = rooms.get(room);
            if (members != null) {
                members.remove(participantId);
            }
        }

        @Override
        public List<LiveParticipant> list(String room) {
            return List.copyOf(rooms.getOrDefault(room, Map.of()).values());
        }
    }

    /** A clock tests can move. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}

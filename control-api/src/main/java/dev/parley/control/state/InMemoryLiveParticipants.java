package dev.parley.control.state;

import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Room membership in this process. A room disappears when its last participant leaves, or when nobody
 * joined or left it for {@code idleTtl} (a node that died without reporting departures leaves no debris).
 */
public final class InMemoryLiveParticipants implements LiveParticipants {
    private record Room(Map<String, LiveParticipant> participants, long touchedMillis) {}

    static final Comparator<LiveParticipant> ORDER =
            Comparator.comparing(LiveParticipant::joinedAt).thenComparing(LiveParticipant::participantId);

    private static final int SWEEP_EVERY = 128;

    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final AtomicInteger untilSweep = new AtomicInteger(SWEEP_EVERY);
    private final Duration idleTtl;
    private final Clock clock;

    /** Rooms idle for 12 hours are dropped. */
    public InMemoryLiveParticipants() {
        this(Duration.ofHours(12), Clock.systemUTC());
    }

    InMemoryLiveParticipants(Duration idleTtl, Clock clock) {
        this.idleTtl = idleTtl;
        this.clock = clock;
    }

    @Override
    public void joined(String room, LiveParticipant participant) {
        Keys.require(room, "room");
        Keys.require(participant);
        long now = clock.millis();
        rooms.compute(room, (k, old) -> {
            Map<String, LiveParticipant> next = old == null || expired(old, now) ? new HashMap<>()
                    : new HashMap<>(old.participants());
            next.put(participant.participantId(), participant);
            return new Room(Map.copyOf(next), now);
        });
        if (untilSweep.decrementAndGet() <= 0) {
            untilSweep.set(SWEEP_EVERY);
            rooms.values().removeIf(r -> expired(r, now));
        }
    }

    @Override
    public void left(String room, String participantId) {
        Keys.require(room, "room");
        Keys.require(participantId, "participantId");
        long now = clock.millis();
        rooms.computeIfPresent(room, (k, old) -> {
            Map<String, LiveParticipant> next = new HashMap<>(old.participants());
            next.remove(participantId);
            return next.isEmpty() ? null : new Room(Map.copyOf(next), now);
        });
    }

    @Override
    public List<LiveParticipant> list(String room) {
        Room r = rooms.get(Keys.require(room, "room"));
        if (r == null) {
            return List.of();
        }
        if (expired(r, clock.millis())) {
            rooms.remove(room, r);
            return List.of();
        }
        return r.participants().values().stream().sorted(ORDER).toList();
    }

    int roomCount() {
        return rooms.size();
    }

    private boolean expired(Room room, long now) {
        return now - room.touchedMillis() >= idleTtl.toMillis();
    }
}

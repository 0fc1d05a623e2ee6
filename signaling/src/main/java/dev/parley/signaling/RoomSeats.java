package dev.parley.signaling;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who holds a place in each room: sessions on their way in and those in. A room's {@code maxParticipants}
 * is checked against this count when a seat is taken, so tokens minted earlier cannot overfill a room and
 * guests without tokens count like everyone else. Hosts are seated even in a full room (and count).
 */
final class RoomSeats {
    private final ConcurrentHashMap<String, Set<Seat>> rooms = new ConcurrentHashMap<>();

    /** Seats {@code session} unless the room is at its permit's limit; true when seated (or already was). */
    boolean take(String room, Seat session, JoinPermit permit) {
        boolean[] seated = {false};
        rooms.compute(room, (r, seats) -> {
            Set<Seat> next = seats == null ? new HashSet<>() : seats;
            if (next.contains(session) || permit.host() || permit.maxParticipants() == 0
                    || next.size() < permit.maxParticipants()) {
                next.add(session);
                seated[0] = true;
            }
            return next.isEmpty() ? null : next;
        });
        return seated[0];
    }

    /** Frees {@code session}'s seat; harmless when it holds none. */
    void release(String room, Seat session) {
        if (room == null) {
            return;
        }
        rooms.computeIfPresent(room, (r, seats) -> {
            seats.remove(session);
            return seats.isEmpty() ? null : seats;
        });
    }

    List<Seat> in(String room) {
        // Copied inside compute: the set is only ever touched under the map's lock for its key.
        List<List<Seat>> copy = new ArrayList<>(1);
        rooms.computeIfPresent(room, (r, seats) -> {
            copy.add(List.copyOf(seats));
            return seats;
        });
        return copy.isEmpty() ? List.of() : copy.get(0);
    }

    /** The rooms with someone seated. */
    Set<String> rooms() {
        return Set.copyOf(rooms.keySet());
    }

    /** Everyone seated in any room. */
    List<Seat> all() {
        List<Seat> out = new ArrayList<>();
        for (String room : rooms.keySet()) {
            out.addAll(in(room));
        }
        return out;
    }
}

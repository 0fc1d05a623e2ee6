package dev.parley.signaling;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who waits to be admitted, per room, in arrival order. A room's lobby is bounded so waiting costs the server
 * little; waiting sessions hold no media resources and no seat in the room.
 *
 * <p>Lock order: a session's own lock may be held when calling in here, never the other way round (this
 * class calls no session).
 */
final class Lobby {
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Entry(WaitingParticipant who, SignalingSession session) {}

    private final int maxPerRoom;
    private final Map<String, LinkedHashMap<String, Entry>> rooms = new HashMap<>();

    Lobby(int maxPerRoom) {
        this.maxPerRoom = maxPerRoom;
    }

    /** Puts {@code session} in {@code room}'s lobby; null when the lobby is full. */
    synchronized WaitingParticipant enter(String room, SignalingSession session, JoinPermit permit) {
        LinkedHashMap<String, Entry> waiting = rooms.computeIfAbsent(room, r -> new LinkedHashMap<>());
        if (waiting.size() >= maxPerRoom) {
            if (waiting.isEmpty()) {
                rooms.remove(room);
            }
            return null;
        }
        WaitingParticipant who = new WaitingParticipant(newId(), permit.identity(), permit.name(), Instant.now());
        waiting.put(who.waitingId(), new Entry(who, session));
        return who;
    }

    /** The session waiting under {@code waitingId}, left in place; null when there is none. */
    synchronized SignalingSession find(String room, String waitingId) {
        LinkedHashMap<String, Entry> waiting = rooms.get(room);
        Entry e = waiting == null ? null : waiting.get(waitingId);
        return e == null ? null : e.session();
    }

    synchronized void remove(String room, String waitingId) {
        LinkedHashMap<String, Entry> waiting = rooms.get(room);
        if (waiting != null) {
            waiting.remove(waitingId);
            if (waiting.isEmpty()) {
                rooms.remove(room);
            }
        }
    }

    synchronized List<WaitingParticipant> list(String room) {
        LinkedHashMap<String, Entry> waiting = rooms.get(room);
        if (waiting == null) {
            return List.of();
        }
        List<WaitingParticipant> out = new ArrayList<>(waiting.size());
        for (Entry e : waiting.values()) {
            out.add(e.who());
        }
        return out;
    }

    /** Empties {@code room}'s lobby, returning the sessions that waited there. */
    synchronized List<SignalingSession> drain(String room) {
        return sessions(rooms.remove(room));
    }

    /** The rooms with someone waiting. */
    synchronized java.util.Set<String> rooms() {
        return java.util.Set.copyOf(rooms.keySet());
    }

    /** Everyone waiting in any room's lobby, left in place. */
    synchronized List<SignalingSession> all() {
        List<SignalingSession> out = new ArrayList<>();
        for (LinkedHashMap<String, Entry> waiting : rooms.values()) {
            for (Entry e : waiting.values()) {
                out.add(e.session());
            }
        }
        return out;
    }

    /** Those waiting in {@code room}'s lobby, left in place. */
    synchronized List<SignalingSession> in(String room) {
        return sessions(rooms.get(room));
    }

    private static List<SignalingSession> sessions(LinkedHashMap<String, Entry> waiting) {
        if (waiting == null) {
            return List.of();
        }
        List<SignalingSession> out = new ArrayList<>(waiting.size());
        for (Entry e : waiting.values()) {
            out.add(e.session());
        }
        return out;
    }

    private static String newId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return "w-" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}

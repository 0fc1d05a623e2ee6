package dev.parley.control;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The live side of captions as the control plane sees it in its own tests: live rooms that keep what was pushed
 * to them (as lines such as {@code caption room Ada final Hello}), and a captioner that keeps which rooms it
 * captions and can be switched off.
 */
final class CaptionRooms implements LiveRooms, RoomCaptioner {
    final List<String> pushed = new CopyOnWriteArrayList<>();
    final Set<String> captioned = ConcurrentHashMap.newKeySet();
    volatile boolean available = true;

    List<String> pushedTo(String room) {
        return pushed.stream().filter(p -> p.split(" ", 3)[1].equals(room)).toList();
    }

    // --- RoomCaptioner ---

    @Override
    public boolean available() {
        return available;
    }

    @Override
    public void start(String room) {
        if (!available) {
            throw new Unavailable("the test captioner is switched off");
        }
        captioned.add(room);
    }

    @Override
    public void stop(String room) {
        captioned.remove(room);
    }

    // --- LiveRooms: captions recorded, the rest as without live rooms ---

    @Override
    public void caption(String room, CaptionResults.Segment s) {
        pushed.add("caption " + room + " " + s.participantName() + " " + (s.complete() ? "final" : "interim") + " " + s.text());
    }

    @Override
    public void emotion(String room, CaptionResults.Emotion e) {
        pushed.add("emotion " + room + " " + e.participantName() + " " + e.label());
    }

    @Override
    public void captionStatus(String room, CaptionResults.Status status) {
        pushed.add("status " + room + " " + status.wire());
    }

    @Override
    public List<Waiting> waiting(String room) {
        return LiveRooms.NONE.waiting(room);
    }

    @Override
    public Admit admit(String room, String waitingId, String by) {
        return LiveRooms.NONE.admit(room, waitingId, by);
    }

    @Override
    public boolean refuse(String room, String waitingId, String by) {
        return LiveRooms.NONE.refuse(room, waitingId, by);
    }

    @Override
    public void admitAll(String room, String by) {}

    @Override
    public void close(String room, String reason) {}

    @Override
    public Remove remove(String room, String participantId, String by) {
        return LiveRooms.NONE.remove(room, participantId, by);
    }

    @Override
    public void removeAccount(String accountId, String reason, String by) {}
}

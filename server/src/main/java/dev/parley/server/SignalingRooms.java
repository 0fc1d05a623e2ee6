package dev.parley.server;

import dev.parley.control.CaptionResults;
import dev.parley.control.LiveRooms;
import dev.parley.signaling.SignalingService;
import java.util.List;

/**
 * The control plane's view of the live rooms, served by signaling (lobby, removals, live captions). The control plane starts first (signaling
 * needs its authorizer), so signaling is attached afterwards; until then there are no live rooms.
 */
final class SignalingRooms implements LiveRooms {
    volatile SignalingService signaling;

    @Override
    public List<Waiting> waiting(String room) {
        SignalingService s = signaling;
        return s == null ? List.of() : s.waiting(room).stream()
                .map(w -> new Waiting(w.waitingId(), w.identity(), w.name(), w.since())).toList();
    }

    @Override
    public Admit admit(String room, String waitingId, String by) {
        SignalingService s = signaling;
        if (s == null) {
            return Admit.NOT_WAITING;
        }
        return switch (s.admit(room, waitingId, by)) {
            case ADMITTED -> Admit.ADMITTED;
            case NOT_WAITING -> Admit.NOT_WAITING;
            case ROOM_FULL -> Admit.ROOM_FULL;
        };
    }

    @Override
    public boolean refuse(String room, String waitingId, String by) {
        SignalingService s = signaling;
        return s != null && s.refuse(room, waitingId, by);
    }

    @Override
    public void admitAll(String room, String by) {
        SignalingService s = signaling;
        if (s != null) {
            for (dev.parley.signaling.WaitingParticipant w : s.waiting(room)) {
                s.admit(room, w.waitingId(), by);
            }
        }
    }

    @Override
    public void close(String room, String reason) {
        SignalingService s = signaling;
        if (s != null) {
            s.closeRoom(room, reason);
        }
    }

    @Override
    public Remove remove(String room, String participantId, String by) {
        SignalingService s = signaling;
        if (s == null) {
            return Remove.NOT_IN_ROOM;
        }
        return switch (s.removeParticipant(room, participantId, by)) {
            case REMOVED -> Remove.REMOVED;
            case NOT_IN_ROOM -> Remove.NOT_IN_ROOM;
            case SELF -> Remove.SELF;
        };
    }

    @Override
    public void caption(String room, CaptionResults.Segment c) {
        SignalingService s = signaling;
        if (s != null) {
            s.caption(room, c.participantId(), c.participantName(), c.text(), c.start(), c.end(), c.complete());
        }
    }

    @Override
    public void emotion(String room, CaptionResults.Emotion e) {
        SignalingService s = signaling;
        if (s != null) {
            s.emotion(room, e.participantId(), e.participantName(), e.label(), e.score(), e.start(), e.end());
        }
    }

    @Override
    public void captionStatus(String room, CaptionResults.Status status) {
        SignalingService s = signaling;
        if (s != null) {
            s.captionStatusChanged(room, status.wire());
        }
    }

    @Override
    public void removeAccount(String accountId, String reason, String by) {
        SignalingService s = signaling;
        if (s != null) {
            s.removeIdentity(accountId, reason, by);
        }
    }
}

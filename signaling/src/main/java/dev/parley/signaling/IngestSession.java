package dev.parley.signaling;

import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantInfo;
import dev.parley.sfu.ParticipantListener;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A WHIP session (RFC 9725): a publish-only participant in a room, created by an HTTP POST and ended by DELETE,
 * by a host or administrator, or by the media server (ICE consent lost). It holds a seat like a signaling
 * session, so room limits and removals apply to it, but it has no channel: what would be sent to it is dropped.
 */
final class IngestSession extends Seat implements ParticipantListener {
    final String id;
    private final HttpMediaSessions sessions;
    private final String room;
    private final JoinPermit permit;
    final String etag;
    final String address;
    private volatile Participant participant;
    private final AtomicBoolean ended = new AtomicBoolean();
    /** Whether the observer was told it joined (only then is it told it left), and whether it was told it left. */
    private boolean announced;
    private boolean leftAnnounced;

    IngestSession(HttpMediaSessions sessions, String id, String room, JoinPermit permit, String etag, String address) {
        this.sessions = sessions;
        this.id = id;
        this.room = room;
        this.permit = permit;
        this.etag = etag;
        this.address = address;
    }

    Participant participant() {
        return participant;
    }

    /** Tells the observer the session's participant is in (once the offer is answered). */
    synchronized void announce() {
        Participant p = participant;
        sessions.service().observer().joined(room, p.id(), permit);
        announced = true;
        if (ended.get()) {
            announceLeft(LeaveReason.LEFT.wireName()); // ended meanwhile
        }
    }

    /** Tells the observer the participant left, once, and only if it was told it joined. */
    private synchronized void announceLeft(String reason) {
        Participant p = participant;
        if (announced && !leftAnnounced && p != null) {
            leftAnnounced = true;
            sessions.service().observer().left(room, p.id(), reason);
        }
    }

    /** Ends the session: the participant leaves with {@code reason}, the seat and session are released. */
    boolean end(LeaveReason reason, String observedReason) {
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        Participant p = participant;
        sessions.release(this);
        if (p != null) {
            p.leave(reason);
            announceLeft(observedReason);
        }
        return true;
    }

    boolean ended() {
        return ended.get();
    }

    // --- Seat ---

    @Override
    String participantId() {
        Participant p = participant;
        return p == null ? null : p.id();
    }

    @Override
    String identity() {
        return permit.identity();
    }

    @Override
    JoinPermit permit() {
        return permit;
    }

    @Override
    String room() {
        return room;
    }

    @Override
    boolean remove(String reason) {
        return end(LeaveReason.REMOVED, reason);
    }

    @Override
    void send(ServerMessage message) {
        // A WHIP client has no channel for room events; it learns of its end from its next PATCH (404).
    }

    // --- ParticipantListener, on the room's control thread ---

    @Override
    public boolean receivesTracks() {
        return false;
    }

    @Override
    public void onJoined(Participant self, List<ParticipantInfo> others) {
        participant = self;
        if (ended.get()) {
            self.leave(LeaveReason.DISCONNECTED); // deleted while the join was on its way
        }
    }

    @Override
    public void onSubscriberOffer(String sdp, int version) {}

    @Override
    public void onParticipantJoined(ParticipantInfo other) {}

    @Override
    public void onParticipantUpdated(ParticipantInfo other) {}

    @Override
    public void onParticipantLeft(String participantId, LeaveReason reason) {}

    @Override
    public void onRemoved(LeaveReason reason) {
        if (ended.compareAndSet(false, true)) {
            sessions.release(this);
            announceLeft(reason.wireName());
        }
    }
}

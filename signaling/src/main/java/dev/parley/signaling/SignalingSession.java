package dev.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.MediaKind;
import dev.parley.sfu.Participant;
import dev.parley.sfu.MediaPortsExhaustedException;
import dev.parley.sfu.ParticipantInfo;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.RoomFullException;
import dev.parley.sfu.StaleAnswerException;
import dev.parley.sfu.TooManyScreensException;
import dev.parley.sfu.TooManyTracksException;
import dev.parley.sfu.sdp.SdpException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Session;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's signaling connection: decodes its messages, drives its {@link Participant}, relays room events.
 * Public only because Jetty invokes its listener methods reflectively; create sessions through {@link SignalingService}.
 */
public final class SignalingSession extends Seat implements Session.Listener.AutoDemanding, ParticipantListener {
    private static final Logger log = LoggerFactory.getLogger(SignalingSession.class);

    private enum State { NEW, WAITING, JOINING, JOINED, GONE }

    private static final String REMOVED_MESSAGE = "a host removed you from this meeting; you cannot rejoin it until it ends";

    private final SignalingService service;
    private final String address;
    private final JoinBacklog backlog = new JoinBacklog();
    /** Where this seat's messages go: its own connection's queue, or the queue of the connection that resumed it. */
    private volatile OutboundQueue out;
    private volatile boolean counted;
    /** The room this connection counts against its address's room quota, until it closes. */
    private String quotaRoom;
    /** Guards changes of {@link #state}: joins, admissions, removals and closes race from different threads. */
    private final Object lock = new Object();
    private volatile State state = State.NEW;
    private volatile Participant participant;
    private volatile JoinPermit permit;
    private volatile String room;
    private volatile String waitingId;
    private final CountDownLatch closed = new CountDownLatch(1);

    SignalingSession(SignalingService service, String address) {
        this.service = service;
        this.address = address;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.out = new OutboundQueue(session);
        this.ownOut = out;
        if (!service.openConnection()) {
            refuseConnection("the server has its limit of " + service.maxConnections()
                    + " signaling connections open (max-connections); try again later");
            return;
        }
        if (!service.quota().openConnection(address)) {
            service.closeConnection();
            refuseConnection("your address has " + service.quota().maxConnections()
                    + " signaling connections open already (max-connections-per-address); close one first");
            return;
        }
        counted = true;
    }

    private void refuseConnection(String message) {
        state = State.GONE;
        error("too_many_connections", null, message);
        out.closeWhenDrained(1008, "too many connections");
    }

    @Override
    public void onWebSocketText(String text) {
        SignalingSession seat = resumedSeat;
        if (seat != null) {
            seat.onWebSocketText(text);
            return;
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > SignalingService.MAX_MESSAGE_BYTES) {
            error("too_large", null, "messages are limited to " + SignalingService.MAX_MESSAGE_BYTES + " bytes");
            return;
        }
        ClientMessage message;
        try {
            message = ClientMessage.decode(service.json(), text);
        } catch (ClientMessage.Invalid e) {
            error(e.code, e.requestType, e.getMessage());
            return;
        }
        switch (backlog.offer(message)) {
            case HANDLE_NOW -> handle(message);
            case QUEUED -> {
                // handled in order once the join completes
            }
            case FULL -> error("too_many_pending", typeOf(message), "at most " + JoinBacklog.MAX_WAITING
                    + " messages may wait for 'joined'; this one was dropped");
        }
    }

    private void handle(ClientMessage message) {
        if (message instanceof ClientMessage.Ping) {
            send(new ServerMessage.Pong());
            return;
        }
        if (message instanceof ClientMessage.Join join) {
            join(join);
            return;
        }
        if (message instanceof ClientMessage.Resume resume) {
            resume(resume.token());
            return;
        }
        if (message instanceof ClientMessage.Leave && state == State.WAITING) {
            leave(LeaveReason.LEFT, true);
            return;
        }
        Participant p = participant;
        if (state != State.JOINED || p == null) {
            error("not_joined", typeOf(message), state == State.WAITING
                    ? "you wait in the lobby until a host admits you" : "send 'join' first");
            return;
        }
        switch (message) {
            case ClientMessage.Publish publish -> {
                if (!permit.canPublish()) {
                    error("forbidden", "publish", "your join token does not allow publishing");
                    return;
                }
                p.publish(publish.sdp(), publish.sources()).whenComplete((answer, e) -> {
                    if (e == null) {
                        send(new ServerMessage.PublishAnswer(answer));
                    } else {
                        failed("publish", e);
                    }
                });
            }
            case ClientMessage.SubscriberAnswer answer -> {
                log.debug("subscriber answer {} received from {}", answer.version(), permit.name());
                p.acceptSubscriberAnswer(answer.sdp(), answer.version()).whenComplete((v, e) -> {
                    if (e != null) {
                        failed("subscriberAnswer", e);
                    }
                });
            }
            case ClientMessage.Trickle trickle -> {
                // Parley is ICE-lite: it learns the client's addresses from its checks and needs no candidates.
            }
            case ClientMessage.Mute mute -> p.setMuted(mute.kind().equals("audio") ? MediaKind.AUDIO : MediaKind.VIDEO,
                    mute.muted());
            case ClientMessage.Chat chat -> {
                ServerMessage.Chat relay = new ServerMessage.Chat(p.id(), p.name(), chat.text(), Instant.now().toString());
                for (SignalingSession s : service.sessionsIn(room)) {
                    s.send(relay);
                }
            }
            case ClientMessage.Leave leave -> leave(LeaveReason.LEFT, true);
            case ClientMessage.Admit admit -> decide("admit", admit.waitingId(), true);
            case ClientMessage.Refuse refuse -> decide("refuse", refuse.waitingId(), false);
            case ClientMessage.Remove remove -> removeOther(remove.participantId());
            case ClientMessage.StartRecording start -> record("startRecording", true);
            case ClientMessage.StopRecording stop -> record("stopRecording", false);
            case ClientMessage.SetCaptions set -> setCaptions(set.on());
            case ClientMessage.SetVideoSize size -> p.setVideoSize(size.participantId(), size.width(), size.height())
                    .whenComplete((v, e) -> {
                        if (e != null) {
                            failed("setVideoSize", e);
                        }
                    });
            case ClientMessage.Ping ping -> send(new ServerMessage.Pong());
            case ClientMessage.Join join -> join(join);
            case ClientMessage.Resume resume -> resume(resume.token());
            case ClientMessage.RestartIce restart -> p.restartSubscriberIce().whenComplete((v, e) -> {
                if (e != null) {
                    failed("restartIce", e);
                }
            });
        }
    }

    /**
     * Starts or stops the room's recording for a participant whose join allows it. Success is the {@code recording}
     * message everyone in the room gets (from the recorder); a refusal is an error to this session only.
     */
    private void record(String requestType, boolean start) {
        if (!permit.mayRecord()) {
            error("forbidden", requestType, "your join token grants neither canRecord nor host rights");
            return;
        }
        try {
            if (start) {
                service.recordingControl().start(room, permit.identity());
            } else {
                service.recordingControl().stop(room, permit.identity());
            }
        } catch (RecordingControl.RefusedException e) {
            error(e.code(), requestType, e.getMessage());
        }
    }

    /** A host turns the room's captions on or off; success is the {@code captionStatus} message everyone gets. */
    private void setCaptions(boolean on) {
        if (!permit.host()) {
            error("forbidden", "setCaptions", "only a host may turn captions on or off");
            return;
        }
        try {
            service.captionControl().set(room, permit.identity(), on);
        } catch (RecordingControl.RefusedException e) {
            error(e.code(), "setCaptions", e.getMessage());
        }
    }

    private void join(ClientMessage.Join join) {
        log.debug("join received for room {} from {}", join.room(), join.name());
        if (state != State.NEW) {
            error("already_joined", "join", state == State.GONE ? "this connection has left; open a new one"
                    : "this connection has already joined a room");
            return;
        }
        if (join.token() == null && !service.guestJoins().tryJoin(address)) {
            error("rate_limited", "join", "too many joins without a join token from your address; wait a minute, or join with a token");
            return;
        }
        if (service.shuttingDown()) {
            error("shutting_down", "join", "the server is shutting down; join again once it is back");
            return;
        }
        JoinPermit granted;
        try {
            granted = service.authorizer().authorize(join.room(), join.name(), join.token());
        } catch (JoinAuthorizer.JoinRefusedException e) {
            refuseJoin(e.code(), e.getMessage());
            return;
        }
        String home = service.roomHome().elsewhere(join.room());
        if (home != null) {
            // Checked after authorizing: only someone who may join learns where the room is.
            refuseJoin("wrong_node", "this room is served by another node; join again at url", home);
            return;
        }
        if (!enterRoomQuota(join.room())) {
            error("too_many_rooms", "join", "connections from your address are in " + service.quota().maxRooms()
                    + " rooms already; leave one first");
            return;
        }
        permit = granted;
        room = join.room();
        if (granted.waitsInLobby()) {
            waitInLobby();
            return;
        }
        String refusal;
        synchronized (lock) {
            if (state != State.NEW) {
                return;
            }
            refusal = takeSeat();
            if (refusal == null) {
                state = State.JOINING;
            }
        }
        if (refusal != null) {
            refuseJoin(refusal, switch (refusal) {
                case "meeting_full" -> "the meeting has reached its limit of " + granted.maxParticipants() + " participants";
                case "removed" -> REMOVED_MESSAGE;
                default -> "the meeting has ended";
            });
            return;
        }
        enterRoom();
    }

    /** Takes a seat in the room; null when seated, else the refusal's error code. Called holding {@link #lock}. */
    private String takeSeat() {
        String closed = service.closedReason(room);
        if (closed != null) {
            return closed;
        }
        if (!service.seats().take(room, this, permit)) {
            return "meeting_full";
        }
        // Checked after taking the seat: a removal that bars this identity either sees the seat or is seen here.
        if (service.barred(room, permit.identity())) {
            service.seats().release(room, this);
            return "removed";
        }
        return null;
    }

    private void refuseJoin(String code, String message) {
        refuseJoin(code, message, null);
    }

    /** Refuses the join and closes the connection; {@code url} goes with {@code wrong_node} only. */
    private void refuseJoin(String code, String message, String url) {
        service.errorSent(code);
        send(new ServerMessage.Error(code, message, "join", url));
        state = State.GONE;
        out.closeWhenDrained();
    }

    private void waitInLobby() {
        WaitingParticipant waiting;
        boolean barred = false;
        synchronized (lock) {
            if (state != State.NEW) {
                return;
            }
            waiting = service.closedReason(room) == null ? service.lobby().enter(room, this, permit) : null;
            if (waiting != null && service.barred(room, permit.identity())) {
                service.lobby().remove(room, waiting.waitingId());
                barred = true;
                waiting = null;
            }
            if (waiting != null) {
                waitingId = waiting.waitingId();
                state = State.WAITING;
                // Sent under the lock so that it reaches the client before an admission's 'joined'.
                send(new ServerMessage.Lobby(waiting.waitingId(), room));
            }
        }
        if (waiting == null) {
            String closed = service.closedReason(room);
            if (barred) {
                refuseJoin("removed", REMOVED_MESSAGE);
            } else if (closed != null) {
                refuseJoin(closed, "the meeting has ended");
            } else {
                refuseJoin("lobby_full", "too many people are waiting to be admitted; try again later");
            }
            return;
        }
        service.observer().waiting(room, waiting.waitingId(), permit);
        service.lobbyChanged(room);
    }

    /** A host's decision about someone in the lobby, sent over this (the host's) connection. */
    private void decide(String requestType, String waiting, boolean admit) {
        if (!permit.host()) {
            error("forbidden", requestType, "only a host may admit or refuse people waiting in the lobby");
            return;
        }
        if (admit) {
            switch (service.admit(room, waiting, permit.identity())) {
                case ADMITTED -> { }
                case NOT_WAITING -> error("not_waiting", requestType, "nobody waits in the lobby under that id");
                case ROOM_FULL -> error("meeting_full", requestType,
                        "the meeting is at its participant limit; they keep waiting");
            }
        } else if (!service.refuse(room, waiting, permit.identity())) {
            error("not_waiting", requestType, "nobody waits in the lobby under that id");
        }
    }

    /** Lets this waiting session in, on behalf of host {@code by}. */
    AdmitResult admit(String by) {
        String wid;
        synchronized (lock) {
            if (state != State.WAITING) {
                return AdmitResult.NOT_WAITING;
            }
            String refusal = takeSeat();
            if ("removed".equals(refusal)) {
                // Barred while it waited: the removal's sweep of the lobby takes it out.
                return AdmitResult.NOT_WAITING;
            }
            if (refusal != null) {
                return AdmitResult.ROOM_FULL;
            }
            wid = waitingId;
            service.lobby().remove(room, wid);
            state = State.JOINING;
        }
        service.observer().admitted(room, wid, permit, by);
        service.lobbyChanged(room);
        enterRoom();
        return AdmitResult.ADMITTED;
    }

    /** Turns this waiting session away, on behalf of host {@code by}. */
    boolean refuse(String by) {
        String wid;
        synchronized (lock) {
            if (state != State.WAITING) {
                return false;
            }
            wid = waitingId;
            service.lobby().remove(room, wid);
            state = State.GONE;
        }
        service.observer().refused(room, wid, permit, by);
        service.lobbyChanged(room);
        error("lobby_refused", "join", "a host did not admit you to this meeting");
        out.closeWhenDrained();
        return true;
    }

    /** Takes this session out of its room or lobby with {@code reason}; false when it was already gone. */
    @Override
    boolean remove(String reason) {
        State was;
        Participant p;
        synchronized (lock) {
            was = state;
            if (was == State.GONE || was == State.NEW) {
                return false;
            }
            state = State.GONE;
            p = participant;
            forgetResumeToken();
        }
        service.seats().release(room, this);
        if (was == State.WAITING) {
            service.lobby().remove(room, waitingId);
        }
        if (was == State.JOINED && p != null) {
            service.exited(room, this);
            p.leave(LeaveReason.REMOVED);
            service.observer().left(room, p.id(), reason);
        }
        send(new ServerMessage.Removed(reason));
        out.closeWhenDrained();
        return true;
    }

    /** A host takes someone else out of the room (and bars their identity from it). */
    private void removeOther(String participantId) {
        if (!permit.host()) {
            error("forbidden", "remove", "only a host may remove participants");
            return;
        }
        switch (service.removeParticipant(room, participantId, permit.identity())) {
            case REMOVED -> { }
            case NOT_IN_ROOM -> error("not_in_room", "remove", "nobody in this room has that participantId");
            case SELF -> error("bad_message", "remove", "that is you; send 'leave' to leave");
        }
    }

    @Override
    String participantId() {
        Participant p = participant;
        return p == null ? null : p.id();
    }

    @Override
    String identity() {
        JoinPermit p = permit;
        return p == null ? null : p.identity();
    }

    @Override
    JoinPermit permit() {
        return permit;
    }

    @Override
    String room() {
        return room;
    }

    boolean isHost() {
        JoinPermit p = permit;
        return p != null && p.host();
    }

    /** Joins the media room; the caller holds a seat for this session and has set {@link State#JOINING}. */
    private void enterRoom() {
        backlog.joinStarted();
        service.sfu().join(room, permit.name(), this).whenComplete((p, e) -> {
            if (e != null) {
                service.seats().release(room, this);
                leaveRoomQuota();
                synchronized (lock) {
                    if (state == State.JOINING) {
                        state = State.NEW;
                    }
                }
                Throwable cause = e instanceof CompletionException ? e.getCause() : e;
                if (cause instanceof RoomFullException) {
                    error("room_full", "join", cause.getMessage());
                } else if (cause instanceof MediaPortsExhaustedException) {
                    error("media_ports_exhausted", "join", cause.getMessage());
                } else {
                    log.warn("join failed", cause);
                    error("internal", "join", "the join failed: " + cause.getMessage());
                }
                refuseBacklog();
            }
        });
    }

    private synchronized boolean enterRoomQuota(String name) {
        if (!service.quota().enterRoom(address, name)) {
            return false;
        }
        quotaRoom = name;
        return true;
    }

    private synchronized void leaveRoomQuota() {
        if (quotaRoom != null) {
            service.quota().leaveRoom(address, quotaRoom);
            quotaRoom = null;
        }
    }

    /** Handles the messages pipelined behind the join, in order, now that it is done. */
    private void drainBacklog() {
        for (ClientMessage m = backlog.nextOrFinish(); m != null; m = backlog.nextOrFinish()) {
            handle(m);
        }
    }

    /** The join failed: what was pipelined behind it cannot be done. */
    private void refuseBacklog() {
        for (ClientMessage m = backlog.nextOrFinish(); m != null; m = backlog.nextOrFinish()) {
            if (m instanceof ClientMessage.Ping) {
                send(new ServerMessage.Pong());
            } else {
                error("not_joined", typeOf(m), "the join this was sent after failed");
            }
        }
    }

    private void leave(LeaveReason reason, boolean tellClient) {
        State was;
        Participant p;
        synchronized (lock) {
            was = state;
            state = State.GONE;
            p = participant;
            forgetResumeToken();
        }
        service.seats().release(room, this);
        if (was == State.WAITING) {
            service.lobby().remove(room, waitingId);
            service.lobbyChanged(room);
        }
        if (p != null && was == State.JOINED) {
            service.exited(room, this);
            p.leave(reason);
            service.observer().left(room, p.id(), reason.wireName());
        }
        if (tellClient) {
            send(new ServerMessage.Left(reason.wireName()));
            out.closeWhenDrained();
        }
    }

    /** The server is going down: tell the client why, leave the room, close once that is sent. */
    void serverShutdown() {
        if (state == State.JOINED) {
            leave(LeaveReason.SERVER_SHUTDOWN, true);
        }
    }

    boolean awaitClosed(Duration timeout) {
        try {
            return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closed.countDown();
        if (counted) {
            counted = false;
            service.quota().closeConnection(address);
            service.closeConnection();
        }
        SignalingSession seat = resumedSeat;
        (seat != null ? seat : this).connectionClosed(ownOut, statusCode);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        log.debug("signaling connection error: {}", cause.toString());
    }

    // --- ParticipantListener: called by the room's control thread ---

    @Override
    public void onJoined(Participant self, List<ParticipantInfo> others) {
        boolean in;
        synchronized (lock) {
            participant = self;
            in = state == State.JOINING;
            if (in) {
                state = State.JOINED;
            }
        }
        if (!in) {
            self.leave(LeaveReason.DISCONNECTED);
            return;
        }
        service.entered(room, this);
        service.observer().joined(room, self.id(), permit);
        // The room subscribes the newcomer to every published track right after this call and offers them at once;
        // saying so lets the client answer that offer before it starts its own publish negotiation.
        boolean offerFollows = self.room().participantsNow().stream().anyMatch(o -> o != self && o.publishesTracks());
        // Read after entered(): a recording that starts from here on is also announced to this session.
        send(new ServerMessage.Joined(self.id(), room, others, service.iceServersFor(permit), permit.host(),
                permit.mayRecord(), service.recording(room), service.simulcast(), offerFollows));
        log.debug("joined sent to {} as {}", permit.name(), self.id());
        sendResumeToken();
        ServerMessage.CaptionStatus captions = service.captionStatus(room);
        if (captions != null) {
            send(captions);
        }
        if (permit.host()) {
            send(ServerMessage.LobbyUpdated.of(service.lobby().list(room)));
        }
        drainBacklog();
    }

    @Override
    public void onSubscriberOffer(String sdp, int version) {
        send(new ServerMessage.SubscriberOffer(sdp, version));
        log.debug("subscriber offer {} sent to {}", version, permit.name());
    }

    @Override
    public void onPublisherLayers(String mid, List<String> neededRids) {
        send(new ServerMessage.PublisherLayers(mid, neededRids));
    }

    @Override
    public void onParticipantJoined(ParticipantInfo other) {
        send(new ServerMessage.ParticipantJoined(other));
    }

    @Override
    public void onParticipantUpdated(ParticipantInfo other) {
        send(new ServerMessage.ParticipantUpdated(other));
    }

    @Override
    public void onParticipantLeft(String participantId, LeaveReason reason) {
        send(new ServerMessage.ParticipantLeft(participantId, reason.wireName()));
    }

    @Override
    public void onActiveSpeaker(String participantId) {
        send(new ServerMessage.ActiveSpeaker(participantId));
    }

    @Override
    public void onVideoPaused(List<String> participantIds) {
        send(new ServerMessage.VideoPaused(participantIds));
    }

    @Override
    public void onRemoved(LeaveReason reason) {
        Participant p = participant;
        boolean wasIn;
        synchronized (lock) {
            wasIn = state == State.JOINED && p != null;
            if (wasIn) {
                state = State.GONE;
                forgetResumeToken();
            }
        }
        if (wasIn) {
            service.seats().release(room, this);
            service.exited(room, this);
            service.observer().left(room, p.id(), reason.wireName());
            send(new ServerMessage.Left(reason.wireName()));
            out.closeWhenDrained();
        }
    }

    // --- sending ---

    private void failed(String requestType, Throwable e) {
        Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        switch (cause) {
            case SdpException sdp -> error("bad_sdp", requestType, sdp.getMessage());
            case StaleAnswerException stale -> error("stale_answer", requestType, stale.getMessage());
            case TooManyTracksException tracks -> error("too_many_tracks", requestType, tracks.getMessage());
            case TooManyScreensException screens -> error("too_many_screens", requestType, screens.getMessage());
            case MediaPortsExhaustedException ports -> error("media_ports_exhausted", requestType, ports.getMessage());
            case IllegalStateException gone -> error("not_joined", requestType, gone.getMessage());
            default -> {
                log.warn("{} failed", requestType, cause);
                error("internal", requestType, "the server could not handle this " + requestType);
            }
        }
    }

    private void error(String code, String requestType, String message) {
        service.errorSent(code);
        send(new ServerMessage.Error(code, message, requestType));
    }

    @Override
    void send(ServerMessage message) {
        if (detached) {
            return; // nobody to tell: what the client needs is sent again when it resumes
        }
        ObjectNode node = service.json().createObjectNode().put("type", message.type());
        node.setAll((ObjectNode) service.json().valueToTree(message));
        out.send(node.toString());
    }

    private static String typeOf(ClientMessage m) {
        return switch (m) {
            case ClientMessage.Join j -> "join";
            case ClientMessage.Publish p -> "publish";
            case ClientMessage.SubscriberAnswer a -> "subscriberAnswer";
            case ClientMessage.Trickle t -> "trickle";
            case ClientMessage.Mute m2 -> "mute";
            case ClientMessage.Chat c -> "chat";
            case ClientMessage.Ping p -> "ping";
            case ClientMessage.Leave l -> "leave";
            case ClientMessage.Admit a -> "admit";
            case ClientMessage.Refuse r -> "refuse";
            case ClientMessage.Remove r -> "remove";
            case ClientMessage.StartRecording r -> "startRecording";
            case ClientMessage.StopRecording r -> "stopRecording";
            case ClientMessage.SetCaptions c -> "setCaptions";
            case ClientMessage.Resume r -> "resume";
            case ClientMessage.RestartIce r -> "restartIce";
            case ClientMessage.SetVideoSize v -> "setVideoSize";
        };
    }

    // --- reconnecting: the seat outlives a dropped connection for the grace period ---

    /** This connection's own queue (while {@link #out} may be another connection's, after a resume). */
    private volatile OutboundQueue ownOut;
    /** On a connection that resumed a seat: that seat, which handles everything this connection says. */
    private volatile SignalingSession resumedSeat;
    /** Joined but without a connection: held for the grace period. Written under {@link #lock}. */
    private volatile boolean detached;
    /** Counts detachments, so that a grace timer of an earlier one does nothing. Guarded by {@link #lock}. */
    private long detachments;
    /** The token that resumes this seat, null when it has none. Guarded by {@link #lock}. */
    private String resumeToken;

    /** Gives the client a new resume token (the previous one, if any, no longer works). */
    private void sendResumeToken() {
        String token;
        synchronized (lock) {
            if (state != State.JOINED) {
                return;
            }
            service.resumeTokens().revoke(resumeToken);
            token = service.resumeTokens().issue(this);
            resumeToken = token;
        }
        send(new ServerMessage.ResumeToken(token, service.reconnectGrace().toSeconds()));
    }

    /** Called holding {@link #lock}, when the seat is given up. */
    private void forgetResumeToken() {
        service.resumeTokens().revoke(resumeToken);
        resumeToken = null;
        detached = false;
    }

    /**
     * The connection whose queue is {@code which} closed. When it is the one this seat talks over and the seat is
     * in a room, the seat is held for the grace period unless the client closed normally (1000: it means to go;
     * 1001: its page went away and cannot resume); otherwise the participant leaves as disconnected.
     */
    private void connectionClosed(OutboundQueue which, int statusCode) {
        Duration grace = service.reconnectGrace();
        Participant p;
        long detachment;
        synchronized (lock) {
            if (which != out) {
                return; // a connection this seat has moved off (a resume replaced it)
            }
            p = participant;
            boolean hold = state == State.JOINED && p != null && !detached && grace.isPositive()
                    && statusCode != 1000 && statusCode != 1001;
            if (!hold) {
                p = null;
            } else {
                detached = true;
                detachment = ++detachments;
                service.later(grace, () -> graceEnded(detachment));
            }
        }
        if (p == null) {
            leaveRoomQuota();
            // A join still on its way sees GONE in onJoined and leaves at once.
            leave(LeaveReason.DISCONNECTED, false);
            return;
        }
        p.holdForReconnect(true);
        tellOthers(new ServerMessage.ParticipantReconnecting(p.id(), true));
        log.debug("{} in {} lost its signaling connection; held for {}", p.id(), room, grace);
    }

    /** The grace period of detachment {@code detachment} is over: if nobody resumed the seat, it is given up. */
    private void graceEnded(long detachment) {
        synchronized (lock) {
            if (!detached || detachment != detachments || state != State.JOINED) {
                return;
            }
        }
        leaveRoomQuota();
        leave(LeaveReason.DISCONNECTED, false);
    }

    /** {@code resume}, sent as the first message of a new connection: take the token's seat over. */
    private void resume(String token) {
        if (state != State.NEW) {
            error("already_joined", "resume", "this connection has joined already; resume on a new connection");
            return;
        }
        if (service.shuttingDown()) {
            error("shutting_down", "resume", "the server is shutting down; join again once it is back");
            return;
        }
        SignalingSession seat = service.resumeTokens().take(token);
        if (seat == null || !seat.takeOver(this)) {
            error("resume_refused", "resume",
                    "that resume token is unknown, used already or expired (the seat is gone); join again");
        }
    }

    /**
     * Moves this seat onto {@code to}'s connection: the connection it had, if still open, is closed; the client gets
     * the room as it is now, a new token and a new subscriber offer (restarting ICE on that connection).
     */
    private boolean takeOver(SignalingSession to) {
        OutboundQueue previous;
        boolean wasDetached;
        Participant p;
        synchronized (lock) {
            if (state != State.JOINED || participant == null) {
                return false;
            }
            p = participant;
            previous = out;
            wasDetached = detached;
            detached = false;
            detachments++;
            resumeToken = null;
            out = to.out;
            to.resumedSeat = this;
        }
        if (!wasDetached) {
            previous.closeWhenDrained(1000, "resumed on another connection");
        }
        p.holdForReconnect(false);
        if (wasDetached) {
            tellOthers(new ServerMessage.ParticipantReconnecting(p.id(), false));
        }
        p.room().participants().whenComplete((all, e) -> {
            List<ParticipantInfo> others = all == null ? List.of()
                    : all.stream().filter(i -> !i.id().equals(p.id())).toList();
            send(new ServerMessage.Resumed(p.id(), room, others, service.iceServersFor(permit), permit.host(),
                    permit.mayRecord(), service.recording(room)));
            sendResumeToken();
            ServerMessage.CaptionStatus captions = service.captionStatus(room);
            if (captions != null) {
                send(captions);
            }
            if (permit.host()) {
                send(ServerMessage.LobbyUpdated.of(service.lobby().list(room)));
            }
            p.restartSubscriberIce();
        });
        return true;
    }

    private void tellOthers(ServerMessage message) {
        for (SignalingSession s : service.sessionsIn(room)) {
            if (s != this) {
                s.send(message);
            }
        }
    }
}

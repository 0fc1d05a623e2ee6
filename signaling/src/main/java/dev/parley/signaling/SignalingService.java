package dev.parley.signaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.sfu.SfuServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Parley's WebSocket signaling (docs/protocol.md) over an {@link SfuServer}.
 *
 * <p>{@link #handler} gives the Jetty handler that upgrades {@code /ws/signaling}; everything else passes
 * to the wrapped handler.
 */
public final class SignalingService {
    /** Largest text message accepted; an SDP for a large room fits with room to spare. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;
    /** A connection with no message either way for this long is closed; clients {@code ping} well within it. */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);
    /** How many may wait in one room's lobby; more are refused with {@code lobby_full}. */
    public static final int MAX_WAITING_PER_ROOM = 50;
    /** How long joins already past authorization are still refused after {@link #closeRoom}. */
    static final Duration CLOSED_ROOM_MEMORY = Duration.ofMinutes(1);

    private final SfuServer sfu;
    private final JoinAuthorizer authorizer;
    private final Function<JoinPermit, List<IceServer>> iceServers;
    private final ParticipantObserver observer;
    private final SignalingLimits limits;
    private final AddressQuota quota;
    private final ErrorCounts errors = new ErrorCounts();
    private final LongAdder originRefusals = new LongAdder();
    /** Open connections counted against {@link SignalingLimits#maxConnections()}. */
    private final AtomicInteger connections = new AtomicInteger();
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentHashMap<String, Set<SignalingSession>> rooms = new ConcurrentHashMap<>();
    private final RoomSeats seats = new RoomSeats();
    private final Lobby lobby = new Lobby(MAX_WAITING_PER_ROOM);
    private final HttpMediaSessions httpSessions = new HttpMediaSessions(this);
    /** Rooms closed lately, with why and when (nanoTime): a join authorized just before the close stays out. */
    private final ConcurrentHashMap<String, Closed> closed = new ConcurrentHashMap<>();

    /**
     * Identities a host removed, per room, refused until the room is closed (the meeting ends). Each entry took
     * a real participant and a host's decision to make, so the sets stay small without a bound of their own.
     */
    private final ConcurrentHashMap<String, Set<String>> barred = new ConcurrentHashMap<>();
    /** Rooms being recorded now, with the recording's id: announced in {@code joined}. */
    private final ConcurrentHashMap<String, String> recordings = new ConcurrentHashMap<>();
    private volatile RecordingControl recordingControl = RecordingControl.UNAVAILABLE;
    private volatile RoomHome roomHome = RoomHome.HERE;
    /** Rooms whose captions are on (active or paused), with the status: announced after {@code joined}. */
    private final ConcurrentHashMap<String, ServerMessage.CaptionStatus> captionStatus = new ConcurrentHashMap<>();
    private volatile CaptionControl captionControl = CaptionControl.UNAVAILABLE;

    /** The reason given to someone a host removed. */
    public static final String REMOVED_BY_HOST = "removed_by_host";

    private record Closed(String reason, long atNanos) {}
    private volatile boolean shuttingDown;
    /** Whether pages publish their camera as simulcast layers (the {@code simulcast} setting), told in {@code joined}. */
    private volatile boolean simulcast;

    /**
     * @param iceServers the STUN/TURN servers each participant gets in {@code joined} (TURN credentials are per participant)
     */
    public SignalingService(SfuServer sfu, JoinAuthorizer authorizer, Function<JoinPermit, List<IceServer>> iceServers,
                            ParticipantObserver observer) {
        this(sfu, authorizer, iceServers, observer, SignalingLimits.defaults());
    }

    /**
     * @param iceServers the STUN/TURN servers each participant gets in {@code joined} (TURN credentials are per participant)
     * @param limits what one client address may hold (connections, rooms, guest joins)
     */
    public SignalingService(SfuServer sfu, JoinAuthorizer authorizer, Function<JoinPermit, List<IceServer>> iceServers,
                            ParticipantObserver observer, SignalingLimits limits) {
        this.sfu = sfu;
        this.authorizer = authorizer;
        this.iceServers = iceServers;
        this.observer = observer;
        this.limits = limits;
        this.quota = new AddressQuota(limits.connectionsPerAddress(), limits.roomsPerAddress());
    }

    /**
     * Wraps {@code next} with the WebSocket upgrade at {@code /ws/signaling} and WHIP/WHEP at {@code /whip/{room}} and
     * {@code /whep/{room}} (docs/whip-whep.md). An upgrade from a browser page of
     * an origin {@code origins} does not permit is refused with 403 before it upgrades.
     */
    public Handler handler(Server server, Handler next, AllowedOrigins origins) {
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            // Jetty's own limit sits above ours so an oversized message gets a protocol error, not a dropped socket.
            container.setMaxTextMessageSize(4L * MAX_MESSAGE_BYTES);
            container.setIdleTimeout(IDLE_TIMEOUT);
            container.addMapping("/ws/signaling", (request, response, callback) -> {
                HttpURI uri = request.getHttpURI();
                if (!origins.permits(request.getHeaders().get(HttpHeader.ORIGIN), uri.getHost(), uri.getPort())) {
                    originRefusals.increment();
                    Response.writeError(request, response, callback, 403,
                            "signaling is not open to pages of this origin (see the allowed-origins setting)");
                    return null;
                }
                return new SignalingSession(this, ClientAddress.of(request, limits.trustedProxies()));
            });
        });
        ws.setHandler(new WhipWhepHandler(this, httpSessions, limits, next));
        return ws;
    }

    /** How many signaling connections have joined a room (or are in it). */
    public int openSessions() {
        int n = 0;
        for (Set<SignalingSession> s : rooms.values()) {
            n += s.size();
        }
        return n;
    }

    /** How many WHIP ingest sessions are open (each is also a participant in its room). */
    public int whipSessions() {
        return httpSessions.ingestCount();
    }

    /** How many WHEP viewer sessions are open (viewers are not participants). */
    public int whepSessions() {
        return httpSessions.viewerCount();
    }

    /** How many signaling connections are open and counted against the server-wide cap, joined or not. */
    public int openConnections() {
        return connections.get();
    }

    /** The server-wide cap on open signaling connections. */
    public int maxConnections() {
        return limits.maxConnections();
    }

    /** How many {@code error} messages with {@code code} signaling has sent since it started. */
    public long errorsSent(ErrorCode code) {
        return errors.sent(code);
    }

    /**
     * How many {@code error} messages signaling has sent with a code outside {@link ErrorCode}: only a
     * {@link JoinAuthorizer} of an embedder (or a {@link #closeRoom} reason) can give one; Parley's own never do.
     */
    public long errorsSentWithOtherCodes() {
        return errors.sentWithOtherCodes();
    }

    /** How many WebSocket upgrades were refused with 403 because the page's origin is not allowed. */
    public long originRefusals() {
        return originRefusals.sum();
    }

    /** Who waits in {@code room}'s lobby, oldest first. */
    public List<WaitingParticipant> waiting(String room) {
        return lobby.list(room);
    }

    /** Lets {@code waitingId} into {@code room}, on behalf of host {@code by} (an identity, for the record). */
    public AdmitResult admit(String room, String waitingId, String by) {
        SignalingSession s = lobby.find(room, waitingId);
        return s == null ? AdmitResult.NOT_WAITING : s.admit(by);
    }

    /** Turns {@code waitingId} away from {@code room}'s lobby; false when nobody waits under that id. */
    public boolean refuse(String room, String waitingId, String by) {
        SignalingSession s = lobby.find(room, waitingId);
        return s != null && s.refuse(by);
    }

    /**
     * Tells everyone in {@code room} that recording {@code recordingId} started ({@code active}) or ended, with the
     * signaling message {@code recording}; people who join later learn it from {@code joined}.
     */
    public void recordingChanged(String room, String recordingId, boolean active) {
        if (active) {
            recordings.put(room, recordingId);
        } else if (!recordings.remove(room, recordingId)) {
            return; // not the room's current recording: nothing to announce
        }
        ServerMessage.Recording message = new ServerMessage.Recording(active, recordingId);
        for (Seat s : seats.in(room)) {
            s.send(message);
        }
    }

    /** Where {@code startRecording} and {@code stopRecording} go; without it they are refused. */
    public void controlRecordingsWith(RecordingControl control) {
        this.recordingControl = java.util.Objects.requireNonNull(control, "control");
    }

    RecordingControl recordingControl() {
        return recordingControl;
    }

    /** Which node serves each room; joins for rooms served elsewhere get {@code wrong_node}. */
    public void placeRoomsWith(RoomHome home) {
        this.roomHome = java.util.Objects.requireNonNull(home, "home");
    }

    RoomHome roomHome() {
        return roomHome;
    }

    /** The rooms someone is in, on the way into, or waiting in the lobby of, on this server. */
    public Set<String> occupiedRooms() {
        Set<String> out = new java.util.HashSet<>(rooms.keySet());
        out.addAll(seats.rooms());
        out.addAll(lobby.rooms());
        return out;
    }

    /** Where {@code setCaptions} goes; without it, turning captions on is refused with {@code captions_unavailable}. */
    public void controlCaptionsWith(CaptionControl control) {
        this.captionControl = java.util.Objects.requireNonNull(control, "control");
    }

    CaptionControl captionControl() {
        return captionControl;
    }

    /**
     * Shows a caption to everyone in {@code room}: what {@code participantId} (shown as {@code name}) said between
     * {@code start} and {@code end}; {@code isFinal} false for an interim guess. Returns at once (messages queue
     * per connection); call it off the media threads.
     */
    public void caption(String room, String participantId, String name, String text, java.time.Instant start,
                        java.time.Instant end, boolean isFinal) {
        ServerMessage.Caption message = new ServerMessage.Caption(participantId, name, text, start.toString(),
                end.toString(), isFinal);
        for (Seat s : seats.in(room)) {
            s.send(message);
        }
    }

    /** Shows an emotion sample to the hosts in {@code room} only. */
    public void emotion(String room, String participantId, String name, String label, double score,
                        java.time.Instant start, java.time.Instant end) {
        ServerMessage.Emotion message = new ServerMessage.Emotion(participantId, name, label, score, start.toString(),
                end.toString());
        for (Seat s : seats.in(room)) {
            if (s.permit().host()) {
                s.send(message);
            }
        }
    }

    /**
     * Tells everyone in {@code room} that its captions are now {@code status} ({@code active}, {@code paused} or
     * {@code off}); people who join later get it right after {@code joined}. A repeated status is not sent again.
     */
    public void captionStatusChanged(String room, String status) {
        if (!List.of("active", "paused", "off").contains(status)) {
            throw new IllegalArgumentException("caption status must be active, paused or off: " + status);
        }
        ServerMessage.CaptionStatus message = new ServerMessage.CaptionStatus(status);
        ServerMessage.CaptionStatus before = status.equals("off") ? captionStatus.remove(room)
                : captionStatus.put(room, message);
        if (message.equals(before) || (before == null && status.equals("off"))) {
            return;
        }
        for (Seat s : seats.in(room)) {
            s.send(message);
        }
    }

    /** The room's caption status when captions are on, else null. */
    ServerMessage.CaptionStatus captionStatus(String room) {
        return captionStatus.get(room);
    }

    ServerMessage.Recording recording(String room) {
        String id = recordings.get(room);
        return id == null ? ServerMessage.Recording.NONE : new ServerMessage.Recording(true, id);
    }

    /**
     * Removes everyone from {@code room}, those in it and those waiting in its lobby: each gets
     * {@code removed} with {@code reason} and its socket closes. Joins already on their way are refused with
     * {@code reason} as the error code.
     *
     * @return how many were removed
     */
    public int closeRoom(String room, String reason) {
        long now = System.nanoTime();
        closed.values().removeIf(c -> now - c.atNanos() > CLOSED_ROOM_MEMORY.toNanos());
        closed.put(room, new Closed(reason, now));
        barred.remove(room);
        captionStatus.remove(room);
        int n = 0;
        for (SignalingSession s : lobby.drain(room)) {
            n += s.remove(reason) ? 1 : 0;
        }
        n += httpSessions.endViewers(room);
        for (Seat s : seats.in(room)) {
            n += s.remove(reason) ? 1 : 0;
        }
        return n;
    }

    /**
     * Takes participant {@code participantId} out of {@code room} on behalf of host {@code by} (an identity):
     * it gets {@code removed} with reason {@code removed_by_host}, others see it leave with reason
     * {@code removed}, and its identity may not join the room again (error {@code removed}) until the room is
     * closed. Other connections of the same identity in the room or its lobby go too.
     */
    public RemoveResult removeParticipant(String room, String participantId, String by) {
        Seat target = null;
        for (Seat s : seats.in(room)) {
            if (participantId.equals(s.participantId())) {
                target = s;
                break;
            }
        }
        if (target == null) {
            return RemoveResult.NOT_IN_ROOM;
        }
        String identity = target.identity();
        if (identity.equals(by)) {
            return RemoveResult.SELF;
        }
        // Barred first: a join of this identity that takes its seat after the sweep below sees the bar.
        barred.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(identity);
        for (Seat s : seats.in(room)) {
            if (identity.equals(s.identity())) {
                remove(s, REMOVED_BY_HOST, by);
            }
        }
        removeWaiting(lobby.in(room), identity, REMOVED_BY_HOST, by);
        return RemoveResult.REMOVED;
    }

    /**
     * Takes every connection of {@code identity} out of every room and lobby with {@code reason} (an account
     * was disabled or deleted by {@code by}). The control plane refuses the account's joins from then on.
     *
     * @return how many connections were removed
     */
    public int removeIdentity(String identity, String reason, String by) {
        int n = 0;
        for (Seat s : seats.all()) {
            if (identity.equals(s.identity())) {
                n += remove(s, reason, by) ? 1 : 0;
            }
        }
        n += httpSessions.endViewersOf(identity);
        return n + removeWaiting(lobby.all(), identity, reason, by);
    }

    private int removeWaiting(List<SignalingSession> waiting, String identity, String reason, String by) {
        int n = 0;
        for (SignalingSession s : waiting) {
            if (identity.equals(s.identity()) && remove(s, reason, by)) {
                n++;
                lobbyChanged(s.room());
            }
        }
        return n;
    }

    private boolean remove(Seat s, String reason, String by) {
        String participantId = s.participantId();
        if (!s.remove(reason)) {
            return false;
        }
        observer.removed(s.room(), participantId, s.permit(), reason, by);
        return true;
    }

    /** Whether a host removed {@code identity} from {@code room} (and the room has not been closed since). */
    boolean barred(String room, String identity) {
        Set<String> ids = barred.get(room);
        return ids != null && ids.contains(identity);
    }

    /** Why {@code room} takes nobody in right now (it was just closed), or null. */
    String closedReason(String room) {
        Closed c = closed.get(room);
        return c == null || System.nanoTime() - c.atNanos() > CLOSED_ROOM_MEMORY.toNanos() ? null : c.reason();
    }

    RoomSeats seats() {
        return seats;
    }

    Lobby lobby() {
        return lobby;
    }

    /** Tells the hosts in {@code room} who waits now. */
    void lobbyChanged(String room) {
        ServerMessage.LobbyUpdated update = null;
        for (SignalingSession s : sessionsIn(room)) {
            if (s.permit().host()) {
                if (update == null) {
                    update = ServerMessage.LobbyUpdated.of(lobby.list(room));
                }
                s.send(update);
            }
        }
    }

    /**
     * The first step of a server shutdown: refuses joins from now on ({@code error} code
     * {@code shutting_down}), and sends every joined participant {@code left} with reason
     * {@code server_shutdown}, removes them from their room (the observer hears each departure) and closes
     * their sockets once that message is sent. Waits up to {@code grace} for those sockets to close.
     */
    public void shutdown(Duration grace) {
        shuttingDown = true;
        httpSessions.endAll();
        List<SignalingSession> joined = rooms.values().stream().flatMap(Set::stream).toList();
        for (SignalingSession s : joined) {
            s.serverShutdown();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (SignalingSession s : joined) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !s.awaitClosed(Duration.ofNanos(left))) {
                break;
            }
        }
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    SfuServer sfu() {
        return sfu;
    }

    JoinAuthorizer authorizer() {
        return authorizer;
    }

    List<IceServer> iceServersFor(JoinPermit permit) {
        return iceServers.apply(permit);
    }

    ParticipantObserver observer() {
        return observer;
    }

    /** Counts a new connection against the server-wide cap; false (nothing counted) when it is reached. */
    boolean openConnection() {
        int max = limits.maxConnections();
        for (int n = connections.get(); n < max; n = connections.get()) {
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    void closeConnection() {
        connections.decrementAndGet();
    }

    void errorSent(String code) {
        errors.count(code);
    }

    AddressQuota quota() {
        return quota;
    }

    GuestJoinLimiter guestJoins() {
        return limits.guestJoins();
    }

    ObjectMapper json() {
        return json;
    }

    void entered(String room, SignalingSession s) {
        rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void exited(String room, SignalingSession s) {
        rooms.computeIfPresent(room, (r, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    Set<SignalingSession> sessionsIn(String room) {
        return rooms.getOrDefault(room, Set.of());
    }

    // --- reconnecting: seats held for a while after their connection drops ---

    private final ResumeTokens resumeTokens = new ResumeTokens();
    private volatile Duration reconnectGrace = Duration.ZERO;
    private final java.util.concurrent.ScheduledExecutorService graceTimers =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "signaling-reconnect-grace");
                t.setDaemon(true);
                return t;
            });

    /**
     * How long a participant whose signaling connection drops (without {@code leave}) keeps its seat, media and
     * participant id, for its client to take them back with {@code resume}; others see it as reconnecting
     * meanwhile. Zero (the default) removes it at once, as a participant that left.
     */
    public void holdSeatsOnDisconnect(Duration grace) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("the reconnect grace must not be negative: " + grace);
        }
        this.reconnectGrace = grace;
    }

    Duration reconnectGrace() {
        return reconnectGrace;
    }

    ResumeTokens resumeTokens() {
        return resumeTokens;
    }

    /** Runs {@code task} once {@code after} has passed, on a timer thread (it must only hand work on). */
    void later(Duration after, Runnable task) {
        graceTimers.schedule(task, after.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Sets whether pages publish their camera as simulcast layers (told in {@code joined}); off by default. */
    public void setSimulcast(boolean on) {
        simulcast = on;
    }

    boolean simulcast() {
        return simulcast;
    }
}

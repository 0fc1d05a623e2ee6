package dev.parley.control;

import dev.parley.control.events.WebhookTarget;
import dev.parley.control.events.EventOutbox;
import dev.parley.control.state.LiveParticipants;
import dev.parley.control.state.RateLimiter;
import dev.parley.control.state.RevocationStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.eclipse.jetty.server.Handler;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane: the REST API under {@code /api/v1}, its database, and the hooks the signaling side calls.
 * The server module starts one, mounts {@link #apiHandler()} and closes it on shutdown.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

    private final Database database;
    private final ApiHandler handler;
    private final Router router;
    private final JoinTokens joinTokens;
    private final ParticipantHistory participants;
    private final ApiKeyStore apiKeys;
    private final TurnCredentials turn;
    private final JoinAdmission admission;
    private final LobbyEvents lobbyEvents;
    private final RecordingRoutes recordings;
    private final CaptionSwitch captions;
    private final CaptionResults captionResults;

    private ControlPlane(Database database, Router router, ApiHandler handler, JoinTokens joinTokens,
                         ParticipantHistory participants, ApiKeyStore apiKeys, TurnCredentials turn,
                         JoinAdmission admission, LobbyEvents lobbyEvents, RecordingRoutes recordings,
                         CaptionSwitch captions, CaptionResults captionResults) {
        this.recordings = recordings;
        this.captions = captions;
        this.captionResults = captionResults;
        this.turn = turn;
        this.admission = admission;
        this.lobbyEvents = lobbyEvents;
        this.database = database;
        this.router = router;
        this.handler = handler;
        this.joinTokens = joinTokens;
        this.participants = participants;
        this.apiKeys = apiKeys;
    }

    /**
     * Opens the database (migrating it), loads or creates the server secret and builds the API.
     *
     * @param outbox      records events in the transaction of each change
     * @param limiter      counts login and meeting-password attempts
     * @param revocations  a cache in front of the database's list of revoked tokens (in memory, or Redis
     *                     shared by nodes); the database is the record, so a cache that loses its data is harmless
     * @param live         who is in which room right now
     */
    public static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter,
                                     RevocationStore revocations, LiveParticipants live) {
        return start(cfg, outbox, limiter, revocations, live, LiveRooms.NONE);
    }

    /**
     * As above, with the live rooms the meeting API reaches into: its lobby endpoints, and removing everyone
     * when a meeting ends.
     */
    public static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter,
                                     RevocationStore revocations, LiveParticipants live, LiveRooms rooms) {
        return start(cfg, outbox, limiter, revocations, live, rooms, RoomRecorder.NONE);
    }

    /** As above, with the recorder the recording endpoints start and stop (attached to this plane's results). */
    public static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter,
                                     RevocationStore revocations, LiveParticipants live, LiveRooms rooms,
                                     RoomRecorder recorder) {
        return start(cfg, outbox, limiter, revocations, live, rooms, recorder, RoomCaptioner.NONE, SpeechAnalysis.NONE);
    }

    /**
     * As above, with the AI side: the captioner that {@link #setCaptions} and the meetings' {@code captions}
     * setting start and stop (it reports to {@link #captionResults()}), and the one-shot analysis behind
     * {@code /api/v1/ai/*}.
     */
    public static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter,
                                     RevocationStore revocations, LiveParticipants live, LiveRooms rooms,
                                     RoomRecorder recorder, RoomCaptioner captioner, SpeechAnalysis speech) {
        return start(cfg, outbox, limiter, revocations, live, rooms, recorder, captioner, speech, Clock.systemUTC(),
                PasswordHasher.DEFAULT);
    }

    static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter, RevocationStore revocations,
                              LiveParticipants live, Clock clock, PasswordHasher hasher) {
        return start(cfg, outbox, limiter, revocations, live, LiveRooms.NONE, clock, hasher);
    }

    static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter, RevocationStore revocations,
                              LiveParticipants live, LiveRooms rooms, Clock clock, PasswordHasher hasher) {
        return start(cfg, outbox, limiter, revocations, live, rooms, RoomRecorder.NONE, clock, hasher);
    }

    static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter, RevocationStore revocations,
                              LiveParticipants live, LiveRooms rooms, RoomRecorder recorder, Clock clock,
                              PasswordHasher hasher) {
        return start(cfg, outbox, limiter, revocations, live, rooms, recorder, RoomCaptioner.NONE, SpeechAnalysis.NONE,
                clock, hasher);
    }

    static ControlPlane start(ControlConfig cfg, EventOutbox outbox, RateLimiter limiter, RevocationStore revocations,
                              LiveParticipants live, LiveRooms rooms, RoomRecorder recorder, RoomCaptioner captioner,
                              SpeechAnalysis speech, Clock clock, PasswordHasher hasher) {
        Objects.requireNonNull(captioner, "captioner");
        Objects.requireNonNull(speech, "speech");
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(recorder, "recorder");
        Objects.requireNonNull(cfg, "cfg");
        Objects.requireNonNull(outbox, "outbox");
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(revocations, "revocations");
        Objects.requireNonNull(live, "live");
        ServerSecret secret = ServerSecret.load(cfg);
        Database db = Database.open(cfg);
        try {
            Jdbi jdbi = db.jdbi;
            StoredRevocations stored = new StoredRevocations(jdbi, revocations, clock);
            stored.purgeExpired();
            AccessTokens accessTokens = new AccessTokens(secret.derive("access-token"), clock, stored);
            RefreshTokens refreshTokens = new RefreshTokens(clock);
            Authenticator auth = new Authenticator(jdbi, accessTokens);
            ApiKeyStore apiKeys = new ApiKeyStore(jdbi, new SecretBox(secret.derive("api-key-secrets")));
            JoinTokens joinTokens = new JoinTokens(secret.derive("join-token"), clock, apiKeys::state, stored);
            Router router = new Router();
            new AuthRoutes(jdbi, clock, hasher, accessTokens, refreshTokens, auth, limiter, outbox).register(router);
            new UserRoutes(jdbi, clock, hasher, refreshTokens, auth, outbox, rooms).register(router);
            CaptionSwitch captions = new CaptionSwitch(jdbi, clock, outbox, captioner, rooms);
            new MeetingRoutes(jdbi, clock, cfg, hasher, auth, outbox, limiter, live, joinTokens, rooms, captions)
                    .register(router);
            new ApiKeyRoutes(jdbi, clock, auth, apiKeys).register(router);
            new TranscriptRoutes(jdbi, auth).register(router);
            new AiRoutes(speech, auth, apiKeys).register(router);
            String nodeId = NodeIdentity.load(cfg.dataDir());
            RecordingRoutes recordings = new RecordingRoutes(jdbi, clock, auth, outbox, recorder, nodeId, joinTokens);
            recordings.register(router);
            recordings.recoverInterrupted(); // what a crash of this node cut off (finished in the background)
            OpenApiDocument.register(router);
            ParticipantHistory participants = new ParticipantHistory(jdbi, clock, outbox, live, nodeId);
            participants.closeOpen(); // what a crash of this node left open
            LOG.info("control plane ready on {} ({} routes)", cfg.dbUrl() == null ? "H2 under " + cfg.dataDir() : "external database", router.routes().size());
            return new ControlPlane(db, router, new ApiHandler(router, cfg.maxBodyBytes()), joinTokens,
                    participants, apiKeys, new TurnCredentials(cfg),
                    new JoinAdmission(jdbi, joinTokens, cfg.authRequired()), new LobbyEvents(jdbi, clock, outbox),
                    recordings, captions, new CaptionResults(jdbi, clock, outbox, rooms));
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    /** The JDBI instance over the control plane's database (the event relay reads the outbox through it). */
    public Jdbi jdbi() {
        return database.jdbi;
    }

    /** The Jetty core handler serving {@code /api/v1/**}; it declines (returns false for) every other path. */
    public Handler apiHandler() {
        return handler;
    }

    /** Verifies join tokens presented to signaling. */
    public JoinTokens joinTokens() {
        return joinTokens;
    }

    /**
     * Signaling reports that {@code participantId} (of account or guest {@code identity}, shown as {@code name})
     * entered {@code room}: adds them to the live list, records the history row and emits
     * {@code participant.joined}; the room's meeting, if any, becomes {@code live}.
     *
     * @throws IllegalArgumentException when an id is null or empty
     */
    public void participantJoined(String room, String participantId, String identity, String name) {
        participants.joined(room, participantId, identity, name);
    }

    /**
     * Signaling reports that {@code participantId} left {@code room}: removes them from the live list, closes
     * the history row and emits {@code participant.left}. Unknown participants are ignored (leaving is idempotent).
     */
    public void participantLeft(String room, String participantId) {
        participants.left(room, participantId);
    }

    /**
     * Closes the presence of everyone this node still lists as present (history row closed,
     * {@code participant.left} emitted, meeting no longer {@code live}); the server calls it on shutdown
     * after signaling has closed its sessions, before closing this plane. Returns how many were closed.
     */
    public int closeOpenPresence() {
        return participants.closeOpen();
    }

    /**
     * The ICE servers for a participant's browser: the configured STUN servers, and TURN with credentials
     * that expire after the configured TTL (TURN REST API). Empty when none are configured.
     */
    public List<Map<String, Object>> iceServers(String identity) {
        return turn.iceServers(identity, java.time.Instant.now());
    }

    /**
     * Decides whether {@code token} (null for a guest by link) may enter {@code room} now: the token is valid,
     * the room's meeting (if any) has not ended, the token's account still exists and is enabled, the meeting
     * password it was minted under is still the password, and guests are still welcome. The answer carries
     * the rules signaling enforces from there: host rights, the lobby and the participant limit.
     *
     * @throws AdmissionRefused with the signaling error code and a message for the person joining
     */
    public Admission admit(String room, String token) throws AdmissionRefused {
        return admission.admit(room, token);
    }

    /** Signaling reports that someone entered {@code room}'s lobby: emits {@code participant.waiting}. */
    public void participantWaiting(String room, String waitingId, String identity, String name) {
        lobbyEvents.waiting(room, waitingId, identity, name);
    }

    /**
     * Signaling reports a host's decision ({@code by}, an identity) about someone in the lobby: emits
     * {@code participant.admitted} or {@code participant.refused}.
     */
    public void lobbyDecision(boolean admitted, String room, String waitingId, String identity, String by) {
        lobbyEvents.decided(admitted, room, waitingId, identity, by);
    }

    /**
     * Signaling reports that someone was taken out of a room by a decision ({@code by}, an identity; the
     * {@code reason} says whose): emits {@code participant.removed}.
     */
    public void participantRemoved(String room, String participantId, String identity, String reason, String by) {
        lobbyEvents.removed(room, participantId, identity, reason, by);
    }

    /**
     * A participant of {@code room} (of {@code identity}), whose join allows recording, starts recording the
     * room's meeting; the start is recorded as theirs. Returns the recording's id.
     *
     * @throws RecordingRefused with the signaling error code when the meeting may not be recorded now
     */
    public String startRecording(String room, String identity) throws RecordingRefused {
        try {
            return recordings.start(room, new RecordingRequester.Participant(identity)).id();
        } catch (ApiProblem p) {
            throw RecordingRefused.of(p);
        }
    }

    /**
     * A participant of {@code room} whose join allows recording stops the recording running in the room's meeting.
     *
     * @throws RecordingRefused with the signaling error code, e.g. {@code recording_not_active}
     */
    public void stopRecording(String room, String identity) throws RecordingRefused {
        try {
            recordings.stopInRoom(room, new RecordingRequester.Participant(identity));
        } catch (ApiProblem p) {
            throw RecordingRefused.of(p);
        }
    }

    /**
     * A host in {@code room} (of {@code identity}) turns live captions on or off: the room's meeting keeps it as its
     * {@code captions} setting, the captioner starts or stops, and the room is told ({@code captionStatus}).
     *
     * @throws CaptionsRefused with the signaling error code, e.g. {@code captions_unavailable} without AI
     */
    public void setCaptions(String room, String identity, boolean on) throws CaptionsRefused {
        try {
            captions.set(room, on);
        } catch (ApiProblem p) {
            throw CaptionsRefused.of(p);
        }
    }

    /**
     * Whether {@code room}'s meeting has captions turned on (its {@code captions} setting): the server starts the
     * captioner when such a room opens. False for rooms without a meeting.
     */
    public boolean captionsWanted(String room) {
        return captions.wanted(room);
    }

    /** Where the captioner reports transcripts, emotions and its status. */
    public CaptionResults captionResults() {
        return captionResults;
    }

    /** Webhook destinations of active API keys that have a webhook URL, with the secret to sign deliveries. */
    public List<WebhookTarget> webhookTargets() {
        return apiKeys.webhookTargets();
    }

    List<Router.Route> routes() {
        return router.routes();
    }

    /** Closes the database; call it last, once presence and events have been written. */
    @Override
    public void close() {
        database.close();
    }
}

package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import dev.parley.control.state.LiveParticipants;
import dev.parley.control.state.RateLimiter;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** {@code /meetings}: scheduling, editing and ending meetings, joining them, and who is or was in them. */
final class MeetingRoutes {
    static final int PASSWORD_ATTEMPTS = 10;
    static final Duration PASSWORD_WINDOW = Duration.ofMinutes(15);
    /** Identities of guests in server-issued join tokens start with this; account ids never do. */
    static final String GUEST_PREFIX = "guest-";
    /** The reason participants are given when their meeting ends. */
    static final String MEETING_ENDED = "meeting_ended";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final Clock clock;
    private final ControlConfig cfg;
    private final PasswordHasher hasher;
    private final Authenticator auth;
    private final EventOutbox outbox;
    private final RateLimiter limiter;
    private final LiveParticipants live;
    private final JoinTokens joinTokens;
    private final TurnCredentials turn;
    private final LiveRooms rooms;
    private final CaptionSwitch captions;

    MeetingRoutes(Jdbi jdbi, Clock clock, ControlConfig cfg, PasswordHasher hasher, Authenticator auth, EventOutbox outbox,
                  RateLimiter limiter, LiveParticipants live, JoinTokens joinTokens, LiveRooms rooms, CaptionSwitch captions) {
        this.rooms = rooms;
        this.captions = captions;
        this.jdbi = jdbi;
        this.clock = clock;
        this.cfg = cfg;
        this.hasher = hasher;
        this.auth = auth;
        this.outbox = outbox;
        this.limiter = limiter;
        this.live = live;
        this.joinTokens = joinTokens;
        this.turn = new TurnCredentials(cfg);
    }

    void register(Router router) {
        router.add("POST", "/api/v1/meetings", this::create);
        router.add("GET", "/api/v1/meetings", this::list);
        router.add("GET", "/api/v1/meetings/{id}", this::get);
        router.add("PATCH", "/api/v1/meetings/{id}", this::update);
        router.add("DELETE", "/api/v1/meetings/{id}", this::end);
        router.add("POST", "/api/v1/meetings/{id}/join", this::join);
        router.add("GET", "/api/v1/meetings/{id}/participants", this::liveParticipants);
        router.add("GET", "/api/v1/meetings/{id}/participants/history", this::history);
        router.add("POST", "/api/v1/meetings/{id}/participants/{participantId}/remove", this::remove);
        router.add("GET", "/api/v1/meetings/{id}/lobby", this::lobby);
        router.add("POST", "/api/v1/meetings/{id}/lobby/{waitingId}/admit", req -> decide(req, true));
        router.add("POST", "/api/v1/meetings/{id}/lobby/{waitingId}/refuse", req -> decide(req, false));
    }

    private ApiResponse create(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        if (!caller.user().role().canHost()) {
            throw ApiProblem.forbidden("only hosts and administrators may create meetings");
        }
        JsonBody body = req.json(Set.of("title", "scheduledStart", "scheduledEnd", "settings"));
        String title = MeetingRules.title(body, true);
        Instant start = body.instant("scheduledStart");
        Instant end = body.instant("scheduledEnd");
        JsonBody s = body.object("settings", MeetingRules.SETTINGS_FIELDS);
        Boolean guests = s.bool("guestsAllowed");
        String password = s.text("password", 1, MeetingRules.PASSWORD_MAX, false);
        Boolean lobby = s.bool("lobby");
        Boolean recording = s.bool("recordingAllowed");
        Integer max = s.integer("maxParticipants", 1, MeetingRules.MAX_PARTICIPANTS_LIMIT);
        Boolean captioned = captionsSetting(s);
        checkWindow(body, start, end);
        body.check();
        Instant now = UserStore.now(clock);
        Meeting.Settings settings = new Meeting.Settings(guests == null || guests, password == null ? null : hasher.hash(password),
                lobby != null && lobby, recording == null || recording, max == null ? MeetingRules.DEFAULT_MAX_PARTICIPANTS : max,
                captioned != null && captioned);
        Meeting meeting = jdbi.inTransaction(h -> {
            String room = RoomNames.next();
            while (MeetingStore.roomTaken(h, room)) {
                room = RoomNames.next();
            }
            Meeting m = new Meeting(UUID.randomUUID().toString(), room, title, caller.id(), trim(start), trim(end), settings,
                    Meeting.Status.SCHEDULED, now, now, null);
            MeetingStore.insert(h, m);
            outbox.append(h, DomainEvents.meetingCreated(m));
            return m;
        });
        return ApiResponse.created(meeting.view(cfg.publicUrl()), "/api/v1/meetings/" + meeting.id());
    }

    /** The {@code captions} setting if given; turning it on needs an AI service on this server. */
    private Boolean captionsSetting(JsonBody s) {
        Boolean on = s.bool("captions");
        if (on != null && on && !captions.available()) {
            s.error("captions", "this server has no AI service configured, so captions cannot be turned on");
        }
        return on;
    }

    private ApiResponse list(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        boolean mine = req.flag("mine");
        boolean past = req.flag("past");
        int limit = Paging.limit(req);
        int offset = Paging.offset(req);
        String viewer = mine || !caller.isAdmin() ? caller.id() : null;
        List<Map<String, Object>> items = jdbi.withHandle(h -> MeetingStore.list(h, viewer, mine, past, limit, offset))
                .stream().map(m -> m.view(cfg.publicUrl())).toList();
        return ApiResponse.ok(Map.of("items", items, "limit", limit, "offset", offset));
    }

    private ApiResponse get(ApiRequest req) {
        viewer(req);
        return ApiResponse.ok(find(req).view(cfg.publicUrl()));
    }

    private ApiResponse update(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        JsonBody body = req.json(Set.of("title", "scheduledStart", "scheduledEnd", "settings", "status"));
        String title = MeetingRules.title(body, false);
        Instant start = body.instant("scheduledStart");
        Instant end = body.instant("scheduledEnd");
        JsonBody s = body.object("settings", MeetingRules.SETTINGS_FIELDS);
        Boolean guests = s.bool("guestsAllowed");
        String password = s.text("password", 1, MeetingRules.PASSWORD_MAX, false);
        Boolean lobby = s.bool("lobby");
        Boolean recording = s.bool("recordingAllowed");
        Integer max = s.integer("maxParticipants", 1, MeetingRules.MAX_PARTICIPANTS_LIMIT);
        Boolean captioned = captionsSetting(s);
        String status = body.text("status", 1, 20, false);
        if (status != null && !status.equals("ended")) {
            body.error("status", "can only be set to 'ended' (a meeting goes live when someone joins)");
        }
        body.check();
        String passwordHash = password == null ? null : hasher.hash(password);
        String key = req.pathParam("id");
        Meeting updated = jdbi.inTransaction(h -> {
            Meeting m = MeetingStore.byIdOrRoom(h, key).orElseThrow(() -> ApiProblem.notFound("meeting " + TextRules.printable(key)));
            requireManager(caller, m);
            if (m.status() == Meeting.Status.ENDED) {
                throw new ApiProblem(ProblemType.MEETING_ENDED, "an ended meeting cannot be changed; create a new one");
            }
            List<String> changed = new ArrayList<>();
            Instant newStart = body.has("scheduledStart") ? trim(start) : m.scheduledStart();
            Instant newEnd = body.has("scheduledEnd") ? trim(end) : m.scheduledEnd();
            if (newStart != null && newEnd != null && !newEnd.isAfter(newStart)) {
                throw ApiProblem.invalid("scheduledEnd", "must be after scheduledStart");
            }
            if (body.has("scheduledStart")) {
                changed.add("scheduledStart");
            }
            if (body.has("scheduledEnd")) {
                changed.add("scheduledEnd");
            }
            Meeting.Settings old = m.settings();
            Meeting.Settings settings = new Meeting.Settings(
                    guests == null ? old.guestsAllowed() : guests,
                    s.has("password") ? passwordHash : old.passwordHash(),
                    lobby == null ? old.lobby() : lobby,
                    recording == null ? old.recordingAllowed() : recording,
                    max == null ? old.maxParticipants() : max,
                    captioned == null ? old.captions() : captioned);
            for (String f : MeetingRules.SETTINGS_FIELDS) {
                if (s.has(f)) {
                    changed.add("settings." + f);
                }
            }
            if (title != null) {
                changed.add("title");
            }
            Instant now = UserStore.now(clock);
            Meeting next = new Meeting(m.id(), m.room(), title == null ? m.title() : title, m.hostId(), newStart, newEnd,
                    settings, m.status(), m.createdAt(), now, m.endedAt());
            if (status != null) {
                next = next.withStatus(Meeting.Status.ENDED, now);
            }
            MeetingStore.update(h, next);
            if (!changed.isEmpty()) {
                outbox.append(h, DomainEvents.meetingUpdated(next, changed));
            }
            if (status != null) {
                outbox.append(h, DomainEvents.meetingEnded(next));
            }
            return next;
        });
        if (updated.status() == Meeting.Status.ENDED) {
            rooms.close(updated.room(), MEETING_ENDED);
            captions.meetingEnded(updated.room());
        } else if (!updated.settings().lobby()) {
            // Nobody is left waiting for a lobby that no longer exists.
            rooms.admitAll(updated.room(), caller.id());
        }
        if (captioned != null && updated.status() != Meeting.Status.ENDED) {
            captions.settingChanged(updated);
        }
        return ApiResponse.ok(updated.view(cfg.publicUrl()));
    }

    /**
     * DELETE ends the meeting; it stays in history. Everyone in its room or lobby is removed (after the end is
     * committed, so their join tokens are already refused). Ending an ended meeting changes nothing but
     * removes anyone still there.
     */
    private ApiResponse end(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        String key = req.pathParam("id");
        String room = jdbi.inTransaction(h -> {
            Meeting m = MeetingStore.byIdOrRoom(h, key).orElseThrow(() -> ApiProblem.notFound("meeting " + TextRules.printable(key)));
            requireManager(caller, m);
            if (m.status() != Meeting.Status.ENDED) {
                Meeting ended = m.withStatus(Meeting.Status.ENDED, UserStore.now(clock));
                MeetingStore.update(h, ended);
                outbox.append(h, DomainEvents.meetingEnded(ended));
            }
            return m.room();
        });
        rooms.close(room, MEETING_ENDED);
        captions.meetingEnded(room);
        return ApiResponse.noContent();
    }

    private ApiResponse lobby(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        Meeting m = find(req);
        requireManager(caller, m);
        List<Map<String, Object>> items = rooms.waiting(m.room()).stream().map(w -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("waitingId", w.waitingId());
            v.put("identity", w.identity());
            v.put("name", w.name());
            v.put("since", w.since());
            return v;
        }).toList();
        return ApiResponse.ok(Map.of("room", m.room(), "items", items));
    }

    private ApiResponse decide(ApiRequest req, boolean admit) {
        Authenticator.Caller caller = auth.require(req);
        Meeting m = find(req);
        requireManager(caller, m);
        if (m.status() == Meeting.Status.ENDED) {
            throw new ApiProblem(ProblemType.MEETING_ENDED, "this meeting has ended");
        }
        String waitingId = req.pathParam("waitingId");
        LiveRooms.Admit result = admit ? rooms.admit(m.room(), waitingId, caller.id())
                : rooms.refuse(m.room(), waitingId, caller.id()) ? LiveRooms.Admit.ADMITTED : LiveRooms.Admit.NOT_WAITING;
        return switch (result) {
            case ADMITTED -> ApiResponse.noContent();
            case NOT_WAITING -> throw ApiProblem.notFound("nobody waits in this meeting's lobby as " + TextRules.printable(waitingId));
            case ROOM_FULL -> throw new ApiProblem(ProblemType.MEETING_FULL, "the meeting is at its limit of "
                    + m.settings().maxParticipants() + " participants; they keep waiting");
        };
    }

    /**
     * The meeting's host or an admin takes one participant out: it is told {@code removed_by_host} and its
     * identity may not rejoin until the meeting ends. Only this node's rooms are reached.
     */
    private ApiResponse remove(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        Meeting m = find(req);
        requireManager(caller, m);
        if (m.status() == Meeting.Status.ENDED) {
            throw new ApiProblem(ProblemType.MEETING_ENDED, "this meeting has ended");
        }
        String participantId = req.pathParam("participantId");
        return switch (rooms.remove(m.room(), participantId, caller.id())) {
            case REMOVED -> ApiResponse.noContent();
            case NOT_IN_ROOM -> throw ApiProblem.notFound("nobody in this meeting has participant id "
                    + TextRules.printable(participantId));
            case SELF -> throw new ApiProblem(ProblemType.CONFLICT, "that participant is you; leave the meeting instead");
        };
    }

    private ApiResponse join(ApiRequest req) {
        Authenticator.Caller caller = viewer(req);
        JsonBody body = req.optionalJson(Set.of("name", "password"));
        String name = AccountRules.displayName(body, "name", false);
        String password = body.text("password", 1, MeetingRules.PASSWORD_MAX, false);
        body.check();
        Meeting m = find(req);
        if (m.status() == Meeting.Status.ENDED) {
            throw new ApiProblem(ProblemType.MEETING_ENDED, "this meeting has ended");
        }
        boolean isHost = caller != null && (caller.isAdmin() || caller.id().equals(m.hostId()));
        if (caller == null) {
            if (!m.settings().guestsAllowed()) {
                throw new ApiProblem(ProblemType.GUESTS_NOT_ALLOWED, "this meeting admits only signed-in accounts; log in first");
            }
            if (name == null) {
                throw ApiProblem.invalid("name", "is required for guests (the name others will see)");
            }
        }
        if (m.settings().passwordHash() != null && !isHost) {
            checkPassword(req, m, password);
        }
        if (!isHost && live.list(m.room()).size() >= m.settings().maxParticipants()) {
            throw new ApiProblem(ProblemType.MEETING_FULL, "the meeting has reached its limit of " + m.settings().maxParticipants() + " participants");
        }
        Instant now = clock.instant();
        String identity = caller != null ? caller.id() : GUEST_PREFIX + guestSuffix();
        String shownName = name != null ? name : caller.user().displayName();
        JoinGrant grant = new JoinGrant(m.room(), identity, shownName, true, true, isHost && m.settings().recordingAllowed(),
                isHost, now.plus(JoinTokens.DEFAULT_TTL).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("token", joinTokens.issue(grant, m.settings().passwordHash()));
        v.put("expiresAt", grant.expiresAt());
        v.put("room", m.room());
        v.put("meetingId", m.id());
        v.put("identity", identity);
        v.put("name", shownName);
        v.put("isHost", isHost);
        v.put("lobby", m.settings().lobby() && !isHost);
        v.put("signalingUrl", cfg.signalingUrl());
        v.put("meetingUrl", cfg.publicUrl() + "/meet/" + m.room());
        v.put("iceServers", turn.iceServers(identity, now));
        return ApiResponse.ok(v);
    }

    private void checkPassword(ApiRequest req, Meeting m, String password) {
        String key = "meeting-password:" + m.id() + "|" + req.clientAddress();
        if (!limiter.tryAcquire(key, PASSWORD_ATTEMPTS, PASSWORD_WINDOW)) {
            throw new ApiProblem(ProblemType.TOO_MANY_REQUESTS, "too many meeting password attempts from your address",
                    List.of(), Map.of("Retry-After", Long.toString(PASSWORD_WINDOW.toSeconds())));
        }
        if (password == null || !hasher.verify(password, m.settings().passwordHash())) {
            throw new ApiProblem(ProblemType.WRONG_MEETING_PASSWORD,
                    password == null ? "this meeting needs a password; send it as 'password'" : "the meeting password is wrong");
        }
        limiter.reset(key);
    }

    private ApiResponse liveParticipants(ApiRequest req) {
        viewer(req);
        Meeting m = find(req);
        List<Map<String, Object>> items = live.list(m.room()).stream().map(p -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("participantId", p.participantId());
            v.put("identity", p.identity());
            v.put("name", p.name());
            v.put("joinedAt", p.joinedAt());
            return v;
        }).toList();
        return ApiResponse.ok(Map.of("room", m.room(), "items", items));
    }

    private ApiResponse history(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        Meeting m = find(req);
        requireManager(caller, m);
        int limit = Paging.limit(req);
        int offset = Paging.offset(req);
        List<Map<String, Object>> items = jdbi.withHandle(h -> ParticipantHistory.forMeeting(h, m.id(), limit, offset));
        return ApiResponse.ok(Map.of("room", m.room(), "items", items, "limit", limit, "offset", offset));
    }

    /** The caller, or null for a guest; guests are refused outright when the server requires accounts. */
    private Authenticator.Caller viewer(ApiRequest req) {
        Authenticator.Caller caller = auth.optional(req).orElse(null);
        if (caller == null && cfg.authRequired()) {
            throw new ApiProblem(ProblemType.UNAUTHORIZED, "this server requires an account; log in first");
        }
        return caller;
    }

    private Meeting find(ApiRequest req) {
        String key = req.pathParam("id");
        return jdbi.withHandle(h -> MeetingStore.byIdOrRoom(h, key))
                .orElseThrow(() -> ApiProblem.notFound("meeting " + TextRules.printable(key)));
    }

    private static void requireManager(Authenticator.Caller caller, Meeting m) {
        if (!caller.isAdmin() && !caller.id().equals(m.hostId())) {
            throw ApiProblem.forbidden("only the meeting's host or an administrator may do this");
        }
    }

    private static void checkWindow(JsonBody body, Instant start, Instant end) {
        if (start != null && end != null && !end.isAfter(start)) {
            body.error("scheduledEnd", "must be after scheduledStart");
        }
    }

    /** Stored times have millisecond precision on every database; trim so what is returned equals what is stored. */
    private static Instant trim(Instant t) {
        return t == null ? null : t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    private static String guestSuffix() {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}

package dev.parley.control;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.parley.control.events.EventOutbox;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /meetings/{id}/recordings} and {@code /recordings/{id}}: the meeting's host (or an admin) starts and stops
 * recordings, lists them and downloads their files. Also the {@link RoomRecorder.Results} the recorder reports to:
 * a recording is {@code recording}, then {@code stopped} (files finalized, uploading), then {@code completed}
 * when every file is stored, or {@code failed} with a reason.
 */
final class RecordingRoutes implements RoomRecorder.Results {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingRoutes.class);
    private static final TypeReference<List<Map<String, Object>>> TRACKS = new TypeReference<>() {};

    private final Jdbi jdbi;
    private final Clock clock;
    private final Authenticator auth;
    private final EventOutbox outbox;
    private final RoomRecorder recorder;
    private final String nodeId;
    private final JoinTokens joinTokens;

    RecordingRoutes(Jdbi jdbi, Clock clock, Authenticator auth, EventOutbox outbox, RoomRecorder recorder,
                    String nodeId, JoinTokens joinTokens) {
        this.nodeId = nodeId;
        this.joinTokens = joinTokens;
        this.jdbi = jdbi;
        this.clock = clock;
        this.auth = auth;
        this.outbox = outbox;
        this.recorder = recorder;
    }

    void register(Router router) {
        router.add("POST", "/api/v1/meetings/{id}/recordings", this::start);
        router.add("GET", "/api/v1/meetings/{id}/recordings", this::list);
        router.add("POST", "/api/v1/recordings/{id}/stop", this::stop);
        router.add("GET", "/api/v1/recordings/{id}/download", this::download);
        router.add("GET", "/api/v1/recordings/{id}/files/{name}", this::file);
        recorder.attach(this);
    }

    /** A recording's row. */
    record Row(String id, String meetingId, String room, String status, String startedBy, Instant startedAt,
               Instant stoppedAt, Long durationMs, long bytes, Integer filesExpected, int filesUploaded,
               String tracks, boolean truncated, String failureReason, String meetingFileKey, Long meetingFileBytes,
               String meetingFileMissing) {

        Map<String, Object> view() {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", id);
            v.put("meetingId", meetingId);
            v.put("status", status);
            v.put("startedAt", startedAt);
            v.put("stoppedAt", stoppedAt);
            v.put("durationSeconds", durationMs == null ? null : durationMs / 1000.0);
            v.put("bytes", bytes);
            v.put("tracks", tracks == null ? List.of() : JsonCodec.MAPPER.convertValue(
                    JsonCodec.parse(tracks.getBytes(java.nio.charset.StandardCharsets.UTF_8)), TRACKS));
            v.put("truncated", truncated);
            v.put("failureReason", failureReason);
            v.put("meetingFileKey", meetingFileKey);
            v.put("meetingFileBytes", meetingFileBytes);
            v.put("meetingFileMissing", meetingFileMissing);
            return v;
        }
    }

    private ApiResponse start(ApiRequest req) {
        Row started = start(req.pathParam("id"), requester(req));
        return ApiResponse.created(started.view(), "/api/v1/recordings/" + started.id());
    }

    /**
     * A bearer join token (it has a {@code room} claim) asks as its holder; anything else must be an account's
     * access token. A missing token is 401.
     */
    private RecordingRequester requester(ApiRequest req) {
        Optional<String> bearer = req.bearer();
        if (bearer.isPresent() && JoinTokens.isJoinToken(bearer.get())) {
            return new RecordingRequester.JoinToken(bearer.get(), joinTokens);
        }
        return new RecordingRequester.Account(auth.require(req));
    }

    /** Starts recording meeting {@code key} (id or room) for {@code who}; refuses with a problem that changes nothing. */
    Row start(String key, RecordingRequester who) {
        String id = UUID.randomUUID().toString();
        Instant now = UserStore.now(clock);
        Meeting m = jdbi.inTransaction(h -> {
            Meeting meeting = MeetingStore.byIdOrRoom(h, key)
                    .orElseThrow(() -> ApiProblem.notFound("meeting " + TextRules.printable(key)));
            String by = who.authorize(h, meeting);
            if (meeting.status() == Meeting.Status.ENDED) {
                throw new ApiProblem(ProblemType.MEETING_ENDED, "this meeting has ended");
            }
            if (!meeting.settings().recordingAllowed()) {
                throw new ApiProblem(ProblemType.RECORDING_NOT_ALLOWED,
                        "this meeting's settings say recordingAllowed: false; change them first");
            }
            if (h.createQuery("SELECT COUNT(*) FROM recordings WHERE active_meeting_id = :m").bind("m", meeting.id())
                    .mapTo(Integer.class).one() > 0) {
                throw new ApiProblem(ProblemType.RECORDING_IN_PROGRESS, "this meeting is being recorded already; "
                        + "stop that recording first");
            }
            h.createUpdate("INSERT INTO recordings (id, meeting_id, active_meeting_id, room, node_id, status, "
                            + "started_by, started_at) VALUES (:id, :m, :m, :room, :node, 'recording', :by, :at)")
                    .bind("node", nodeId)
                    .bind("id", id).bind("m", meeting.id()).bind("room", meeting.room()).bind("by", by)
                    .bind("at", now).execute();
            outbox.append(h, DomainEvents.recording("recording.started", row(h, id).orElseThrow()));
            return meeting;
        });
        try {
            recorder.start(m.room(), id);
        } catch (RoomRecorder.Unavailable | IllegalStateException e) {
            jdbi.useTransaction(h -> markFailed(h, id, e.getMessage()));
            throw new ApiProblem(ProblemType.RECORDING_UNAVAILABLE, "the recording could not start: " + e.getMessage());
        }
        return jdbi.withHandle(h -> row(h, id)).orElseThrow();
    }

    /**
     * Takes up this node's recordings that a crash cut off (still {@code recording}, or {@code stopped} before
     * their files were handed on): each is marked {@code stopped}, which frees its meeting, and the recorder
     * finalizes what it had written in the background ({@link #recovered}). Call after {@link #register}, so that
     * the recorder is attached. A node that cannot record fails them.
     */
    void recoverInterrupted() {
        List<Row> rows = jdbi.withHandle(h -> h.createQuery("SELECT * FROM recordings WHERE node_id = :node AND "
                        + "(status = 'recording' OR (status = 'stopped' AND files_expected IS NULL))")
                .bind("node", nodeId).map((rs, ctx) -> map(rs)).list());
        for (Row r : rows) {
            if (r.status().equals("recording")) {
                jdbi.useTransaction(h -> markStopped(h, r, UserStore.now(clock)));
            }
            try {
                recorder.recover(r.id(), r.startedAt());
                LOG.info("Recording {} was cut off by a crash; recovering what it wrote", r.id());
            } catch (RoomRecorder.Unavailable | IllegalArgumentException e) {
                jdbi.useTransaction(h -> markFailed(h, r.id(), "the server stopped during the recording and "
                        + "cannot recover it: " + e.getMessage()));
            }
        }
    }

    private ApiResponse stop(ApiRequest req) {
        RecordingRequester who = requester(req);
        String id = req.pathParam("id");
        return ApiResponse.ok(stop(h -> find(h, id), who).view());
    }

    /** Stops the recording running in {@code room}'s meeting, for {@code who}. */
    Row stopInRoom(String room, RecordingRequester who) {
        return stop(h -> {
            Meeting m = MeetingStore.byRoom(h, room).orElseThrow(
                    () -> new ApiProblem(ProblemType.RECORDING_NOT_ACTIVE, "this room has no meeting, so no recording"));
            return h.createQuery("SELECT * FROM recordings WHERE active_meeting_id = :m").bind("m", m.id())
                    .map((rs, ctx) -> map(rs)).findOne().orElseThrow(() -> {
                        who.authorize(h, m); // a stranger learns nothing about the meeting's recordings
                        return new ApiProblem(ProblemType.RECORDING_NOT_ACTIVE, "this meeting is not being recorded");
                    });
        }, who);
    }

    private Row stop(java.util.function.Function<Handle, Row> which, RecordingRequester who) {
        Row stopped = jdbi.inTransaction(h -> {
            Row r = which.apply(h);
            who.authorize(h, meetingOf(h, r));
            if (!r.status().equals("recording")) {
                throw new ApiProblem(ProblemType.RECORDING_NOT_ACTIVE, "the recording is " + r.status());
            }
            markStopped(h, r, UserStore.now(clock));
            return row(h, r.id()).orElseThrow();
        });
        recorder.stop(stopped.id());
        return stopped;
    }

    private ApiResponse list(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        String key = req.pathParam("id");
        List<Map<String, Object>> items = jdbi.withHandle(h -> {
            Meeting m = MeetingStore.byIdOrRoom(h, key)
                    .orElseThrow(() -> ApiProblem.notFound("meeting " + TextRules.printable(key)));
            requireManager(caller, m);
            return h.createQuery("SELECT * FROM recordings WHERE meeting_id = :m ORDER BY started_at DESC")
                    .bind("m", m.id()).map((rs, ctx) -> map(rs)).list().stream().map(Row::view).toList();
        });
        return ApiResponse.ok(Map.of("items", items));
    }

    /**
     * The recording's files with a link each: the meeting file when there is one (else why not), the per-track
     * files, and the manifest.
     */
    private ApiResponse download(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        String id = req.pathParam("id");
        Row r = jdbi.withHandle(h -> {
            Row row = find(h, id);
            requireManager(caller, meetingOf(h, row));
            return row;
        });
        if (!r.status().equals("completed")) {
            throw new ApiProblem(ProblemType.CONFLICT, "the recording is " + r.status()
                    + "; its files can be downloaded once it is completed");
        }
        Map<String, Object> manifest = r.view();
        List<Map<String, Object>> files = new java.util.ArrayList<>();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tracks = (List<Map<String, Object>>) manifest.get("tracks");
        for (Map<String, Object> t : tracks) {
            Object fileKey = t.get("fileKey");
            if (fileKey != null) {
                Map<String, Object> f = fileLink(id, fileKey.toString(), t.get("bytes"));
                f.put("kind", t.get("kind"));
                f.put("participantName", t.get("participantName"));
                files.add(f);
            }
        }
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("recordingId", id);
        v.put("meetingFile", r.meetingFileKey() == null ? null
                : fileLink(id, r.meetingFileKey(), r.meetingFileBytes()));
        v.put("meetingFileMissing", r.meetingFileKey() != null ? null : r.meetingFileMissing() != null
                ? r.meetingFileMissing() : "no meeting file was made for this recording");
        v.put("files", files);
        v.put("manifest", manifest);
        return ApiResponse.ok(v);
    }

    /** A stored file's name, size and link: the presigned URL itself from an object store, else the API's path. */
    private Map<String, Object> fileLink(String id, String fileKey, Object bytes) {
        String name = fileKey.substring(fileKey.lastIndexOf('/') + 1);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("name", name);
        f.put("bytes", bytes);
        // A presigned URL needs no token, so a browser link works; the API's path needs the access token.
        String url = "/api/v1/recordings/" + id + "/files/" + name;
        boolean direct = false;
        try {
            if (recorder.download(fileKey) instanceof RoomRecorder.Download.Url u) {
                url = u.url().toString();
                direct = true;
            }
        } catch (RoomRecorder.Unavailable e) {
            LOG.warn("Recording {}: file {} is not in the store: {}", id, fileKey, e.getMessage());
        }
        f.put("url", url);
        f.put("direct", direct);
        return f;
    }

    /** One file: streamed from the local store, or a redirect to a presigned URL of the object store. */
    private ApiResponse file(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        String id = req.pathParam("id");
        String name = req.pathParam("name");
        Row r = jdbi.withHandle(h -> {
            Row row = find(h, id);
            requireManager(caller, meetingOf(h, row));
            return row;
        });
        String fileKey = r.meetingFileKey() != null && r.meetingFileKey().endsWith("/" + name)
                ? r.meetingFileKey() : null;
        for (Object t : (List<?>) r.view().get("tracks")) {
            Object k = ((Map<?, ?>) t).get("fileKey");
            if (k != null && k.toString().endsWith("/" + name)) {
                fileKey = k.toString();
            }
        }
        if (fileKey == null || !r.status().equals("completed")) {
            throw ApiProblem.notFound("recording " + id + " has no stored file " + TextRules.printable(name));
        }
        RoomRecorder.Download d;
        try {
            d = recorder.download(fileKey);
        } catch (RoomRecorder.Unavailable e) {
            throw ApiProblem.notFound("the file is not in the store: " + e.getMessage());
        }
        return switch (d) {
            case RoomRecorder.Download.Url url -> new ApiResponse(302, null, Map.of("Location", url.url().toString()));
            case RoomRecorder.Download.LocalFile f -> new ApiResponse(200, new ApiHandler.FileBody(f.path(), f.size(),
                    name.endsWith(".mkv") ? "video/x-matroska" : "video/webm"),
                    Map.of("Content-Disposition", "attachment; filename=\"" + name + "\""));
        };
    }

    // --- results from the recorder (its threads) ---

    @Override
    public void finished(String recordingId, RoomRecorder.Summary summary) {
        String tracks = new String(JsonCodec.write(summary.tracks()), java.nio.charset.StandardCharsets.UTF_8);
        inTransaction(h -> {
            Optional<Row> found = row(h, recordingId);
            if (found.isEmpty()) {
                return;
            }
            Row r = found.get();
            if (r.status().equals("recording")) { // the room closed, or the server stops: nobody called stop
                markStopped(h, r, UserStore.now(clock));
            }
            String missing = summary.meetingFileMissing();
            h.createUpdate("UPDATE recordings SET duration_ms = :d, tracks = :t, files_expected = :f, "
                            + "meeting_file_key = :mk, meeting_file_bytes = :mb, meeting_file_missing = :mm "
                            + "WHERE id = :id")
                    .bind("d", summary.durationMillis()).bind("t", tracks).bind("f", summary.files())
                    .bind("mk", summary.meetingFileKey())
                    .bind("mb", summary.meetingFileKey() == null ? null : summary.meetingFileBytes())
                    .bind("mm", missing == null || missing.length() <= 1000 ? missing : missing.substring(0, 1000))
                    .bind("id", recordingId).execute();
            completeIfStored(h, recordingId);
        });
    }

    @Override
    public void recovered(String recordingId, RoomRecorder.Summary summary) {
        String tracks = new String(JsonCodec.write(summary.tracks()), java.nio.charset.StandardCharsets.UTF_8);
        inTransaction(h -> {
            Row r = row(h, recordingId).orElse(null);
            if (r == null || !r.status().equals("stopped")) {
                return;
            }
            if (summary.files() == 0) {
                markFailed(h, recordingId, "the server stopped during the recording and no file of it could be "
                        + "recovered" + summary.tracks().stream().map(RoomRecorder.Track::failure)
                        .filter(java.util.Objects::nonNull).findFirst().map(f -> ": " + f).orElse(""));
                return;
            }
            // It ended at the crash, not at the restart: its stop is its start plus what was recovered.
            h.createUpdate("UPDATE recordings SET duration_ms = :d, tracks = :t, files_expected = :f, "
                            + "truncated = TRUE, stopped_at = :at WHERE id = :id")
                    .bind("d", summary.durationMillis()).bind("t", tracks).bind("f", summary.files())
                    .bind("at", r.startedAt().plusMillis(summary.durationMillis())).bind("id", recordingId)
                    .execute();
            completeIfStored(h, recordingId);
        });
    }

    @Override
    public void uploaded(String recordingId, String fileKey, long bytes) {
        inTransaction(h -> {
            h.createUpdate("UPDATE recordings SET files_uploaded = files_uploaded + 1, bytes = bytes + :b WHERE id = :id")
                    .bind("b", bytes).bind("id", recordingId).execute();
            completeIfStored(h, recordingId);
        });
    }

    @Override
    public void failed(String recordingId, String reason) {
        inTransaction(h -> markFailed(h, recordingId, reason));
    }

    private void inTransaction(java.util.function.Consumer<Handle> work) {
        try {
            jdbi.useTransaction(work::accept);
        } catch (RuntimeException e) {
            LOG.error("Could not record what became of a recording", e);
        }
    }

    private void completeIfStored(Handle h, String id) {
        Row r = row(h, id).orElse(null);
        if (r != null && r.status().equals("stopped") && r.filesExpected() != null
                && r.filesUploaded() >= r.filesExpected()) {
            h.createUpdate("UPDATE recordings SET status = 'completed' WHERE id = :id AND status = 'stopped'")
                    .bind("id", id).execute();
            outbox.append(h, DomainEvents.recording("recording.completed", row(h, id).orElseThrow()));
        }
    }

    private void markStopped(Handle h, Row r, Instant now) {
        h.createUpdate("UPDATE recordings SET status = 'stopped', stopped_at = :at, active_meeting_id = NULL "
                + "WHERE id = :id").bind("at", now).bind("id", r.id()).execute();
        outbox.append(h, DomainEvents.recording("recording.stopped", row(h, r.id()).orElseThrow()));
    }

    private void markFailed(Handle h, String id, String reason) {
        String shown = reason == null ? "unknown" : reason.length() > 1000 ? reason.substring(0, 1000) : reason;
        int changed = h.createUpdate("UPDATE recordings SET status = 'failed', failure_reason = :r, "
                        + "active_meeting_id = NULL, stopped_at = COALESCE(stopped_at, :at) "
                        + "WHERE id = :id AND status <> 'failed'")
                .bind("r", shown).bind("at", UserStore.now(clock)).bind("id", id).execute();
        if (changed > 0) {
            outbox.append(h, DomainEvents.recording("recording.failed", row(h, id).orElseThrow()));
        }
    }

    private static Row find(Handle h, String id) {
        return row(h, id).orElseThrow(() -> ApiProblem.notFound("recording " + TextRules.printable(id)));
    }

    private static Meeting meetingOf(Handle h, Row r) {
        return MeetingStore.byIdOrRoom(h, r.meetingId()).orElseThrow(() -> ApiProblem.notFound("recording " + r.id()));
    }

    private static Optional<Row> row(Handle h, String id) {
        return h.createQuery("SELECT * FROM recordings WHERE id = :id").bind("id", id).map((rs, ctx) -> map(rs))
                .findOne();
    }

    private static Row map(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Row(rs.getString("id"), rs.getString("meeting_id"), rs.getString("room"), rs.getString("status"),
                rs.getString("started_by"), Database.instant(rs, "started_at"), Database.instant(rs, "stopped_at"),
                (Long) rs.getObject("duration_ms", Long.class), rs.getLong("bytes"),
                (Integer) rs.getObject("files_expected", Integer.class), rs.getInt("files_uploaded"),
                rs.getString("tracks"), rs.getBoolean("truncated"), rs.getString("failure_reason"),
                rs.getString("meeting_file_key"), (Long) rs.getObject("meeting_file_bytes", Long.class),
                rs.getString("meeting_file_missing"));
    }

    private static void requireManager(Authenticator.Caller caller, Meeting m) {
        if (!caller.isAdmin() && !caller.id().equals(m.hostId())) {
            throw ApiProblem.forbidden("only the meeting's host or an administrator may do this");
        }
    }
}

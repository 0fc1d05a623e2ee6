package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * A real control plane behind a real Jetty server on 127.0.0.1, one per backend (H2, PostgreSQL), shared by the
 * API test classes of one test run and torn down (schema dropped, files deleted) when the JVM exits.
 */
final class ApiFixture implements AutoCloseable {
    static final String TURN_SECRET = "turn-test-secret";
    static final Instant START = Instant.parse("2030-01-01T09:00:00Z");

    /** One HTTP answer. */
    record Res(int status, HttpHeaders headers, String text) {
        JsonNode json() {
            return JsonCodec.parse(text.getBytes(StandardCharsets.UTF_8));
        }

        String type() {
            return json().path("type").asText();
        }

        String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    /** A logged-in account. */
    record Session(String userId, String email, String password, String accessToken, String refreshToken) {}

    private static final Map<String, ApiFixture> SHARED = new ConcurrentHashMap<>();
    private static final AtomicInteger SEQ = new AtomicInteger();

    final String backend;
    final ControlPlane plane;
    final MemoryState.MutableClock clock = new MemoryState.MutableClock(START);
    final MemoryState.Live live = new MemoryState.Live();
    final MemoryState.Revocations revocations = new MemoryState.Revocations();
    final Path dataDir;
    final ControlConfig config;
    private final Server server;
    private final TestDatabases.TestDb db;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;
    private Session admin;

    private ApiFixture(String backend) throws Exception {
        this(backend, false, new TableOutbox());
    }

    private ApiFixture(String backend, boolean authRequired, dev.parley.control.events.EventOutbox outbox) throws Exception {
        this(backend, authRequired, outbox, LiveRooms.NONE, RoomCaptioner.NONE, SpeechAnalysis.NONE);
    }

    private ApiFixture(String backend, boolean authRequired, dev.parley.control.events.EventOutbox outbox,
                       LiveRooms rooms, RoomCaptioner captioner, SpeechAnalysis speech) throws Exception {
        this.backend = backend;
        this.db = TestDatabases.create(backend);
        this.dataDir = TestDatabases.tempDir("parley-api-" + backend);
        this.config = new ControlConfig(dataDir, db.url(), db.user(), null, null, authRequired, "http://localhost:8080",
                List.of("stun:127.0.0.1:3478"), List.of("turn:127.0.0.1:3478?transport=udp"), TURN_SECRET,
                Duration.ofHours(1), ControlConfig.DEFAULT_MAX_BODY_BYTES);
        this.plane = ControlPlane.start(config, outbox, new MemoryState.Limiter(clock), revocations, live, rooms,
                RoomRecorder.NONE, captioner, speech, clock, new PasswordHasher(1024, 1, 1));
        TableOutbox.createTable(plane.jdbi());
        this.server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(plane.apiHandler());
        server.start();
        this.base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    static ApiFixture shared(String backend) {
        return SHARED.computeIfAbsent(backend, b -> {
            try {
                ApiFixture f = new ApiFixture(b);
                Runtime.getRuntime().addShutdownHook(new Thread(f::stop));
                f.admin = f.register("admin");
                return f;
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the API fixture on " + b, e);
            }
        });
    }

    /** A server of its own (no account yet), for tests about a fresh installation; close it after. */
    static ApiFixture fresh(String backend) throws Exception {
        return new ApiFixture(backend);
    }

    /** A server of its own with accounts required or not, writing events to {@code outbox}; close it after. */
    static ApiFixture fresh(String backend, boolean authRequired, dev.parley.control.events.EventOutbox outbox) throws Exception {
        return new ApiFixture(backend, authRequired, outbox);
    }

    /**
     * A server of its own with the AI side: the live rooms captions are pushed to, a captioner and the one-shot
     * analysis; its first account is its administrator. Close it after.
     */
    static ApiFixture withAi(String backend, LiveRooms rooms, RoomCaptioner captioner, SpeechAnalysis speech) throws Exception {
        ApiFixture f = new ApiFixture(backend, false, new TableOutbox(), rooms, captioner, speech);
        f.admin = f.register("admin");
        return f;
    }

    @Override
    public void close() {
        stop();
    }

    /** The first account registered on this server, hence its administrator. */
    Session admin() {
        return admin;
    }

    void stop() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
        plane.close();
        db.drop().run();
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort for temp files
        }
    }

    URI uri(String path) {
        return base.resolve(path);
    }

    Res send(String method, String path, byte[] body, String contentType, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return exchange(b.build());
    }

    Res exchange(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Res(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Res get(String path, String token) {
        return send("GET", path, null, null, token);
    }

    Res delete(String path, String token) {
        return send("DELETE", path, null, null, token);
    }

    Res post(String path, Object json, String token) {
        return send("POST", path, json == null ? null : JsonCodec.write(json), json == null ? null : "application/json", token);
    }

    Res patch(String path, Object json, String token) {
        return send("PATCH", path, JsonCodec.write(json), "application/json", token);
    }

    /** A raw JSON text body, for malformed-input tests. */
    Res postRaw(String path, String text, String token) {
        return send("POST", path, text.getBytes(StandardCharsets.UTF_8), "application/json", token);
    }

    static String uniqueEmail(String prefix) {
        return prefix + "-" + SEQ.incrementAndGet() + "-" + System.nanoTime() + "@example.com";
    }

    Session register(String prefix) {
        return register(uniqueEmail(prefix), "Tester " + prefix);
    }

    Session register(String email, String displayName) {
        String password = "correct horse battery";
        Res r = post("/api/v1/auth/register", Map.of("email", email, "password", password, "displayName", displayName), null);
        assertEquals(201, r.status(), r.text());
        JsonNode j = r.json();
        return new Session(j.path("user").path("id").asText(), email, password, j.path("accessToken").asText(), j.path("refreshToken").asText());
    }

    /** Creates a meeting as {@code host}; returns its JSON. */
    JsonNode meeting(Session host, Map<String, Object> body) {
        Res r = post("/api/v1/meetings", body, host.accessToken());
        assertEquals(201, r.status(), r.text());
        return r.json();
    }

    /** Events of {@code type} about {@code subject} in the test outbox. */
    List<TableOutbox.Row> events(String type, String subject) {
        return TableOutbox.all(plane.jdbi()).stream().filter(e -> e.type().equals(type) && e.subject().equals(subject)).toList();
    }

    /** Rows in {@code table}, to show a refused request changed nothing. */
    long count(String table) {
        return plane.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
    }

    /** Row counts of every table the API writes, as one comparable snapshot. */
    Map<String, Long> snapshot() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (String t : tables()) {
            counts.put(t, count(t));
        }
        return counts;
    }

    List<String> tables() {
        return List.of("users", "refresh_tokens", "meetings", "participant_sessions", "api_keys", "test_outbox");
    }
}

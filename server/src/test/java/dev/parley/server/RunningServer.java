package dev.parley.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testkit.PostgresSchema;
import dev.parley.testkit.SignalingClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Parley server started in-process on loopback, with small HTTP and WebSocket clients for tests. One server
 * for all tests of a class: {@code @RegisterExtension static final RunningServer server = RunningServer.perClass();}
 */
final class RunningServer implements AutoCloseable, AfterAllCallback {
    static final ObjectMapper JSON = new ObjectMapper();
    final ParleyServer server;
    final String base;
    private final Path dataDir;
    private boolean ownsDataDir;
    private final HttpClient http = HttpClient.newHttpClient();

    /**
     * A server started now (when the test class is initialized) on a temporary data directory, stopped and its
     * directory deleted after the class's last test when registered with {@code @RegisterExtension}.
     */
    static RunningServer perClass(String... extraArgs) {
        try {
            RunningServer s = new RunningServer(Files.createTempDirectory("parley-server-test-"), extraArgs);
            s.ownsDataDir = true;
            return s;
        } catch (Exception e) {
            throw new IllegalStateException("the test server did not start", e);
        }
    }

    RunningServer(Path dataDir, String... extraArgs) throws Exception {
        this(dataDir, List.of(extraArgs));
    }

    /** Starts a server on {@code dataDir} with {@code extraArgs} appended, e.g. {@link PostgresSchema#serverArgs()}. */
    RunningServer(Path dataDir, List<String> extraArgs) throws Exception {
        this.dataDir = dataDir;
        List<String> args = new ArrayList<>(List.of("--http-port", "0", "--media-port", "0", "--public-ip", "127.0.0.1",
                "--http-bind", "127.0.0.1", "--data-dir", dataDir.toString()));
        args.addAll(extraArgs);
        server = new ParleyServer(ServerConfig.from(Settings.resolve(args.toArray(String[]::new), Map.of())));
        server.start();
        base = "http://127.0.0.1:" + server.httpPort();
    }

    record Reply(int status, JsonNode body) {}

    Reply post(String path, String bearer, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        return send(b, bearer);
    }

    Reply get(String path, String bearer) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), bearer);
    }

    Reply patch(String path, String bearer, String json) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json)), bearer);
    }

    Reply delete(String path, String bearer) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), bearer);
    }

    private Reply send(HttpRequest.Builder b, String bearer) throws Exception {
        if (bearer != null) {
            b.header("authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    /** A GET with the given headers (name, value, name, value, ...), the body as text. */
    HttpResponse<String> getText(String path, String... headers) throws Exception {
        return getTextFrom(base, path, headers);
    }

    /** A GET to another listener of this server, such as the metrics port. */
    HttpResponse<String> getTextFrom(String baseUrl, String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path)).GET().timeout(Duration.ofSeconds(10));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The token /metrics wants: the one the server generated into its data directory. */
    String generatedMetricsToken() throws Exception {
        return Files.readString(dataDir.resolve(MetricsToken.FILE_NAME)).trim();
    }

    /** /metrics with the generated token; fails unless it answers 200. */
    String metrics() throws Exception {
        HttpResponse<String> r = getText("/metrics", "Authorization", "Bearer " + generatedMetricsToken());
        if (r.statusCode() != 200) {
            throw new AssertionError("/metrics answered " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    /**
     * The value of one sample in an exposition, given as it is written before the value, e.g.
     * {@code parley_signaling_refusals_total{code="auth"}}; NaN when there is no such sample.
     */
    static double sample(String exposition, String series) {
        for (String line : exposition.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return Double.NaN;
    }

    /** Polls /metrics until {@code condition} holds, for up to {@code timeout}; returns that exposition. */
    String awaitMetrics(Duration timeout, java.util.function.Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = metrics();
        while (!condition.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("metrics never met the condition within " + timeout + "; last exposition:\n" + last);
            }
            Thread.sleep(100);
            last = metrics();
        }
        return last;
    }

    /** An answer read off a plain socket, for request targets an HTTP client library would refuse to send. */
    record RawReply(int status, Map<String, String> headers, String body) {}

    /** Sends {@code GET <target> HTTP/1.1} as given, byte for byte, and reads the answer. */
    RawReply rawGet(String target) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.httpPort()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            String all = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = all.indexOf("\r\n\r\n");
            String[] lines = all.substring(0, end).split("\r\n");
            Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
            }
            return new RawReply(Integer.parseInt(lines[0].split(" ")[1]), headers, all.substring(end + 4));
        }
    }

    /** A signaling connection that collects every message the server sends. */
    Signaling signaling() throws Exception {
        return signaling(Map.of());
    }

    /** A signaling connection sent with an {@code Origin} header (null: none, as from a non-browser client). */
    Signaling signaling(String origin) throws Exception {
        return signaling(origin == null ? Map.of() : Map.of("Origin", origin));
    }

    /** A signaling connection whose upgrade request carries these extra headers (e.g. X-Forwarded-For, Origin). */
    Signaling signaling(Map<String, String> headers) throws Exception {
        return new Signaling(URI.create(base), headers);
    }

    /** The kit's signaling client under the name the server tests use for it. */
    static final class Signaling extends SignalingClient {
        Signaling(URI base, Map<String, String> headers) throws Exception {
            super(base, headers);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    @Override
    public void close() {
        server.close();
        if (ownsDataDir) {
            try (Stream<Path> paths = Files.walk(dataDir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (java.io.IOException e) {
                System.err.println("could not delete test data directory " + dataDir + ": " + e.getMessage());
            }
        }
    }
}

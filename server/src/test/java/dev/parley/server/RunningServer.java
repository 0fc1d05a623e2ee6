package dev.parley.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A Parley server started in-process on loopback, with small HTTP and WebSocket clients for tests. */
final class RunningServer implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final ParleyServer server;
    final String base;
    private final Path dataDir;
    private final HttpClient http = HttpClient.newHttpClient();

    RunningServer(Path dataDir, String... extraArgs) throws Exception {
        this.dataDir = dataDir;
        List<String> args = new ArrayList<>(List.of("--http-port", "0", "--media-port", "0", "--public-ip", "127.0.0.1",
                "--http-bind", "127.0.0.1", "--data-dir", dataDir.toString()));
        args.addAll(List.of(extraArgs));
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
        Signaling s = new Signaling();
        WebSocket.Builder builder = http.newWebSocketBuilder();
        headers.forEach(builder::header);
        s.socket = builder
                .buildAsync(URI.create("ws://127.0.0.1:" + server.httpPort() + "/ws/signaling"), s)
                .get(10, TimeUnit.SECONDS);
        return s;
    }

    static final class Signaling implements WebSocket.Listener {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        volatile Integer closeCode;
        /** What {@link #onClose} returns: the client echoes the server's close only once it completes. */
        volatile CompletableFuture<Void> closeReply;
        WebSocket socket;
        private final StringBuilder partial = new StringBuilder();

        void send(String json) {
            socket.sendText(json, true).join();
        }

        /** Sends {@code {"type": type, name: value, ...}}, the values JSON-encoded (strings, numbers, booleans). */
        void sendMessage(String type, Object... namesAndValues) {
            com.fasterxml.jackson.databind.node.ObjectNode m = JSON.createObjectNode().put("type", type);
            for (int i = 0; i < namesAndValues.length; i += 2) {
                m.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
            }
            send(m.toString());
        }

        /** The next message of {@code type}, skipping others; fails after 10 s. */
        JsonNode next(String type) throws InterruptedException {
            return nextOf(type);
        }

        /** The next message of any of {@code types}, skipping others; fails after 10 s. */
        JsonNode nextOf(String... types) throws InterruptedException {
            List<String> wanted = List.of(types);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && wanted.contains(m.path("type").asText())) {
                    return m;
                }
            }
            throw new AssertionError("no " + wanted + " message within 10 s");
        }

        /** Sends a {@code join} for {@code room} as {@code name}, with {@code token} when not null. */
        void join(String room, String name, String token) {
            ObjectNode m = JSON.createObjectNode().put("type", "join").put("room", room).put("name", name);
            if (token != null) {
                m.put("token", token);
            }
            send(m.toString());
        }

        /** The next {@code error} (skipping other messages), asserting its code. */
        JsonNode error(String code) throws InterruptedException {
            JsonNode e = next("error");
            if (!code.equals(e.path("code").asText())) {
                throw new AssertionError("expected error '" + code + "', got " + e);
            }
            return e;
        }

        /** Whether a message of {@code type} is among those received and not yet consumed. */
        boolean hasReceived(String type) {
            return received.stream().anyMatch(m -> m.path("type").asText().equals(type));
        }

        boolean awaitClosed() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (closeCode == null && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            return closeCode != null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received.add(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    throw new IllegalStateException("server sent invalid JSON: " + partial, e);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode = statusCode;
            return closeReply;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}

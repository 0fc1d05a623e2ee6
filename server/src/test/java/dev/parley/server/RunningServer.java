package dev.parley.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
    private final HttpClient http = HttpClient.newHttpClient();

    RunningServer(Path dataDir, String... extraArgs) throws Exception {
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

    private Reply send(HttpRequest.Builder b, String bearer) throws Exception {
        if (bearer != null) {
            b.header("authorization", "Bearer " + bearer);
        }
        HttpResponse<String> r = http.send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    /** A signaling connection that collects every message the server sends. */
    Signaling signaling() throws Exception {
        Signaling s = new Signaling();
        s.socket = http.newWebSocketBuilder()
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

        /** The next message of {@code type}, skipping others; fails after 10 s. */
        JsonNode next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                JsonNode m = received.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && m.path("type").asText().equals(type)) {
                    return m;
                }
            }
            throw new AssertionError("no '" + type + "' message within 10 s");
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

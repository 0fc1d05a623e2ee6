package dev.parley.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of Parley's signaling WebSocket ({@code /ws/signaling}) without a browser, over the JDK HttpClient:
 * sends JSON messages and keeps every message the server sends, to be taken in order with {@link #next}.
 * Waits without an explicit timeout give up after {@link #DEFAULT_TIMEOUT}. {@link #close()} drops the
 * connection without a goodbye, as a vanished browser would.
 */
public class SignalingClient implements AutoCloseable {
    /** How long {@link #next(String)}, {@link #nextOf} and {@link #awaitClosed()} wait. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    // One client (one selector thread) for all connections, however many a test opens.
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile Integer closeCode;
    // What onClose returns: the JDK echoes the server's close frame only once this completes.
    private volatile CompletableFuture<Void> closeReply;
    private final WebSocket socket;

    /**
     * Connects to the signaling endpoint of the server at {@code base} (e.g. {@code http://127.0.0.1:8080}),
     * the upgrade request carrying {@code headers} (e.g. {@code Origin}, {@code X-Forwarded-For}).
     * For subclasses that give the client another name; others use {@link #open}.
     */
    protected SignalingClient(URI base, Map<String, String> headers) throws Exception {
        this(HTTP, URI.create("ws://" + base.getAuthority() + "/ws/signaling"), headers);
    }

    /**
     * Connects to the signaling endpoint at {@code signalingUri} ({@code ws://} or {@code wss://}, the whole
     * URI) through {@code http}: a client of the test's own, e.g. one trusting a test certificate or bound to
     * a local address.
     */
    protected SignalingClient(HttpClient http, URI signalingUri, Map<String, String> headers) throws Exception {
        WebSocket.Builder builder = http.newWebSocketBuilder();
        headers.forEach(builder::header);
        socket = builder.buildAsync(signalingUri, new Listener()).get(DEFAULT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Opens {@code ws://<authority of base>/ws/signaling}. */
    public static SignalingClient open(URI base) throws Exception {
        return new SignalingClient(base, Map.of());
    }

    /** Opens the signaling socket with extra headers on the upgrade request. */
    public static SignalingClient open(URI base, Map<String, String> headers) throws Exception {
        return new SignalingClient(base, headers);
    }

    /**
     * Opens the signaling socket at {@code signalingUri} (e.g. {@code wss://127.0.0.1:8443/ws/signaling}, through a
     * TLS gateway) with {@code http}, which carries the TLS trust and local address the test wants.
     */
    public static SignalingClient open(HttpClient http, URI signalingUri, Map<String, String> headers) throws Exception {
        return new SignalingClient(http, signalingUri, headers);
    }

    /** The underlying socket, for what the helpers here do not cover (abort, a close frame of one's own). */
    public WebSocket socket() {
        return socket;
    }

    /** Sends {@code json} as one text message, as given (it need not be valid JSON). */
    public void send(String json) {
        socket.sendText(json, true).join();
    }

    /** Sends {@code message} encoded as a JSON object. */
    public void send(Map<String, ?> message) throws Exception {
        send(JSON.writeValueAsString(message));
    }

    /** Sends {@code {"type": type, name: value, ...}}, the values JSON-encoded (strings, numbers, booleans). */
    public void sendMessage(String type, Object... namesAndValues) {
        ObjectNode m = JSON.createObjectNode().put("type", type);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            m.set((String) namesAndValues[i], JSON.valueToTree(namesAndValues[i + 1]));
        }
        send(m.toString());
    }

    /** Sends a {@code join} for {@code room} as {@code name}, with {@code token} when not null. */
    public void join(String room, String name, String token) {
        ObjectNode m = JSON.createObjectNode().put("type", "join").put("room", room).put("name", name);
        if (token != null) {
            m.put("token", token);
        }
        send(m.toString());
    }

    /** The next message of {@code type}, skipping (and dropping) others; fails after the default timeout. */
    public JsonNode next(String type) throws InterruptedException {
        return nextOf(DEFAULT_TIMEOUT, type);
    }

    /** The next message of {@code type}, skipping (and dropping) others; fails after {@code timeout}. */
    public JsonNode next(String type, Duration timeout) throws InterruptedException {
        return nextOf(timeout, type);
    }

    /** The next message of any of {@code types}, skipping (and dropping) others; fails after the default timeout. */
    public JsonNode nextOf(String... types) throws InterruptedException {
        return nextOf(DEFAULT_TIMEOUT, types);
    }

    private JsonNode nextOf(Duration timeout, String... types) throws InterruptedException {
        List<String> wanted = List.of(types);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode m = received.poll(50, TimeUnit.MILLISECONDS);
            if (m != null && wanted.contains(m.path("type").asText())) {
                return m;
            }
        }
        String what = types.length == 1 ? "'" + types[0] + "'" : wanted.toString();
        throw new AssertionError("no " + what + " message within " + timeout.toSeconds() + " s");
    }

    /** The next {@code error} (skipping other messages), asserting its code. */
    public JsonNode error(String code) throws InterruptedException {
        JsonNode e = next("error");
        if (!code.equals(e.path("code").asText())) {
            throw new AssertionError("expected error '" + code + "', got " + e);
        }
        return e;
    }

    /** Whether a message of {@code type} is among those received and not yet taken. */
    public boolean hasReceived(String type) {
        return received.stream().anyMatch(m -> m.path("type").asText().equals(type));
    }

    /** Whether the server closed the socket with a close frame within the default timeout. */
    public boolean awaitClosed() throws InterruptedException {
        return awaitClosed(DEFAULT_TIMEOUT);
    }

    /** Whether the server closed the socket with a close frame within {@code timeout}. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The status code of the server's close frame, or null while none came. */
    public Integer closeCode() {
        return closeCode;
    }

    /**
     * From now on, answers the server's close frame only when the returned future is completed: the server
     * then sees a client slow to finish the closing handshake.
     */
    public CompletableFuture<Void> holdCloseReply() {
        CompletableFuture<Void> reply = new CompletableFuture<>();
        closeReply = reply;
        return reply;
    }

    /** Drops the connection at once, without a close frame. */
    @Override
    public void close() {
        socket.abort();
    }

    // A separate object so that the listener callbacks are not part of the client's API.
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

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
            closed.countDown();
            return closeReply;
        }
    }
}

package dev.parley.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A participant's signaling WebSocket ({@code /ws/signaling}, docs/protocol.md), as the load tool speaks it:
 * JSON text messages out, every message in handed to a listener on the HTTP client's thread. Sends are
 * serialised (the JDK's WebSocket allows one outstanding send).
 */
final class SignalingConnection implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();

    private final WebSocket socket;
    private final CompletableFuture<String> closed;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);

    private SignalingConnection(WebSocket socket, CompletableFuture<String> closed) {
        this.socket = socket;
        this.closed = closed;
    }

    /**
     * Opens {@code ws(s)://<authority of base>/ws/signaling}; {@code onMessage} gets each message from the server.
     *
     * @throws IOException when the upgrade fails or does not finish within {@code timeout}, with the reason
     */
    static SignalingConnection open(HttpClient http, URI base, Duration timeout, Consumer<JsonNode> onMessage)
            throws IOException {
        String scheme = "https".equalsIgnoreCase(base.getScheme()) ? "wss" : "ws";
        URI ws = URI.create(scheme + "://" + base.getRawAuthority() + "/ws/signaling");
        CompletableFuture<String> closed = new CompletableFuture<>();
        Listener listener = new Listener(onMessage, closed);
        try {
            WebSocket socket = http.newWebSocketBuilder().connectTimeout(timeout).buildAsync(ws, listener)
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return new SignalingConnection(socket, closed);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new IOException("cannot open the signaling WebSocket " + ws + ": " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw new IOException("the signaling WebSocket " + ws + " did not open within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening " + ws);
        }
    }

    /** Sends {@code {"type": type, name: value, ...}}. */
    void send(String type, Object... namesAndValues) {
        ObjectNode m = JSON.createObjectNode().put("type", type);
        for (int i = 0; i < namesAndValues.length; i += 2) {
            Object v = namesAndValues[i + 1];
            if (v != null) {
                m.set((String) namesAndValues[i], JSON.valueToTree(v));
            }
        }
        String text = m.toString();
        synchronized (this) {
            lastSend = lastSend.handle((r, e) -> null).thenCompose(x -> socket.sendText(text, true));
        }
    }

    /** Completes with the close reason when the server closes the socket (or it fails). */
    CompletableFuture<String> closed() {
        return closed;
    }

    /** Sends {@code leave} and closes the socket without waiting long. */
    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            send("leave");
            synchronized (this) {
                lastSend = lastSend.handle((r, e) -> null)
                        .thenCompose(x -> socket.sendClose(WebSocket.NORMAL_CLOSURE, "load test over"));
            }
        }
        try {
            closed.get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            socket.abort();
        }
    }

    private static final class Listener implements WebSocket.Listener {
        private final Consumer<JsonNode> onMessage;
        private final CompletableFuture<String> closed;
        private final StringBuilder partial = new StringBuilder();

        Listener(Consumer<JsonNode> onMessage, CompletableFuture<String> closed) {
            this.onMessage = onMessage;
            this.closed = closed;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    onMessage.accept(JSON.readTree(text));
                } catch (IOException e) {
                    onMessage.accept(JSON.createObjectNode().put("type", "error").put("code", "bad_message")
                            .put("message", "the server sent invalid JSON: " + text));
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            complete("closed by the server (" + statusCode + (reason.isEmpty() ? "" : " " + reason) + ")");
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            complete("failed: " + error);
        }

        private void complete(String why) {
            closed.complete(why);
        }
    }
}

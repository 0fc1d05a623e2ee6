package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.SignalingClient;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a real server process with a participant in a live meeting and webhook deliveries waiting on a
 * receiver that refuses them: the participant is told the server is shutting down, the presence is closed
 * and the meeting is no longer live, and once the server is back and the receiver accepts, every event
 * (those of the shutdown included) reaches the webhook.
 */
class GracefulShutdownTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "correct horse battery";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private HttpServer receiver;
    private volatile boolean refusing = true;
    private final AtomicInteger refused = new AtomicInteger();
    private final List<JsonNode> accepted = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hook", this::receive);
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    private void receive(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (refusing) {
            refused.incrementAndGet();
            exchange.sendResponseHeaders(503, -1);
        } else {
            accepted.add(JSON.readTree(body));
            exchange.sendResponseHeaders(204, -1);
        }
        exchange.close();
    }

    private boolean acceptedEvent(String type, String field, String value) {
        return accepted.stream().anyMatch(e -> type.equals(e.path("type").asText())
                && value.equals(e.path("data").path(field).asText()));
    }

    @Test
    void sigtermTellsParticipantsClosesPresenceAndKeepsWebhookDeliveries() throws Exception {
        String admin;
        String meetingId;
        String participantId;
        ParleyServerProcess first = ParleyServerProcess.start("shutdown-before", dataDir, List.of());
        SignalingClient client = SignalingClient.open(first.baseUri());
        try {
            ApiClient api = new ApiClient(first.baseUri());
            admin = api.expect(201, "POST", "/api/v1/auth/register", null,
                    Map.of("email", "admin@example.com", "password", PASSWORD, "displayName", "Admin"))
                    .path("accessToken").asText();
            api.expect(201, "POST", "/api/v1/api-keys", admin, Map.of("name", "crm",
                    "webhookUrl", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook"));
            meetingId = api.expect(201, "POST", "/api/v1/meetings", admin, Map.of("title", "Retro")).path("id").asText();
            participantId = LiveMeeting.join(api, client, admin, meetingId, "Admin", TIMEOUT);
            Eventually.await(TIMEOUT, "webhook deliveries refused by the receiver", () -> refused.get() >= 1);

            assertEquals(143, first.terminate(Duration.ofSeconds(30)), "SIGTERM ends the JVM after its shutdown");
            JsonNode left = client.next("left", TIMEOUT);
            assertEquals("server_shutdown", left.path("reason").asText(), "the participant is told why: " + left);
            assertTrue(client.awaitClosed(TIMEOUT), "the server closed the signaling socket");
        } finally {
            first.close();
            client.close();
        }

        refusing = false;
        Instant restartedAt = Instant.now();
        try (ParleyServerProcess second = ParleyServerProcess.start("shutdown-after", dataDir, List.of())) {
            ApiClient api = new ApiClient(second.baseUri());
            JsonNode meeting = api.expect(200, "GET", "/api/v1/meetings/" + meetingId, admin, null);
            assertEquals("scheduled", meeting.path("status").asText(), "the meeting is no longer live: " + meeting);
            JsonNode rows = api.expect(200, "GET", "/api/v1/meetings/" + meetingId + "/participants/history", admin, null)
                    .path("items");
            assertEquals(1, rows.size(), "one presence recorded: " + rows);
            assertFalse(rows.get(0).path("leftAt").isNull(), "the presence was closed: " + rows);
            assertTrue(Instant.parse(rows.get(0).path("leftAt").asText()).isBefore(restartedAt),
                    "closed by the shutdown, not by the restart's recovery: " + rows);

            Eventually.await(Duration.ofSeconds(40), "every event delivered to the webhook: got " + accepted.size(), () ->
                    acceptedEvent("meeting.created", "meetingId", meetingId)
                            && acceptedEvent("participant.joined", "participantId", participantId)
                            && acceptedEvent("participant.left", "participantId", participantId)
                            && acceptedEvent("meeting.updated", "status", "scheduled"));
        }
    }
}

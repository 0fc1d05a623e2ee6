package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The signaling protocol's answers to bad and out-of-order messages (docs/protocol.md), over a real WebSocket. */
class SignalingProtocolTest {
    @RegisterExtension
    static final RunningServer server = RunningServer.perClass("--reconnect-grace", "1");

    @Test
    void badMessagesGetAnErrorAndTheConnectionStaysUsable() throws Exception {
        RunningServer.Signaling s = server.signaling();
        s.send("{not json");
        assertError(s.next("error"), "bad_message", null);
        s.send("{\"type\":\"teleport\"}");
        assertError(s.next("error"), "unknown_type", "teleport");
        s.send("{\"type\":\"publish\",\"sdp\":\"v=0\"}");
        assertError(s.next("error"), "not_joined", "publish");
        s.send("{\"type\":\"join\",\"room\":\"bad room!\",\"name\":\"Ada\"}");
        assertError(s.next("error"), "bad_message", "join");
        s.send("{\"type\":\"ping\"}");
        s.next("pong");

        s.send("{\"type\":\"join\",\"room\":\"protocol-test\",\"name\":\"Ada\"}");
        JsonNode joined = s.next("joined");
        assertEquals("protocol-test", joined.get("room").asText());
        assertTrue(joined.get("participants").isEmpty());
        assertTrue(joined.get("iceServers").isEmpty(), "no STUN/TURN unless configured");

        s.send("{\"type\":\"join\",\"room\":\"protocol-test\",\"name\":\"Ada\"}");
        assertError(s.next("error"), "already_joined", "join");
        s.send("{\"type\":\"publish\",\"sdp\":\"v=0\\r\\nm=audio 9 RTP/AVP 0\\r\\n\"}");
        JsonNode badSdp = s.next("error");
        assertError(badSdp, "bad_sdp", "publish");
        s.send("{\"type\":\"subscriberAnswer\",\"sdp\":\"v=0\",\"version\":7}");
        assertError(s.next("error"), "stale_answer", "subscriberAnswer");
        s.send("{\"type\":\"chat\",\"text\":\"hello, room\"}");
        assertEquals("hello, room", s.next("chat").get("text").asText());
        s.send("{\"type\":\"leave\"}");
        assertEquals("left", s.next("left").get("reason").asText());
        assertTrue(s.awaitClosed(), "the server closes the socket after 'left'");
    }

    @Test
    void othersAreToldOfJoinsMutesAndLeaves() throws Exception {
        RunningServer.Signaling ada = server.signaling();
        ada.send("{\"type\":\"join\",\"room\":\"presence-test\",\"name\":\"Ada\"}");
        ada.next("joined");
        RunningServer.Signaling bob = server.signaling();
        bob.send("{\"type\":\"join\",\"room\":\"presence-test\",\"name\":\"Bob\"}");
        JsonNode bobJoined = bob.next("joined");
        assertEquals("Ada", bobJoined.get("participants").get(0).get("name").asText());
        String bobId = bobJoined.get("participantId").asText();
        assertEquals("Bob", ada.next("participantJoined").get("participant").get("name").asText());

        bob.send("{\"type\":\"mute\",\"kind\":\"audio\",\"muted\":true}");
        JsonNode update = ada.next("participantUpdated").get("participant");
        assertEquals(bobId, update.get("id").asText());
        assertTrue(update.get("audioMuted").asBoolean());

        bob.socket().abort(); // the browser vanished without a goodbye: held for the reconnect grace, then gone
        assertEquals(bobId, ada.next("participantReconnecting").get("participantId").asText());
        JsonNode left = ada.next("participantLeft");
        assertEquals(bobId, left.get("participantId").asText());
        assertEquals("disconnected", left.get("reason").asText());
    }

    @Test
    void aShuttingDownServerTellsParticipantsWhyAndRefusesNewJoins(@TempDir Path own) throws Exception {
        try (RunningServer stopping = new RunningServer(own)) {
            RunningServer.Signaling ada = stopping.signaling();
            CompletableFuture<Void> adaCloseReply = ada.holdCloseReply(); // keeps the shutdown waiting for Ada's socket a moment
            ada.send("{\"type\":\"join\",\"room\":\"shutdown-test\",\"name\":\"Ada\"}");
            ada.next("joined");
            RunningServer.Signaling late = stopping.signaling();

            Thread closer = Thread.ofPlatform().start(stopping.server::close);
            JsonNode left = ada.next("left");
            assertEquals("server_shutdown", left.get("reason").asText(), left.toString());
            late.send("{\"type\":\"join\",\"room\":\"shutdown-test\",\"name\":\"Late\"}");
            assertError(late.next("error"), "shutting_down", "join");

            adaCloseReply.complete(null);
            closer.join(Duration.ofSeconds(30));
            assertFalse(closer.isAlive(), "the shutdown finished");
            assertTrue(ada.awaitClosed(), "Ada's socket was closed by the server");
        }
    }

    private static void assertError(JsonNode m, String code, String requestType) {
        assertEquals(code, m.get("code").asText(), m.toString());
        if (requestType != null) {
            assertEquals(requestType, m.get("requestType").asText(), m.toString());
        }
        assertTrue(!m.get("message").asText().isBlank(), "errors explain themselves: " + m);
    }
}

package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What scripted WebRTC clients (not browsers) do that the protocol must take, over a real WebSocket. */
class ScriptedClientTest {
    @RegisterExtension
    static final RunningServer server = RunningServer.perClass();

    @Test
    void messagesPipelinedBehindJoinAreHandledInOrderOnceItCompletes() throws Exception {
        RunningServer.Signaling bot = server.signaling();
        bot.sendMessage("join", "room", "pipelined", "name", "Bot");
        bot.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(1, 0x4000));
        bot.sendMessage("chat", "text", "first");
        bot.sendMessage("chat", "text", "second");

        assertEquals("joined", bot.nextOf("joined", "error").get("type").asText(), "join comes first");
        // The publish completes on the room's thread, so its answer may come before or after the chats.
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            JsonNode m = bot.nextOf("publishAnswer", "chat", "error");
            replies.add(m.get("type").asText().equals("chat") ? "chat:" + m.get("text").asText() : m.get("type").asText());
        }
        assertTrue(replies.contains("publishAnswer"), "a publish sent before 'joined' is handled: " + replies);
        assertEquals(List.of("chat:first", "chat:second"), replies.stream().filter(r -> r.startsWith("chat:")).toList(),
                "chats are relayed in the order sent: " + replies);

        RunningServer.Signaling viewer = server.signaling();
        viewer.sendMessage("join", "room", "pipelined", "name", "Viewer");
        viewer.next("joined");
        String offer = viewer.next("subscriberOffer").get("sdp").asText();
        assertEquals(1, ScriptedSdp.sendingSections(offer), "the pipelined publish took effect: " + offer);
    }

    @Test
    void theWebClientPingsWellWithinTheIdleTimeout() throws Exception {
        java.net.http.HttpResponse<String> js = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.base + "/js/parley.js")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, js.statusCode());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("const PING_INTERVAL_MS = ([0-9_]+);").matcher(js.body());
        assertTrue(m.find(), "parley.js declares its ping interval");
        long pingMillis = Long.parseLong(m.group(1).replace("_", ""));
        long idleMillis = dev.parley.signaling.SignalingService.IDLE_TIMEOUT.toMillis();
        assertTrue(pingMillis * 2 <= idleMillis, "a ping every " + pingMillis + " ms leaves a lost ping no slack within the "
                + idleMillis + " ms idle timeout");
    }

    @Test
    void anAnswerRejectingEverySectionIsAcceptedAndLaterOffersStillCome() throws Exception {
        RunningServer.Signaling ada = server.signaling();
        ada.sendMessage("join", "room", "rejecting", "name", "Ada");
        ada.next("joined");
        RunningServer.Signaling bob = server.signaling();
        bob.sendMessage("join", "room", "rejecting", "name", "Bob");
        bob.next("joined");
        bob.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(1, 0x5000));
        bob.next("publishAnswer");

        JsonNode first = ada.next("subscriberOffer");
        ada.sendMessage("subscriberAnswer", "sdp", ScriptedSdp.acceptAll(first.get("sdp").asText()),
                "version", first.get("version").asInt());
        bob.sendMessage("leave");

        // Bob has gone, so every section of the next offer is inactive; Ada's stack rejects them all (port 0).
        JsonNode second = ada.next("subscriberOffer");
        assertEquals(0, ScriptedSdp.sendingSections(second.get("sdp").asText()));
        ada.sendMessage("subscriberAnswer", "sdp", ScriptedSdp.rejectAll(second.get("sdp").asText()),
                "version", second.get("version").asInt());

        RunningServer.Signaling carol = server.signaling();
        carol.sendMessage("join", "room", "rejecting", "name", "Carol");
        carol.next("joined");
        carol.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(1, 0x6000));
        carol.next("publishAnswer");
        // A new offer goes out only once the previous one is answered: its arrival shows the answer was taken.
        JsonNode third = ada.nextOf("subscriberOffer", "error");
        assertEquals("subscriberOffer", third.get("type").asText(), "the all-rejected answer was refused: " + third);
        assertEquals(second.get("version").asInt() + 1, third.get("version").asInt());
        assertEquals(1, ScriptedSdp.sendingSections(third.get("sdp").asText()));
    }
}

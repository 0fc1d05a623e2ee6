package dev.parley.server;

import static dev.parley.server.Meetings.hostToken;
import static dev.parley.server.Meetings.awaitLive;
import static dev.parley.server.Meetings.guestToken;
import static dev.parley.server.Meetings.meeting;
import static dev.parley.server.Meetings.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.control.CaptionResults;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Captions on a running server, with the test playing the AI bridge (it reports to the control plane's caption
 * results as the bridge will): captions reach everyone in the room with the speaker's name, emotions reach only
 * hosts, the caption status reaches the room and those who join later, the transcript is kept; {@code setCaptions}
 * is for hosts, and refused with {@code captions_unavailable} on a server without AI.
 */
// Generous: registering hashes a password with Argon2id, slow on a loaded machine.
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CaptionsSignalingTest {
    @TempDir
    Path dir;

    @Test
    void captionsReachTheRoomEmotionsOnlyItsHostsAndTheTranscriptIsKept() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "captions-host@example.org");
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            String hostToken = hostToken(s, meeting, host);

            RunningServer.Signaling h = s.signaling();
            h.join(room, "Hana", hostToken);
            assertTrue(h.next("joined").get("host").asBoolean());
            RunningServer.Signaling gus = s.signaling();
            gus.join(room, "Gus", guestToken(s, meeting, "Gus", null));
            String gusId = gus.next("joined").get("participantId").asText();
            awaitLive(s, id, host, n -> n == 2);

            gus.sendMessage("setCaptions", "on", true);
            assertEquals("setCaptions", gus.error("forbidden").get("requestType").asText());
            h.sendMessage("setCaptions", "on", true);
            h.error("captions_unavailable");
            gus.sendMessage("setCaptions", "on", "yes");
            gus.error("bad_message");

            CaptionResults results = s.server.controlPlane().captionResults();
            results.onStatus(room, CaptionResults.Status.ACTIVE);
            for (RunningServer.Signaling c : List.of(h, gus)) {
                assertEquals("active", c.next("captionStatus").get("status").asText());
            }

            Instant said = Instant.now();
            results.onTranscript(room, new CaptionResults.Segment(gusId, "Gus", said, said.plusMillis(1200),
                    "Hello there", 0.9, true));
            for (RunningServer.Signaling c : List.of(h, gus)) {
                JsonNode caption = c.next("caption");
                assertEquals(gusId, caption.get("participantId").asText());
                assertEquals("Gus", caption.get("name").asText());
                assertEquals("Hello there", caption.get("text").asText());
                assertTrue(caption.get("final").asBoolean());
                assertTrue(!caption.has("isFinal"), "one name for the flag: " + caption);
                assertEquals(said.toString(), caption.get("start").asText());
                assertEquals(said.plusMillis(1200).toString(), caption.get("end").asText());
            }

            results.onEmotion(room, new CaptionResults.Emotion(gusId, "Gus", said, said.plusMillis(1200), "happy", 0.75,
                    Map.of("happy", 0.75, "sad", 0.25)));
            results.onTranscript(room, new CaptionResults.Segment(gusId, "Gus", said.plusSeconds(2), said.plusSeconds(3),
                    "And how", 0.5, false));
            JsonNode emotion = h.next("emotion");
            assertEquals("happy", emotion.get("label").asText());
            assertEquals(0.75, emotion.get("score").asDouble(), 1e-9);
            assertEquals("Gus", emotion.get("name").asText());
            JsonNode next = gus.nextOf("emotion", "caption");
            assertEquals("caption", next.get("type").asText(), "a participant who is not a host sees no emotions");
            assertEquals(false, next.get("final").asBoolean());

            RunningServer.Signaling late = s.signaling();
            late.join(room, "Lea", guestToken(s, meeting, "Lea", null));
            late.next("joined");
            assertEquals("active", late.next("captionStatus").get("status").asText(), "told right after joined");

            results.onStatus(room, CaptionResults.Status.PAUSED);
            for (RunningServer.Signaling c : List.of(h, gus, late)) {
                assertEquals("paused", c.next("captionStatus").get("status").asText());
            }

            JsonNode transcript = s.get("/api/v1/meetings/" + id + "/transcript", host).body();
            assertEquals(1, transcript.get("segments").size(), "the interim caption is not kept: " + transcript);
            assertEquals("Hello there", transcript.get("segments").get(0).get("text").asText());
            assertEquals("Gus", transcript.get("segments").get(0).get("participantName").asText());
            assertEquals("happy", transcript.get("emotions").get(0).get("label").asText());
        }
    }
}

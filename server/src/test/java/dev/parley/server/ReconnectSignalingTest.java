package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Resuming a seat after the signaling connection dropped (docs/protocol.md, "Reconnecting"): the same participant,
 * with the others seeing it reconnect rather than leave and join; tokens that do not fit change nothing.
 */
class ReconnectSignalingTest {
    /** Long enough to resume within on a loaded machine, short enough to wait out. */
    private static final int GRACE_SECONDS = 4;

    @RegisterExtension
    static final RunningServer server = RunningServer.perClass("--reconnect-grace", String.valueOf(GRACE_SECONDS));

    /** Someone in a room over signaling, with the id and resume token it was given. */
    private record Member(RunningServer.Signaling socket, String id, String token) {}

    private static Member join(String room, String name) throws Exception {
        RunningServer.Signaling s = server.signaling();
        s.join(room, name, null);
        String id = s.next("joined").get("participantId").asText();
        JsonNode token = s.next("resumeToken");
        assertEquals(GRACE_SECONDS, token.get("graceSeconds").asInt(), token.toString());
        assertTrue(token.get("token").asText().length() >= 40, "an unguessable token: " + token);
        return new Member(s, id, token.get("token").asText());
    }

    private static RunningServer.Signaling resume(String token) throws Exception {
        RunningServer.Signaling s = server.signaling();
        s.sendMessage("resume", "token", token);
        return s;
    }

    @Test
    void aDroppedParticipantResumesAsItselfAndOthersSeeNoLeaveOrJoin() throws Exception {
        Member ada = join("resume-room", "Ada");
        Member bob = join("resume-room", "Bob");
        ada.socket().next("participantJoined");

        bob.socket().socket().abort(); // Bob's network went away
        JsonNode away = ada.socket().nextOf("participantReconnecting", "participantLeft", "participantJoined");
        assertEquals("participantReconnecting", away.get("type").asText(), away.toString());
        assertEquals(bob.id(), away.get("participantId").asText());
        assertTrue(away.get("reconnecting").asBoolean());

        RunningServer.Signaling back = resume(bob.token());
        JsonNode resumed = back.next("resumed");
        assertEquals(bob.id(), resumed.get("participantId").asText(), "the same participant: " + resumed);
        assertEquals("resume-room", resumed.get("room").asText());
        assertEquals(1, resumed.get("participants").size(), resumed.toString());
        assertEquals(ada.id(), resumed.get("participants").get(0).get("id").asText());
        String next = back.next("resumeToken").get("token").asText();
        assertNotEquals(bob.token(), next, "a token is good for one resume");

        JsonNode returned = ada.socket().nextOf("participantReconnecting", "participantLeft", "participantJoined");
        assertEquals("participantReconnecting", returned.get("type").asText(), returned.toString());
        assertFalse(returned.get("reconnecting").asBoolean());

        back.sendMessage("chat", "text", "I'm back");
        JsonNode chat = ada.socket().nextOf("chat", "participantLeft", "participantJoined");
        assertEquals("chat", chat.get("type").asText(), "Ada saw Bob neither leave nor join: " + chat);
        assertEquals(bob.id(), chat.get("from").asText());

        // Past the grace period Bob is still there: the timer of the drop he came back from does nothing.
        Thread.sleep(Duration.ofSeconds(GRACE_SECONDS + 1).toMillis());
        back.sendMessage("ping");
        back.next("pong");
        assertFalse(ada.socket().hasReceived("participantLeft"), "Bob stays after his grace period ran out");
        back.sendMessage("leave");
        assertEquals(bob.id(), ada.socket().next("participantLeft").get("participantId").asText());
        RunningServer.Signaling afterLeave = resume(next);
        afterLeave.error("resume_refused");
    }

    @Test
    void resumingWhileTheOldConnectionStillLooksOpenMovesTheSeatAndClosesIt() throws Exception {
        Member ada = join("half-open-room", "Ada");
        Member bob = join("half-open-room", "Bob");
        ada.socket().next("participantJoined");

        RunningServer.Signaling back = resume(bob.token());
        assertEquals(bob.id(), back.next("resumed").get("participantId").asText());
        assertTrue(bob.socket().awaitClosed(), "the connection Bob moved off is closed by the server");
        back.sendMessage("chat", "text", "new socket");
        JsonNode chat = ada.socket().nextOf("chat", "participantLeft", "participantJoined", "participantReconnecting");
        assertEquals("chat", chat.get("type").asText(), "nothing else reached Ada: " + chat);
        assertEquals(bob.id(), chat.get("from").asText());
    }

    @Test
    void unknownReusedAndExpiredTokensAreRefusedAndChangeNothing() throws Exception {
        Member ada = join("token-room", "Ada");
        Member bob = join("token-room", "Bob");
        ada.socket().next("participantJoined");

        RunningServer.Signaling guess = resume("A".repeat(43));
        JsonNode refused = guess.error("resume_refused");
        assertEquals("resume", refused.get("requestType").asText());
        guess.sendMessage("chat", "text", "am I in?");
        guess.error("not_joined"); // the refused connection holds no seat
        RunningServer.Signaling malformed = resume("");
        malformed.error("bad_message");

        // Bob is untouched: his own connection works, and his token still resumes him once.
        bob.socket().sendMessage("ping");
        bob.socket().next("pong");
        RunningServer.Signaling back = resume(bob.token());
        assertEquals(bob.id(), back.next("resumed").get("participantId").asText());
        String last = back.next("resumeToken").get("token").asText();
        RunningServer.Signaling again = resume(bob.token());
        again.error("resume_refused");
        back.sendMessage("ping");
        back.next("pong");
        assertFalse(ada.socket().hasReceived("participantLeft"), "a refused resume moves nobody");

        // A token of a seat whose grace ran out: the participant left as disconnected, the token with it.
        back.socket().abort();
        ada.socket().next("participantReconnecting");
        JsonNode left = ada.socket().next("participantLeft", Duration.ofSeconds(GRACE_SECONDS + 10));
        assertEquals(bob.id(), left.get("participantId").asText());
        assertEquals("disconnected", left.get("reason").asText());
        resume(last).error("resume_refused");
    }

    @Test
    void aConnectionThatJoinedCannotAlsoResume() throws Exception {
        Member ada = join("twice-room", "Ada");
        Member bob = join("twice-room", "Bob");
        ada.socket().sendMessage("resume", "token", bob.token());
        ada.socket().error("already_joined");
        bob.socket().sendMessage("ping");
        bob.socket().next("pong");
        RunningServer.Signaling back = resume(bob.token());
        assertEquals(bob.id(), back.next("resumed").get("participantId").asText(), "the token was not spent");
    }
}

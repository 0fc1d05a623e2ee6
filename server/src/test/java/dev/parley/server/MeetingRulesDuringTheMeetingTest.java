package dev.parley.server;

import static dev.parley.server.Meetings.hostToken;
import static dev.parley.server.Meetings.awaitEvents;
import static dev.parley.server.Meetings.awaitLive;
import static dev.parley.server.Meetings.awaitLobbySize;
import static dev.parley.server.Meetings.guestToken;
import static dev.parley.server.Meetings.meeting;
import static dev.parley.server.Meetings.register;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.PostgresSchema;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meeting's rules hold while people are in it, not only when they join: a host removes one participant
 * (over signaling or REST) and that identity may not come back until the meeting ends, and an account an
 * administrator disables or deletes leaves every call at once. All over real HTTP and WebSocket against a
 * running server.
 */
class MeetingRulesDuringTheMeetingTest {
    @TempDir
    Path dir;

    @Test
    void aHostRemovesAParticipantOverSignalingAndItCannotRejoin() throws Exception {
        try (PostgresSchema db = PostgresSchema.create(); RunningServer s = new RunningServer(dir, db.serverArgs())) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Host", hostToken(s, meeting, host));
            JsonNode hostJoined = h.next("joined");
            String hostId = hostJoined.get("participantId").asText();
            assertTrue(hostJoined.get("host").asBoolean(), "joined tells a host it hosts");
            String adaToken = guestToken(s, meeting, "Ada", null);
            RunningServer.Signaling ada = s.signaling();
            ada.join(room, "Ada", adaToken);
            JsonNode adaJoined = ada.next("joined");
            String adaId = adaJoined.get("participantId").asText();
            assertFalse(adaJoined.get("host").asBoolean());
            RunningServer.Signaling bob = s.signaling();
            bob.join(room, "Bob", guestToken(s, meeting, "Bob", null));
            bob.next("joined");
            awaitLive(s, id, host, n -> n == 3);

            // A guest may not remove anyone; nobody is removed by a bad request.
            bob.sendMessage("remove", "participantId", adaId);
            assertEquals("remove", bob.error("forbidden").get("requestType").asText());
            h.sendMessage("remove", "participantId", "p-nobody");
            h.error("not_in_room");
            h.sendMessage("remove", "participantId", hostId);
            h.error("bad_message");
            h.sendMessage("remove", "participantId", 42);
            h.error("bad_message");
            assertFalse(ada.hasReceived("removed"));
            assertFalse(ada.hasReceived("left"));

            h.sendMessage("remove", "participantId", adaId);
            assertEquals("removed_by_host", ada.next("removed").get("reason").asText());
            assertTrue(ada.awaitClosed(), "a removed participant's socket is closed");
            for (RunningServer.Signaling other : List.of(h, bob)) {
                JsonNode gone = other.next("participantLeft");
                assertEquals(adaId, gone.get("participantId").asText());
                assertEquals("removed", gone.get("reason").asText());
            }
            awaitLive(s, id, host, n -> n == 2);

            // The same identity is refused until the meeting ends; the others stay.
            RunningServer.Signaling again = s.signaling();
            again.join(room, "Ada", adaToken);
            assertEquals("join", again.error("removed").get("requestType").asText());
            assertTrue(again.awaitClosed());
            assertFalse(again.hasReceived("joined"));
            h.sendMessage("ping");
            h.next("pong");

            List<String> removed = awaitEvents(db, "participant.removed", 1);
            assertEquals(1, removed.size(), removed.toString());
            String event = removed.get(0);
            assertTrue(event.contains(adaId) && event.contains("removed_by_host")
                    && event.contains("\"removedBy\":\"" + meeting.get("hostId").asText() + "\""), event);
        }
    }

    @Test
    void theMeetingsHostOrAnAdminRemovesOverRestAndEveryConnectionOfThatAccountGoes() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String admin = register(s, "admin@example.org"); // the first account is the administrator
            String host = register(s, "host@example.org");
            String other = register(s, "other@example.org"); // a host too, of no meeting here
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            String carol = register(s, "carol@example.org");
            String carolToken = s.post("/api/v1/meetings/" + id + "/join", carol, "{}").body().get("token").asText();
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Host", hostToken(s, meeting, host));
            h.next("joined");
            // Carol is in twice (two tabs).
            RunningServer.Signaling tab1 = s.signaling();
            tab1.join(room, "Carol", carolToken);
            String carolId = tab1.next("joined").get("participantId").asText();
            RunningServer.Signaling tab2 = s.signaling();
            tab2.join(room, "Carol", carolToken);
            tab2.next("joined");
            awaitLive(s, id, host, n -> n == 3);

            String path = "/api/v1/meetings/" + id + "/participants/" + carolId + "/remove";
            assertEquals(401, s.post(path, null, "").status());
            assertEquals(403, s.post(path, other, "").status());
            assertEquals(403, s.post(path, carol, "").status());
            assertEquals(404, s.post("/api/v1/meetings/" + id + "/participants/p-nobody/remove", host, "").status());
            assertEquals(404, s.post("/api/v1/meetings/no-such-meeting/participants/" + carolId + "/remove", host, "").status());
            assertFalse(tab1.hasReceived("removed"));

            assertEquals(204, s.post(path, host, "").status());
            for (RunningServer.Signaling tab : List.of(tab1, tab2)) {
                assertEquals("removed_by_host", tab.next("removed").get("reason").asText());
                assertTrue(tab.awaitClosed());
            }
            assertEquals("removed", h.next("participantLeft").get("reason").asText());
            awaitLive(s, id, host, n -> n == 1);
            assertEquals(404, s.post(path, host, "").status(), "already gone");

            // A freshly minted token does not help: the account is barred from this meeting until it ends.
            String fresh = s.post("/api/v1/meetings/" + id + "/join", carol, "{}").body().get("token").asText();
            RunningServer.Signaling back = s.signaling();
            back.join(room, "Carol", fresh);
            back.error("removed");

            // An admin may remove from anyone's meeting; removing the meeting's host ends nothing else.
            RunningServer.Signaling dan = s.signaling();
            dan.join(room, "Dan", guestToken(s, meeting, "Dan", null));
            String danId = dan.next("joined").get("participantId").asText();
            assertEquals(204, s.post("/api/v1/meetings/" + id + "/participants/" + danId + "/remove", admin, "").status());
            assertEquals("removed_by_host", dan.next("removed").get("reason").asText());

            assertEquals(204, s.delete("/api/v1/meetings/" + id, host).status());
            assertEquals(409, s.post("/api/v1/meetings/" + id + "/participants/" + danId + "/remove", host, "").status());
        }
    }

    @Test
    void anAccountDisabledOrDeletedDuringACallIsRemovedFromIt() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String admin = register(s, "admin@example.org"); // the first account is the administrator
            JsonNode meeting = meeting(s, admin, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Admin", s.post("/api/v1/meetings/" + id + "/join", admin, "{}").body().get("token").asText());
            h.next("joined");
            String[] userIds = new String[2];
            String[] tokens = new String[2];
            RunningServer.Signaling[] calls = new RunningServer.Signaling[2];
            String[] participantIds = new String[2];
            String[] accesses = new String[2];
            for (int i = 0; i < 2; i++) {
                String access = register(s, "p" + i + "@example.org");
                accesses[i] = access;
                userIds[i] = s.get("/api/v1/users/me", access).body().get("id").asText();
                tokens[i] = s.post("/api/v1/meetings/" + id + "/join", access, "{}").body().get("token").asText();
                calls[i] = s.signaling();
                calls[i].join(room, "P" + i, tokens[i]);
                participantIds[i] = calls[i].next("joined").get("participantId").asText();
            }
            awaitLive(s, id, admin, n -> n == 3);
            // P0 also waits in the lobby of another meeting.
            JsonNode lobbyMeeting = meeting(s, admin, "{\"lobby\":true}");
            String lobbyId = lobbyMeeting.get("id").asText();
            RunningServer.Signaling waiting = s.signaling();
            waiting.join(lobbyMeeting.get("room").asText(), "P0", s.post("/api/v1/meetings/" + lobbyId + "/join",
                    accesses[0], "{}").body().get("token").asText());
            waiting.next("lobby");
            assertEquals(1, awaitLobbySize(s, lobbyId, admin, 1));

            assertEquals(200, s.post("/api/v1/users/" + userIds[0] + "/disable", admin, "").status());
            assertEquals("account_disabled", calls[0].next("removed").get("reason").asText());
            assertTrue(calls[0].awaitClosed());
            assertEquals("account_disabled", waiting.next("removed").get("reason").asText());
            assertTrue(waiting.awaitClosed());
            assertEquals(0, awaitLobbySize(s, lobbyId, admin, 0));
            JsonNode gone = h.next("participantLeft");
            assertEquals(participantIds[0], gone.get("participantId").asText());
            assertEquals("removed", gone.get("reason").asText());
            assertFalse(calls[1].hasReceived("removed"), "only the disabled account goes");

            assertEquals(204, s.delete("/api/v1/users/" + userIds[1], admin).status());
            assertEquals("account_deleted", calls[1].next("removed").get("reason").asText());
            assertTrue(calls[1].awaitClosed());
            awaitLive(s, id, admin, n -> n == 1);

            RunningServer.Signaling retry = s.signaling();
            retry.join(room, "P0", tokens[0]);
            retry.error("account_disabled");
            // Disabling is not a host's bar: enabled again, the account may come back.
            assertEquals(200, s.post("/api/v1/users/" + userIds[0] + "/enable", admin, "").status());
            RunningServer.Signaling back = s.signaling();
            back.join(room, "P0", tokens[0]);
            back.next("joined");
        }
    }
}

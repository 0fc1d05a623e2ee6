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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A meeting's rules hold when someone joins, not only when a join token is minted: the meeting must not have
 * ended, {@code maxParticipants} counts who is really in the room, a disabled or deleted account's token is
 * refused, the password is needed, and a lobby keeps guests waiting until a host admits them. Ending a
 * meeting removes everyone from the call. All over real HTTP and WebSocket against a running server.
 */
class MeetingRulesAtJoinTest {
    @TempDir
    Path dir;

    @Test
    void maxParticipantsCountsWhoIsInTheRoomNotWhoGotATokenEarlier() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{\"maxParticipants\":1}");
            String room = meeting.get("room").asText();
            // Both tokens are minted while the room is empty, so minting alone lets both through.
            String first = guestToken(s, meeting, "Ada", null);
            String second = guestToken(s, meeting, "Bob", null);

            RunningServer.Signaling ada = s.signaling();
            ada.join(room, "Ada", first);
            ada.next("joined");
            RunningServer.Signaling bob = s.signaling();
            bob.join(room, "Bob", second);
            JsonNode refused = bob.error("meeting_full");
            assertEquals("join", refused.get("requestType").asText());
            assertTrue(bob.awaitClosed(), "a refused join closes the connection");
            assertFalse(bob.hasReceived("joined"));

            // A guest without a token counts and is counted the same way.
            RunningServer.Signaling linkOnly = s.signaling();
            linkOnly.join(room, "Carol", null);
            linkOnly.error("meeting_full");

            // The seat frees when Ada leaves, and the earlier token then works.
            ada.send("{\"type\":\"leave\"}");
            ada.next("left");
            RunningServer.Signaling bobAgain = s.signaling();
            bobAgain.join(room, "Bob", second);
            bobAgain.next("joined");
        }
    }

    @Test
    void joinsAtTheSameMomentCannotOverfillTheRoom() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{\"maxParticipants\":2}");
            String room = meeting.get("room").asText();
            String token = guestToken(s, meeting, "Crowd", null);
            List<RunningServer.Signaling> crowd = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                crowd.add(s.signaling());
            }
            crowd.parallelStream().forEach(c -> c.join(room, "Crowd", token));
            int joined = 0;
            int full = 0;
            for (RunningServer.Signaling c : crowd) {
                JsonNode answer = c.nextOf("joined", "error");
                if (answer.get("type").asText().equals("joined")) {
                    joined++;
                } else if (answer.get("code").asText().equals("meeting_full")) {
                    full++;
                }
            }
            assertEquals(2, joined, "exactly maxParticipants get in");
            assertEquals(6, full);
        }
    }

    @Test
    void tokenlessGuestsFillTheRoomToo() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{\"maxParticipants\":1}");
            String room = meeting.get("room").asText();
            String token = guestToken(s, meeting, "Bob", null);
            RunningServer.Signaling linkOnly = s.signaling();
            linkOnly.join(room, "Carol", null);
            linkOnly.next("joined");
            RunningServer.Signaling bob = s.signaling();
            bob.join(room, "Bob", token);
            bob.error("meeting_full");
        }
    }

    @Test
    void endingAMeetingRemovesEveryoneAndRefusesEarlierTokens() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            String hostToken = hostToken(s, meeting, host);
            String guest = guestToken(s, meeting, "Ada", null);
            String mintedBeforeTheEnd = guestToken(s, meeting, "Late", null);

            RunningServer.Signaling h = s.signaling();
            h.join(room, "Host", hostToken);
            h.next("joined");
            RunningServer.Signaling ada = s.signaling();
            ada.join(room, "Ada", guest);
            ada.next("joined");
            awaitLive(s, id, host, n -> n == 2);

            assertEquals(204, s.delete("/api/v1/meetings/" + id, host).status());
            for (RunningServer.Signaling c : List.of(h, ada)) {
                assertEquals("meeting_ended", c.next("removed").get("reason").asText());
                assertTrue(c.awaitClosed(), "a removed participant's socket is closed");
            }
            awaitLive(s, id, host, n -> n == 0);

            RunningServer.Signaling late = s.signaling();
            late.join(room, "Late", mintedBeforeTheEnd);
            late.error("meeting_ended");
            assertTrue(late.awaitClosed());
            RunningServer.Signaling link = s.signaling();
            link.join(room, "Link", null);
            link.error("meeting_ended");
        }
    }

    @Test
    void aDisabledOrDeletedAccountsEarlierTokenIsRefused() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String admin = register(s, "admin@example.org"); // the first account is the administrator
            JsonNode meeting = meeting(s, admin, "{}");
            String room = meeting.get("room").asText();
            String[] ids = new String[2];
            String[] tokens = new String[2];
            for (int i = 0; i < 2; i++) {
                RunningServer.Reply made = s.post("/api/v1/users", admin, "{\"email\":\"p" + i + "@example.org\","
                        + "\"password\":\"a long enough secret\",\"displayName\":\"P" + i + "\",\"role\":\"participant\"}");
                assertEquals(201, made.status(), String.valueOf(made.body()));
                ids[i] = made.body().get("id").asText();
                String access = s.post("/api/v1/auth/login", null, "{\"email\":\"p" + i + "@example.org\","
                        + "\"password\":\"a long enough secret\"}").body().get("accessToken").asText();
                tokens[i] = s.post("/api/v1/meetings/" + meeting.get("id").asText() + "/join", access, "{}")
                        .body().get("token").asText();
            }
            assertEquals(200, s.post("/api/v1/users/" + ids[0] + "/disable", admin, "").status());
            assertEquals(204, s.delete("/api/v1/users/" + ids[1], admin).status());

            RunningServer.Signaling disabled = s.signaling();
            disabled.join(room, "P0", tokens[0]);
            disabled.error("account_disabled");
            assertTrue(disabled.awaitClosed());
            RunningServer.Signaling deleted = s.signaling();
            deleted.join(room, "P1", tokens[1]);
            deleted.error("account_deleted");

            // Enabled again, the same token works: the check is made at join time.
            assertEquals(200, s.post("/api/v1/users/" + ids[0] + "/enable", admin, "").status());
            RunningServer.Signaling back = s.signaling();
            back.join(room, "P0", tokens[0]);
            back.next("joined");
        }
    }

    @Test
    void aPasswordIsNeededAtJoinAndAChangedPasswordVoidsEarlierTokens() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{\"password\":\"blue tulip\"}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            assertEquals(403, s.post("/api/v1/meetings/" + id + "/join", null, "{\"name\":\"Eve\"}").status());

            RunningServer.Signaling link = s.signaling();
            link.join(room, "Eve", null);
            link.error("password_required");
            assertTrue(link.awaitClosed());

            String before = guestToken(s, meeting, "Ada", "blue tulip");
            assertEquals(200, s.patch("/api/v1/meetings/" + id, host, "{\"settings\":{\"password\":\"red rose\"}}").status());
            RunningServer.Signaling stale = s.signaling();
            stale.join(room, "Ada", before);
            stale.error("password_required");

            String after = guestToken(s, meeting, "Ada", "red rose");
            RunningServer.Signaling ada = s.signaling();
            ada.join(room, "Ada", after);
            ada.next("joined");
            // The host's own token needs no password.
            String hostToken = hostToken(s, meeting, host);
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Host", hostToken);
            h.next("joined");
        }
    }

    @Test
    void lobbyGuestsWaitUntilAHostAdmitsOrRefusesThem() throws Exception {
        try (PostgresSchema db = PostgresSchema.create(); RunningServer s = new RunningServer(dir, db.serverArgs())) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{\"lobby\":true,\"maxParticipants\":3}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();

            // Minted while the room is empty: minting refuses tokens for a full room.
            String danToken = guestToken(s, meeting, "Dan", null);

            // With no host in the room, a guest waits and is not in the call.
            RunningServer.Signaling ada = s.signaling();
            ada.join(room, "Ada", guestToken(s, meeting, "Ada", null));
            JsonNode waiting = ada.next("lobby");
            String adaWaiting = waiting.get("waitingId").asText();
            assertEquals(room, waiting.get("room").asText());
            assertFalse(ada.hasReceived("joined"));
            JsonNode lobby = s.get("/api/v1/meetings/" + id + "/lobby", host).body();
            assertEquals(1, lobby.get("items").size(), lobby.toString());
            assertEquals("Ada", lobby.get("items").get(0).get("name").asText());
            assertEquals(adaWaiting, lobby.get("items").get(0).get("waitingId").asText());
            assertEquals(0, s.get("/api/v1/meetings/" + id + "/participants", host).body().get("items").size());
            // Only the meeting's host (or an admin) sees or decides.
            String other = register(s, "other@example.org");
            assertEquals(403, s.get("/api/v1/meetings/" + id + "/lobby", other).status());
            assertEquals(403, s.post("/api/v1/meetings/" + id + "/lobby/" + adaWaiting + "/admit", other, "").status());
            assertEquals(401, s.post("/api/v1/meetings/" + id + "/lobby/" + adaWaiting + "/admit", null, "").status());
            assertFalse(ada.hasReceived("joined"));

            // The host joins, sees who waits, and admits Ada over signaling.
            String hostToken = hostToken(s, meeting, host);
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Host", hostToken);
            h.next("joined");
            JsonNode seen = h.next("lobbyUpdated");
            assertEquals(adaWaiting, seen.get("waiting").get(0).get("waitingId").asText());
            h.send("{\"type\":\"admit\",\"waitingId\":\"" + adaWaiting + "\"}");
            ada.next("joined");
            h.next("participantJoined");

            // A guest cannot admit anyone.
            RunningServer.Signaling bob = s.signaling();
            bob.join(room, "Bob", guestToken(s, meeting, "Bob", null));
            String bobWaiting = bob.next("lobby").get("waitingId").asText();
            ada.send("{\"type\":\"admit\",\"waitingId\":\"" + bobWaiting + "\"}");
            ada.error("forbidden");
            assertFalse(bob.hasReceived("joined"));

            // The host refuses Bob by REST; admits Carol by REST.
            assertEquals(204, s.post("/api/v1/meetings/" + id + "/lobby/" + bobWaiting + "/refuse", host, "").status());
            assertEquals("join", bob.error("lobby_refused").get("requestType").asText());
            assertTrue(bob.awaitClosed());
            assertEquals(404, s.post("/api/v1/meetings/" + id + "/lobby/" + bobWaiting + "/admit", host, "").status());
            RunningServer.Signaling carol = s.signaling();
            carol.join(room, "Carol", guestToken(s, meeting, "Carol", null));
            String carolWaiting = carol.next("lobby").get("waitingId").asText();
            assertEquals(204, s.post("/api/v1/meetings/" + id + "/lobby/" + carolWaiting + "/admit", host, "").status());
            carol.next("joined");

            // The room is full now (3): a fourth waits, and admitting it is refused while the room is full.
            RunningServer.Signaling dan = s.signaling();
            dan.join(room, "Dan", danToken);
            String danWaiting = dan.next("lobby").get("waitingId").asText();
            assertEquals(409, s.post("/api/v1/meetings/" + id + "/lobby/" + danWaiting + "/admit", host, "").status());
            assertFalse(dan.hasReceived("joined"));

            // Ending the meeting removes the waiting too.
            assertEquals(204, s.delete("/api/v1/meetings/" + id, host).status());
            assertEquals("meeting_ended", dan.next("removed").get("reason").asText());
            assertTrue(dan.awaitClosed());

            List<String> events = awaitEvents(db, "participant.waiting", 4);
            assertEquals(4, events.size(), events.toString());
            assertEquals(2, awaitEvents(db, "participant.admitted", 2).size());
            List<String> refused = awaitEvents(db, "participant.refused", 1);
            assertEquals(1, refused.size(), refused.toString());
            assertTrue(refused.get(0).contains(bobWaiting) && refused.get(0).contains(meeting.get("hostId").asText()),
                    refused.get(0));
        }
    }

    @Test
    void theLobbyIsOnlyAWaitingRoomAndItIsBounded() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String host = register(s, "host@example.org");
            JsonNode meeting = meeting(s, host, "{\"lobby\":true}");
            String id = meeting.get("id").asText();
            String room = meeting.get("room").asText();
            String hostToken = hostToken(s, meeting, host);
            RunningServer.Signaling h = s.signaling();
            h.join(room, "Host", hostToken);
            h.next("joined");
            assertEquals(0, h.next("lobbyUpdated").get("waiting").size());

            // Waiting is not being in: no chat, no publishing, and nobody in the room hears of it.
            RunningServer.Signaling ada = s.signaling();
            ada.join(room, "Ada", guestToken(s, meeting, "Ada", null));
            String adaWaiting = ada.next("lobby").get("waitingId").asText();
            assertEquals(adaWaiting, h.next("lobbyUpdated").get("waiting").get(0).get("waitingId").asText());
            ada.send("{\"type\":\"chat\",\"text\":\"let me in\"}");
            ada.error("not_joined");
            ada.send("{\"type\":\"publish\",\"sdp\":\"v=0\"}");
            ada.error("not_joined");
            assertFalse(h.hasReceived("chat"));
            // Leaving the lobby takes Ada off the list the host sees.
            ada.send("{\"type\":\"leave\"}");
            ada.next("left");
            assertEquals(0, h.next("lobbyUpdated").get("waiting").size());
            h.send("{\"type\":\"admit\",\"waitingId\":\"" + adaWaiting + "\"}");
            h.error("not_waiting");
            h.send("{\"type\":\"refuse\",\"waitingId\":\"w-nobody\"}");
            h.error("not_waiting");
            assertEquals(404, s.post("/api/v1/meetings/" + id + "/lobby/" + adaWaiting + "/admit", host, "").status());

            // A closed socket leaves the lobby too.
            RunningServer.Signaling bob = s.signaling();
            bob.join(room, "Bob", guestToken(s, meeting, "Bob", null));
            bob.next("lobby");
            bob.socket().sendClose(1000, "bye").join();
            assertEquals(0, awaitLobbySize(s, id, host, 0));

            // Turning the lobby off lets those waiting in.
            RunningServer.Signaling carol = s.signaling();
            carol.join(room, "Carol", guestToken(s, meeting, "Carol", null));
            carol.next("lobby");
            assertEquals(200, s.patch("/api/v1/meetings/" + id, host, "{\"settings\":{\"lobby\":false}}").status());
            carol.next("joined");
            assertEquals(200, s.patch("/api/v1/meetings/" + id, host, "{\"settings\":{\"lobby\":true}}").status());

            // The lobby is bounded: one more than it holds is refused.
            String token = guestToken(s, meeting, "Many", null);
            List<RunningServer.Signaling> crowd = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                RunningServer.Signaling c = s.signaling();
                c.join(room, "Many", token);
                crowd.add(c);
            }
            for (RunningServer.Signaling c : crowd) {
                c.next("lobby");
            }
            RunningServer.Signaling tooMany = s.signaling();
            tooMany.join(room, "Many", token);
            tooMany.error("lobby_full");
            assertTrue(tooMany.awaitClosed());
            assertEquals(50, awaitLobbySize(s, id, host, 50));

            // Ending the meeting by PATCH empties the lobby and the room alike.
            assertEquals(200, s.patch("/api/v1/meetings/" + id, host, "{\"status\":\"ended\"}").status());
            assertEquals("meeting_ended", h.next("removed").get("reason").asText());
            for (RunningServer.Signaling c : crowd) {
                assertEquals("meeting_ended", c.next("removed").get("reason").asText());
            }
            assertEquals(0, awaitLobbySize(s, id, host, 0));
        }
    }
}

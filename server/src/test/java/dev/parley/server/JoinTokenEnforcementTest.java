package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --auth-required true}, joining needs a join token from the REST API; the token's room and
 * signature are checked. Runs against the embedded H2 and against PostgreSQL (127.0.0.1:5432, database test).
 */
class JoinTokenEnforcementTest {
    static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";

    @TempDir
    Path dir;
    private String schema;

    @Test
    void onH2() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--auth-required", "true")) {
            tokensDecideWhoJoins(s);
        }
    }

    @Test
    void onPostgres() throws Exception {
        schema = "parley_srv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
             Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            throw new AssertionError("PostgreSQL must run on 127.0.0.1:5432 (database test, trust auth) for this test: "
                    + e.getMessage(), e);
        }
        try (RunningServer s = new RunningServer(dir, "--auth-required", "true",
                "--db-url", POSTGRES + "?currentSchema=" + schema, "--db-user", "postgres")) {
            tokensDecideWhoJoins(s);
        }
    }

    @Test
    void withoutAuthRequiredGuestsJoinOpenRoomsButNotMeetingsThatKeepThemOut() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            RunningServer.Signaling guest = s.signaling();
            guest.send("{\"type\":\"join\",\"room\":\"hallway\",\"name\":\"Guest\"}");
            guest.next("joined");

            String access = s.post("/api/v1/auth/register", null,
                    "{\"email\":\"h@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"H\"}")
                    .body().get("accessToken").asText();
            JsonNode closed = s.post("/api/v1/meetings", access,
                    "{\"title\":\"Private\",\"settings\":{\"guestsAllowed\":false}}").body();
            RunningServer.Signaling intruder = s.signaling();
            intruder.send("{\"type\":\"join\",\"room\":\"" + closed.get("room").asText() + "\",\"name\":\"Guest\"}");
            JsonNode refused = intruder.next("error");
            assertEquals("auth", refused.get("code").asText());
            assertTrue(refused.get("message").asText().contains("join token"), refused.toString());
        }
    }

    @AfterEach
    void dropSchema() throws Exception {
        if (schema != null) {
            try (Connection c = DriverManager.getConnection(POSTGRES, "postgres", "");
                 Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private void tokensDecideWhoJoins(RunningServer s) throws Exception {
        RunningServer.Reply reg = s.post("/api/v1/auth/register", null,
                "{\"email\":\"host@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"Host\"}");
        assertEquals(201, reg.status(), String.valueOf(reg.body()));
        String access = reg.body().get("accessToken").asText();
        JsonNode meeting = s.post("/api/v1/meetings", access, "{\"title\":\"Board\"}").body();
        String room = meeting.get("room").asText();
        RunningServer.Reply join = s.post("/api/v1/meetings/" + meeting.get("id").asText() + "/join", access, "{}");
        assertEquals(200, join.status(), String.valueOf(join.body()));
        String token = join.body().get("token").asText();
        assertTrue(join.body().get("signalingUrl").asText().endsWith("/ws/signaling"));

        RunningServer.Signaling noToken = s.signaling();
        noToken.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"Mallory\"}");
        assertEquals("auth", noToken.next("error").get("code").asText());
        assertTrue(noToken.awaitClosed(), "an auth error closes the connection");

        String tampered = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
        RunningServer.Signaling forged = s.signaling();
        forged.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"Mallory\",\"token\":\"" + tampered + "\"}");
        assertEquals("auth", forged.next("error").get("code").asText());

        RunningServer.Signaling elsewhere = s.signaling();
        elsewhere.send("{\"type\":\"join\",\"room\":\"another-room\",\"name\":\"Host\",\"token\":\"" + token + "\"}");
        JsonNode wrongRoom = elsewhere.next("error");
        assertEquals("auth", wrongRoom.get("code").asText());

        RunningServer.Signaling host = s.signaling();
        host.send("{\"type\":\"join\",\"room\":\"" + room + "\",\"name\":\"ignored\",\"token\":\"" + token + "\"}");
        JsonNode joined = host.next("joined");
        String participantId = joined.get("participantId").asText();

        // Presence reaches the control plane: the live list names the participant with the account's identity.
        String userId = reg.body().get("user").get("id").asText();
        long deadline = System.nanoTime() + 10_000_000_000L;
        JsonNode live = null;
        while (System.nanoTime() < deadline) {
            live = s.get("/api/v1/meetings/" + meeting.get("id").asText() + "/participants", access).body();
            if (live.toString().contains(participantId)) {
                break;
            }
            Thread.sleep(50);
        }
        assertTrue(live.toString().contains(participantId) && live.toString().contains(userId), String.valueOf(live));
    }
}

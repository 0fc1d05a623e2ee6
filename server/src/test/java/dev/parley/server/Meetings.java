package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.PostgresSchema;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Accounts, meetings and join tokens through the real REST API of a {@link RunningServer}, and polls for what the
 * server does in the background (live participants, the lobby, outbox events): the set-up the server's meeting
 * tests share.
 */
final class Meetings {
    private Meetings() {}

    static int awaitLobbySize(RunningServer s, String id, String access, int expected) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int n = -1;
        while (System.nanoTime() < deadline) {
            n = s.get("/api/v1/meetings/" + id + "/lobby", access).body().get("items").size();
            if (n == expected) {
                return n;
            }
            Thread.sleep(50);
        }
        return n;
    }

    static String register(RunningServer s, String email) throws Exception {
        RunningServer.Reply r = s.post("/api/v1/auth/register", null,
                "{\"email\":\"" + email + "\",\"password\":\"a long enough secret\",\"displayName\":\"Someone\"}");
        assertEquals(201, r.status(), String.valueOf(r.body()));
        return r.body().get("accessToken").asText();
    }

    static JsonNode meeting(RunningServer s, String access, String settings) throws Exception {
        RunningServer.Reply r = s.post("/api/v1/meetings", access, "{\"title\":\"Rules\",\"settings\":" + settings + "}");
        assertEquals(201, r.status(), String.valueOf(r.body()));
        return r.body();
    }

    static String guestToken(RunningServer s, JsonNode meeting, String name, String password) throws Exception {
        String body = "{\"name\":\"" + name + "\"" + (password == null ? "" : ",\"password\":\"" + password + "\"") + "}";
        RunningServer.Reply r = s.post("/api/v1/meetings/" + meeting.get("id").asText() + "/join", null, body);
        assertEquals(200, r.status(), String.valueOf(r.body()));
        return r.body().get("token").asText();
    }

    static void awaitLive(RunningServer s, String id, String access, Predicate<Integer> done) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        int n = -1;
        while (System.nanoTime() < deadline) {
            n = s.get("/api/v1/meetings/" + id + "/participants", access).body().get("items").size();
            if (done.test(n)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the live participant count stayed at " + n);
    }

    /** The payloads of outbox events of {@code type}, once at least {@code atLeast} exist (or after 10 s). */
    static List<String> awaitEvents(PostgresSchema db, String type, int atLeast) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        List<String> found = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            found.clear();
            try (Connection c = db.connect(); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT payload FROM event_outbox WHERE type = '" + type + "' ORDER BY seq")) {
                while (rs.next()) {
                    found.add(rs.getString(1));
                }
            }
            if (found.size() >= atLeast) {
                return found;
            }
            Thread.sleep(50);
        }
        return found;
    }

    /** A join token for the meeting's host (or a co-host), minted with the account's access token. */
    static String hostToken(RunningServer s, JsonNode meeting, String access) throws Exception {
        RunningServer.Reply r = s.post("/api/v1/meetings/" + meeting.get("id").asText() + "/join", access, "{}");
        assertEquals(200, r.status(), String.valueOf(r.body()));
        return r.body().get("token").asText();
    }
}

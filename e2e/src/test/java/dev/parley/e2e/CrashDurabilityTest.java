package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.PostgresSchema;
import dev.parley.testkit.SignalingClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real server process killed with SIGKILL (a crash: no shutdown hook runs) right after a burst of writes
 * it acknowledged, then started again on the same store: every acknowledged write is there, a logged-out
 * token stays refused, and the presence the crash left open is closed.
 */
class CrashDurabilityTest {
    private static final String PASSWORD = "correct horse battery";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private record Account(String email, String id, String accessToken, String refreshToken) {}

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void everyAcknowledgedWriteSurvivesSigkill(String store) throws Exception {
        try (PostgresSchema pg = store.equals("postgres") ? PostgresSchema.create() : null) {
            List<String> args = pg == null ? List.of() : pg.serverArgs();
            List<Account> accounts = new ArrayList<>();
            Map<String, String> meetingHosts = new LinkedHashMap<>(); // meeting id -> host account id
            Map<String, String> titles = new LinkedHashMap<>();
            Account loggedOut;
            ParleyServerProcess first = ParleyServerProcess.start("crash-" + store + "-before", dataDir, args);
            try {
                ApiClient api = new ApiClient(first.baseUri());
                for (int i = 0; i < 3; i++) {
                    String email = "user" + i + "@example.com";
                    JsonNode session = api.expect(201, "POST", "/api/v1/auth/register", null,
                            Map.of("email", email, "password", PASSWORD, "displayName", "User " + i));
                    accounts.add(new Account(email, session.path("user").path("id").asText(),
                            session.path("accessToken").asText(), session.path("refreshToken").asText()));
                }
                for (int i = 0; i < 20; i++) {
                    Account host = accounts.get(i % accounts.size());
                    String title = "Standup " + i;
                    JsonNode m = api.expect(201, "POST", "/api/v1/meetings", host.accessToken(), Map.of("title", title));
                    meetingHosts.put(m.path("id").asText(), host.id());
                    titles.put(m.path("id").asText(), title);
                }
                loggedOut = accounts.get(2);
                api.expect(204, "POST", "/api/v1/auth/logout", loggedOut.accessToken(),
                        Map.of("refreshToken", loggedOut.refreshToken()));
            } finally {
                first.kill(); // within milliseconds of the last acknowledgement
            }

            try (ParleyServerProcess second = ParleyServerProcess.start("crash-" + store + "-after", dataDir, args)) {
                ApiClient api = new ApiClient(second.baseUri());
                // Access tokens issued before the crash are still valid (same secret, 15 minutes), so the
                // checks need no logins; one login shows a password hash survived as well.
                String admin = accounts.get(0).accessToken();
                JsonNode users = api.expect(200, "GET", "/api/v1/users?limit=100", admin, null).path("items");
                for (Account a : accounts) {
                    assertTrue(users.findValuesAsText("email").contains(a.email()), a.email() + " exists: " + users);
                }
                JsonNode session = api.expect(200, "POST", "/api/v1/auth/login", null,
                        Map.of("email", accounts.get(1).email(), "password", PASSWORD));
                assertEquals(accounts.get(1).id(), session.path("user").path("id").asText(), "the account kept its id");
                for (Map.Entry<String, String> m : meetingHosts.entrySet()) {
                    JsonNode meeting = api.expect(200, "GET", "/api/v1/meetings/" + m.getKey(), admin, null);
                    assertEquals(titles.get(m.getKey()), meeting.path("title").asText());
                    assertEquals(m.getValue(), meeting.path("hostId").asText(), "the meeting kept its host");
                }
                ApiClient.Answer revoked = api.call("GET", "/api/v1/users/me", loggedOut.accessToken(), null);
                assertEquals(401, revoked.status(), "the logged-out access token stays refused: " + revoked.body());
                ApiClient.Answer refresh = api.call("POST", "/api/v1/auth/refresh", null,
                        Map.of("refreshToken", loggedOut.refreshToken()));
                assertEquals(401, refresh.status(), "the logged-out refresh token stays refused: " + refresh.body());
                ApiClient.Answer stillIn = api.call("GET", "/api/v1/users/me", accounts.get(1).accessToken(), null);
                assertEquals(200, stillIn.status(), "a token that was not logged out still works: " + stillIn.body());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aRestartAfterACrashClosesThePresenceItLeftOpen(String store) throws Exception {
        try (PostgresSchema pg = store.equals("postgres") ? PostgresSchema.create() : null) {
            List<String> args = pg == null ? List.of() : pg.serverArgs();
            String meetingId;
            String participantId;
            String host;
            ParleyServerProcess first = ParleyServerProcess.start("crash-presence-" + store + "-before", dataDir, args);
            SignalingClient client = SignalingClient.open(first.baseUri());
            try {
                ApiClient api = new ApiClient(first.baseUri());
                host = api.expect(201, "POST", "/api/v1/auth/register", null,
                        Map.of("email", "host@example.com", "password", PASSWORD, "displayName", "Host"))
                        .path("accessToken").asText();
                meetingId = api.expect(201, "POST", "/api/v1/meetings", host, Map.of("title", "Planning")).path("id").asText();
                participantId = LiveMeeting.join(api, client, host, meetingId, "Host", TIMEOUT);
            } finally {
                first.kill(); // before the socket closes, so no departure is reported: only the restart can close it
                client.close();
            }

            try (ParleyServerProcess second = ParleyServerProcess.start("crash-presence-" + store + "-after", dataDir, args)) {
                ApiClient api = new ApiClient(second.baseUri());
                JsonNode meeting = api.expect(200, "GET", "/api/v1/meetings/" + meetingId, host, null);
                assertFalse("live".equals(meeting.path("status").asText()), "the meeting is no longer live: " + meeting);
                JsonNode history = api.expect(200, "GET", "/api/v1/meetings/" + meetingId + "/participants/history", host, null);
                JsonNode rows = history.path("items");
                assertEquals(1, rows.size(), "one presence recorded: " + history);
                assertEquals(participantId, rows.get(0).path("participantId").asText());
                assertFalse(rows.get(0).path("leftAt").isNull(), "the presence was closed: " + history);
                assertTrue(rows.get(0).has("leftAt"), "leftAt is present: " + history);
                JsonNode live = api.expect(200, "GET", "/api/v1/meetings/" + meetingId + "/participants", host, null);
                assertEquals(0, live.path("items").size(), "nobody is listed as present: " + live);
            }
        }
    }
}

package dev.parley.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.control.state.NodeLoad;
import dev.parley.control.state.RedisState;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.PostgresSchema;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two servers in this JVM sharing PostgreSQL and Redis (a key prefix of their own): a room lives on one of
 * them, a join reaching the other is sent there ({@code wrong_node} over signaling, {@code signalingUrl} in the
 * REST join), and a draining node keeps its rooms but takes no new ones. SIGTERM to a real process is
 * covered by the e2e MultiNodeTest.
 */
class NodePlacementTest {
    private static final String REDIS = "redis://127.0.0.1:6379/0";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static String signalingUrl(RunningServer s) {
        return "ws://127.0.0.1:" + s.server.httpPort() + "/ws/signaling";
    }

    private static RunningServer.Signaling join(RunningServer s, String room, String name) throws Exception {
        RunningServer.Signaling c = s.signaling();
        c.sendMessage("join", "room", room, "name", name);
        return c;
    }

    /** Whether a signaling upgrade with this {@code Origin} is accepted (a refusal is a 403 before the upgrade). */
    private static boolean opens(RunningServer s, String origin) {
        try {
            s.signaling(origin).close();
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    /** Follows a wrong_node answer the way a client does: a new socket to the URL given, the same join. */
    private static RunningServer.Signaling follow(JsonNode wrongNode, String room, String name) throws Exception {
        URI ws = URI.create(wrongNode.path("url").asText());
        RunningServer.Signaling c = new RunningServer.Signaling(URI.create("http://" + ws.getAuthority()), Map.of());
        c.sendMessage("join", "room", room, "name", name);
        return c;
    }

    @Test
    void aRoomLivesOnOneNodeAndJoinsElsewhereAreSentThere() throws Exception {
        String prefix = "parley-test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        try (PostgresSchema db = PostgresSchema.create()) {
            List<String> args = new ArrayList<>(db.serverArgs());
            args.addAll(List.of("--redis-url", REDIS, "--redis-key-prefix", prefix, "--node-report-interval", "1",
                    "--drain-grace", "0", "--jwt-secret", "a shared secret of every node, 32+ bytes long"));
            try (RunningServer a = new RunningServer(dir.resolve("a"), args);
                 RunningServer b = new RunningServer(dir.resolve("b"), args);
                 RedisState redis = RedisState.connect(REDIS, prefix)) {
                assertEquals(2, redis.nodes().live().size(), "both nodes reported before they were ready");

                // Ada starts the room on a (the nodes tie, and the node reached keeps a tie).
                RunningServer.Signaling ada = join(a, "standup", "Ada");
                ada.next("joined");
                // Bob reaches b: sent to a, where he meets Ada.
                RunningServer.Signaling bobAtB = join(b, "standup", "Bob");
                JsonNode wrong = bobAtB.error("wrong_node");
                assertEquals(signalingUrl(a), wrong.path("url").asText(), "the owner's signaling URL: " + wrong);
                assertEquals("join", wrong.path("requestType").asText());
                assertTrue(bobAtB.awaitClosed(), "a refused join closes the socket");
                RunningServer.Signaling bob = follow(wrong, "standup", "Bob");
                JsonNode bobJoined = bob.next("joined");
                assertEquals("Ada", bobJoined.path("participants").get(0).path("name").asText(), "one room: " + bobJoined);
                assertEquals("Bob", ada.next("participantJoined").path("participant").path("name").asText());
                assertEquals(0, b.server.sfu().rooms().size(), "b holds no part of the room");
                // b's pages may open a's signaling: a's origin is in b's page policy and a's origin check.
                String policy = b.getText("/").headers().firstValue("Content-Security-Policy").orElseThrow();
                assertTrue(policy.contains("connect-src 'self' http://127.0.0.1:" + a.server.httpPort() + " "
                        + signalingUrl(a).replace("/ws/signaling", "") + ";"), policy);
                Eventually.await(TIMEOUT, "a lets b's pages open its signaling", () -> opens(a, "http://127.0.0.1:" + b.server.httpPort()));
                assertFalse(opens(a, "http://127.0.0.1:1"), "but not other origins");
                assertEquals(1, a.server.sfu().rooms().size());

                // A REST join goes to the least loaded node: a has two participants, b none.
                Eventually.await(TIMEOUT, "a reports its two participants", () -> redis.nodes().live().stream()
                        .anyMatch(n -> n.publicUrl().endsWith(":" + a.server.httpPort()) && n.participants() == 2));
                String host = Meetings.register(a, "host@example.org");
                String meeting = Meetings.meeting(a, host, "{}").path("id").asText();
                JsonNode restJoin = a.post("/api/v1/meetings/" + meeting + "/join", host, "{}").body();
                assertEquals(signalingUrl(b), restJoin.path("signalingUrl").asText(), "sent to b: " + restJoin);
                assertEquals(signalingUrl(b), b.post("/api/v1/meetings/" + meeting + "/join", host, "{}").body()
                        .path("signalingUrl").asText(), "the same answer from either node");
                RunningServer.Signaling hostAtB = b.signaling();
                hostAtB.sendMessage("join", "room", restJoin.path("room").asText(), "name", "Host",
                        "token", restJoin.path("token").asText());
                hostAtB.next("joined");
                assertEquals(1, b.server.sfu().rooms().size(), "the meeting's room went to b");

                // a drains: /health says so (readiness fails, liveness holds), its room carries on, new rooms go to b.
                assertTrue(a.server.drain());
                HttpResponse<String> health = a.getText("/health");
                assertEquals(503, health.statusCode(), health.body());
                assertTrue(health.body().contains("\"status\":\"draining\""), health.body());
                assertEquals(200, a.getText("/health/live").statusCode());
                assertEquals(200, b.getText("/health").statusCode());
                Eventually.await(TIMEOUT, "a reports itself draining", () -> redis.nodes().live().stream()
                        .anyMatch(NodeLoad::draining));
                RunningServer.Signaling cy = join(a, "standup", "Cy");
                assertEquals(2, cy.next("joined").path("participants").size(), "a's own room still takes joins");
                RunningServer.Signaling dee = join(a, "retro", "Dee");
                assertEquals(signalingUrl(b), dee.error("wrong_node").path("url").asText(), "a new room goes to b");
                String next = Meetings.meeting(a, host, "{}").path("id").asText();
                assertEquals(signalingUrl(b), a.post("/api/v1/meetings/" + next + "/join", host, "{}").body()
                        .path("signalingUrl").asText());

                // The room empties: a gives it up, and the next join places it afresh (on b, a drains).
                for (RunningServer.Signaling s : List.of(ada, bob, cy)) {
                    s.sendMessage("leave");
                    assertTrue(s.awaitClosed());
                }
                Eventually.await(TIMEOUT, "a releases the emptied room", () -> redis.nodes().owner("standup").isEmpty());
                RunningServer.Signaling eve = join(b, "standup", "Eve");
                assertEquals(0, eve.next("joined").path("participants").size(), "a fresh room on b");
                assertEquals(2, b.server.sfu().rooms().size(), "b serves the meeting and now the stand-up");
            }
            try (RedisState redis = RedisState.connect(REDIS, prefix)) {
                assertEquals(List.of(), redis.nodes().live(), "stopped nodes leave the group at once");
            }
        }
    }
}

package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.PostgresSchema;
import dev.parley.testkit.SignalingClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two real Parley processes sharing PostgreSQL and Redis (a key prefix of their own). Two browsers opening
 * the same meeting link on different nodes meet in one room on one node, the second sent there by
 * {@code wrong_node}; SIGTERM to that node drains it: /health fails readiness, the call goes on with media
 * flowing, its room still takes joins, a new room goes to the other node, and the process ends as soon as
 * the call does. On the other node, a call still going when its drain grace ends is closed
 * ({@code left}, {@code server_shutdown}).
 */
class MultiNodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final Set<String> BOTH = Set.of("Alice", "Bob");

    private static String signalingUrl(ParleyServerProcess node) {
        return "ws://127.0.0.1:" + node.baseUri().getPort() + "/ws/signaling";
    }

    private static JsonNode health(ParleyServerProcess node) throws Exception {
        return JSON.readTree(node.get("/health").body());
    }

    private static SignalingClient join(ParleyServerProcess node, String room, String name) throws Exception {
        SignalingClient c = open(node.baseUri());
        c.join(room, name, null);
        return c;
    }

    /**
     * Opens a signaling socket, trying again when the upgrade is not answered within the kit's 10 s: this test
     * runs two servers and a browser, and on a loaded machine one upgrade can take longer than that.
     */
    private static SignalingClient open(URI base) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return SignalingClient.open(base);
            } catch (java.util.concurrent.TimeoutException e) {
                if (attempt == 3) {
                    throw new AssertionError("no signaling upgrade answered by " + base + " in 3 tries of 10 s", e);
                }
            }
        }
    }

    /**
     * SIGTERM, waited for on a thread of its own: not on the common pool, whose only worker on a two-core
     * machine the JDK's WebSocket client needs for its handshakes.
     */
    private static CompletableFuture<Integer> terminate(ParleyServerProcess node, Duration timeout) {
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("sigterm-" + node.baseUri().getPort()).start(() -> {
            try {
                exit.complete(node.terminate(timeout));
            } catch (RuntimeException e) {
                exit.completeExceptionally(e);
            }
        });
        return exit;
    }

    /** Whether the node answers /health with {@code status}, false while it cannot be reached. */
    private static boolean healthIs(ParleyServerProcess node, int status) {
        try {
            return node.get("/health").statusCode() == status;
        } catch (RuntimeException unreachable) {
            return false;
        }
    }

    @Test
    @Timeout(value = 540, unit = TimeUnit.SECONDS) // two servers and a browser: more than the suite's 240 s on a loaded machine
    void participantsMeetOnOneNodeAndADrainingNodeFinishesItsCalls() throws Exception {
        String prefix = "parley-e2e-" + UUID.randomUUID().toString().substring(0, 8) + ":";
        String room = "nodes-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (PostgresSchema db = PostgresSchema.create()) {
            List<String> common = new ArrayList<>(db.serverArgs());
            common.addAll(List.of("--redis-url", "redis://127.0.0.1:6379/0", "--redis-key-prefix", prefix,
                    "--node-report-interval", "1", "--jwt-secret", "one secret for every node of this deployment"));
            List<String> argsA = new ArrayList<>(common);
            argsA.addAll(List.of("--drain-grace", "120"));
            List<String> argsB = new ArrayList<>(common);
            argsB.addAll(List.of("--drain-grace", "15"));
            try (ParleyServerProcess a = ParleyServerProcess.start("nodes-a", null, argsA);
                 ParleyServerProcess b = ParleyServerProcess.start("nodes-b", null, argsB);
                 HeadlessChromium chromium = HeadlessChromium.launch()) {
                // Alice starts the meeting on a; Bob opens the same link on b and his client is sent to a.
                try (MeetingPage alice = MeetingPage.join(chromium, a, room, "Alice");
                     MeetingPage bob = MeetingPage.join(chromium, b, room, "Bob")) {
                    for (MeetingPage page : List.of(alice, bob)) page.awaitTiles(BOTH, TIMEOUT);
                    alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
                    bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);
                    assertEquals(1, health(a).path("rooms").asInt(), "the room is on a: " + health(a));
                    assertEquals(0, health(b).path("rooms").asInt(), "b holds no part of it: " + health(b));
                    assertEquals(List.of(), bob.policyViolations(), "the page's policy lets it reach the other node");

                    SignalingClient carolAtB = join(b, room, "Carol");
                    assertEquals(signalingUrl(a), carolAtB.error("wrong_node").path("url").asText());
                    carolAtB.close();

                    // SIGTERM to a: it drains while the call goes on.
                    CompletableFuture<Integer> aExit = terminate(a, Duration.ofSeconds(150));
                    Eventually.await(TIMEOUT, "a reports draining on /health", () -> healthIs(a, 503));
                    HttpResponse<String> draining = a.get("/health");
                    assertTrue(draining.body().contains("\"status\":\"draining\""), draining.body());
                    assertEquals(200, a.get("/health/live").statusCode(), "liveness holds while draining");
                    alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
                    bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);

                    SignalingClient carol = join(a, room, "Carol");
                    assertEquals(2, carol.next("joined", TIMEOUT).path("participants").size(),
                            "the draining node's own room still takes joins");
                    String newRoom = room + "-next";
                    SignalingClient dee = join(a, newRoom, "Dee");
                    JsonNode sent = dee.error("wrong_node");
                    assertEquals(signalingUrl(b), sent.path("url").asText(), "a new room goes to b: " + sent);
                    dee.close();
                    dee = open(URI.create("http://" + URI.create(sent.path("url").asText()).getAuthority()));
                    dee.join(newRoom, "Dee", null);
                    dee.next("joined", TIMEOUT);
                    assertFalse(aExit.isDone(), "a waits for its call to end");
                    assertFalse(carol.hasReceived("left"), "nobody on a was told to leave");

                    // The call ends: a stops at once, long before its 120 s grace.
                    long leftAt = System.nanoTime();
                    carol.sendMessage("leave");
                    alice.clickLeave();
                    bob.clickLeave();
                    assertEquals(143, aExit.get(60, TimeUnit.SECONDS), "SIGTERM ends the JVM after the drain");
                    assertTrue(System.nanoTime() - leftAt < TimeUnit.SECONDS.toNanos(60),
                            "a stopped when its call ended, not at the end of its grace");
                    carol.close();

                    // b's grace is 15 s: Dee's call outlives it and is closed by the ordered shutdown.
                    CompletableFuture<Integer> bExit = terminate(b, Duration.ofSeconds(60));
                    Eventually.await(TIMEOUT, "b reports draining on /health", () -> healthIs(b, 503));
                    assertFalse(dee.hasReceived("left"), "Dee's call goes on during b's grace");
                    JsonNode left = dee.next("left", Duration.ofSeconds(45));
                    assertEquals("server_shutdown", left.path("reason").asText(), left.toString());
                    assertEquals(143, bExit.get(30, TimeUnit.SECONDS));
                    dee.close();
                }
            }
        }
    }
}

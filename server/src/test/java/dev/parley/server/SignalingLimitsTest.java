package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits on what one participant, room or client address may take, over a real WebSocket: each refusal is
 * a documented error code (docs/protocol.md) and changes nothing.
 */
class SignalingLimitsTest {
    @TempDir
    Path dir;

    @Test
    void publishesBeyondTheTrackLimitsAreRefusedAndChangeNothing() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--max-tracks-per-participant", "2", "--max-tracks-per-room", "3")) {
            RunningServer.Signaling ada = joined(s, "tracks", "Ada");
            ada.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(3, 0x1000));
            assertError(ada.nextOf("error", "publishAnswer"), "too_many_tracks", "publish");
            ada.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(2, 0x1000));
            ada.next("publishAnswer");

            RunningServer.Signaling bob = joined(s, "tracks", "Bob");
            String bobsView = bob.next("subscriberOffer").get("sdp").asText();
            assertEquals(2, ScriptedSdp.sendingSections(bobsView), "Bob receives Ada's two tracks: " + bobsView);
            bob.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(2, 0x2000));
            assertError(bob.nextOf("error", "publishAnswer"), "too_many_tracks", "publish");
            bob.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(1, 0x2000));
            bob.next("publishAnswer");
            String adasView = ada.next("subscriberOffer").get("sdp").asText();
            assertEquals(1, ScriptedSdp.sendingSections(adasView), "the refused publishes left no trace: " + adasView);

            // The attack: one participant offering hundreds of m-sections.
            RunningServer.Signaling mallory = joined(s, "tracks", "Mallory");
            mallory.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(500, 0x3000));
            assertError(mallory.nextOf("error", "publishAnswer"), "too_many_tracks", "publish");
        }
    }

    @Test
    void subscriberOffersNeverExceedWhatTheAnswerMayHoldAndWaitingTracksMoveIn() throws Exception {
        int publishers = 5;
        int tracksEach = 60; // 300 tracks: more than an offer may carry
        try (RunningServer s = new RunningServer(dir, "--max-tracks-per-participant", "60", "--max-tracks-per-room", "1000")) {
            RunningServer.Signaling viewer = joined(s, "big", "Viewer");
            List<RunningServer.Signaling> bots = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                RunningServer.Signaling bot = joined(s, "big", "Bot" + i);
                bot.sendMessage("publish", "sdp", ScriptedSdp.publishOffer(tracksEach, 0x10000 * (i + 1)));
                bot.next("publishAnswer");
                bots.add(bot);
            }
            String offer = answerUntil(viewer, sdp -> ScriptedSdp.sendingSections(sdp) == 256);
            assertEquals(256, ScriptedSdp.sections(offer), "the offer is capped at 256 m-sections, and its answer is accepted");

            bots.getFirst().sendMessage("leave");
            // The first bot's 60 sections free up: the 44 tracks that waited take them, the rest turn inactive.
            String after = answerUntil(viewer, sdp -> ScriptedSdp.sendingSections(sdp) == (publishers - 1) * tracksEach);
            assertEquals(256, ScriptedSdp.sections(after));
        }
    }

    @Test
    void connectionsPerAddressAreLimitedAndFreedWhenOneCloses() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--max-connections-per-address", "2")) {
            RunningServer.Signaling first = s.signaling();
            RunningServer.Signaling second = s.signaling();
            first.sendMessage("ping");
            first.next("pong");
            second.sendMessage("ping");
            second.next("pong");

            RunningServer.Signaling third = s.signaling();
            assertError(third.next("error"), "too_many_connections", null);
            assertTrue(third.awaitClosed(), "the refused connection is closed");
            assertEquals(1008, third.closeCode(), "closed as a policy violation");

            first.socket().abort();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                JsonNode reply = pingOrRefusal(s.signaling());
                if (reply.get("type").asText().equals("pong")) {
                    break;
                }
                assertError(reply, "too_many_connections", null);
                if (System.nanoTime() > deadline) {
                    fail("a closed connection was never given back to its address");
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void connectionsOnTheWholeServerAreCappedAcrossAddressesAndFreedWhenOneCloses() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--max-connections", "2", "--trusted-proxies", "127.0.0.1")) {
            RunningServer.Signaling ada = s.signaling(Map.of("X-Forwarded-For", "203.0.113.1"));
            RunningServer.Signaling bob = s.signaling(Map.of("X-Forwarded-For", "203.0.113.2"));
            ada.sendMessage("ping");
            ada.next("pong");
            bob.sendMessage("ping");
            bob.next("pong");
            assertEquals(2.0, RunningServer.sample(s.metrics(), "parley_signaling_connections"));

            RunningServer.Signaling carol = s.signaling(Map.of("X-Forwarded-For", "203.0.113.3"));
            JsonNode refused = carol.next("error");
            assertError(refused, "too_many_connections", null);
            String why = refused.get("message").asText();
            assertTrue(why.contains("(max-connections)") && !why.contains("per-address"), "the message names the cap: " + why);
            assertTrue(carol.awaitClosed(), "the refused connection is closed");
            assertEquals(1008, carol.closeCode(), "closed as a policy violation");
            String m = s.metrics();
            assertEquals(1.0, RunningServer.sample(m, "parley_signaling_refusals_total{code=\"too_many_connections\"}"), m);
            assertEquals(2.0, RunningServer.sample(m, "parley_signaling_connections"), "a refused connection holds no slot");

            ada.socket().abort();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                JsonNode reply = pingOrRefusal(s.signaling(Map.of("X-Forwarded-For", "203.0.113.4")));
                if (reply.get("type").asText().equals("pong")) {
                    break;
                }
                assertError(reply, "too_many_connections", null);
                if (System.nanoTime() > deadline) {
                    fail("a closed connection never gave its slot back to the server");
                }
                Thread.sleep(50);
            }
            s.awaitMetrics(Duration.ofSeconds(10), x -> RunningServer.sample(x, "parley_signaling_connections") == 2.0);
        }
    }

    @Test
    void aRushOfConnectionsFromManyAddressesGetsExactlyTheCap() throws Exception {
        int cap = 5;
        int rush = 20;
        try (RunningServer s = new RunningServer(dir, "--max-connections", String.valueOf(cap), "--trusted-proxies", "127.0.0.1")) {
            List<java.util.concurrent.CompletableFuture<RunningServer.Signaling>> opening = new ArrayList<>();
            for (int i = 0; i < rush; i++) {
                Map<String, String> from = Map.of("X-Forwarded-For", "198.51.100." + (i + 1));
                opening.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return s.signaling(from);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            int admitted = 0;
            int refused = 0;
            for (var f : opening) {
                JsonNode reply = pingOrRefusal(f.get(20, TimeUnit.SECONDS));
                if (reply.get("type").asText().equals("pong")) {
                    admitted++;
                } else {
                    assertError(reply, "too_many_connections", null);
                    refused++;
                }
            }
            assertEquals(cap, admitted, "exactly the cap is let in, however the connections race");
            assertEquals(rush - cap, refused);
            String m = s.metrics();
            assertEquals(cap, RunningServer.sample(m, "parley_signaling_connections"), m);
            assertEquals(rush - cap, RunningServer.sample(m, "parley_signaling_refusals_total{code=\"too_many_connections\"}"), m);
        }
    }

    @Test
    void aPerAddressRefusalSaysItIsThePerAddressCap() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--max-connections-per-address", "1", "--max-connections", "5")) {
            RunningServer.Signaling first = s.signaling();
            first.sendMessage("ping");
            first.next("pong");
            JsonNode refused = s.signaling().next("error");
            assertError(refused, "too_many_connections", null);
            assertTrue(refused.get("message").asText().contains("(max-connections-per-address)"), refused.toString());
            assertEquals(1.0, RunningServer.sample(s.metrics(), "parley_signaling_connections"),
                    "refused by its address, it gave back its server-wide slot");
        }
    }

    @Test
    void forwardedForNamesTheClientOnlyWhenTheConnectionComesFromATrustedProxy() throws Exception {
        Map<String, String> fromAda = Map.of("X-Forwarded-For", "203.0.113.7");
        Map<String, String> fromBob = Map.of("X-Forwarded-For", "198.51.100.1, 203.0.113.8");
        try (RunningServer s = new RunningServer(dir, "--max-connections-per-address", "1", "--trusted-proxies", "127.0.0.1")) {
            RunningServer.Signaling ada = s.signaling(fromAda);
            ada.sendMessage("ping");
            ada.next("pong");
            RunningServer.Signaling bob = s.signaling(fromBob);
            bob.sendMessage("ping");
            assertEquals("pong", bob.nextOf("pong", "error").get("type").asText(), "Bob behind the proxy is not Ada");
            // The left-most entry is whatever the client wrote; only the proxy's own entry counts.
            RunningServer.Signaling adaAgain = s.signaling(Map.of("X-Forwarded-For", "192.0.2.99, 203.0.113.7"));
            assertError(adaAgain.next("error"), "too_many_connections", null);
        }
        try (RunningServer s = new RunningServer(dir, "--max-connections-per-address", "1")) {
            RunningServer.Signaling ada = s.signaling(fromAda);
            ada.sendMessage("ping");
            ada.next("pong");
            RunningServer.Signaling bob = s.signaling(fromBob);
            assertError(bob.next("error"), "too_many_connections", null); // an untrusted peer cannot pick its address
        }
    }

    @Test
    void roomsPerAddressAreLimitedButMoreConnectionsIntoTheSameRoomAreFine() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--max-rooms-per-address", "2")) {
            RunningServer.Signaling a = joined(s, "room-a", "A");
            joined(s, "room-b", "B");
            RunningServer.Signaling c = s.signaling();
            c.sendMessage("join", "room", "room-c", "name", "C");
            assertError(c.next("error"), "too_many_rooms", "join");
            c.sendMessage("join", "room", "room-a", "name", "C");
            assertEquals(2, c.next("joined").get("participants").size() + 1, "a second connection into room-a is fine");

            RunningServer.Signaling d = s.signaling();
            d.sendMessage("join", "room", "room-c", "name", "D");
            assertError(d.next("error"), "too_many_rooms", "join");
            a.sendMessage("leave");
            a.next("left");
            c.sendMessage("leave");
            c.next("left");
            // room-a is given back once both connections in it have gone: the same connection may try again.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                d.sendMessage("join", "room", "room-c", "name", "D");
                JsonNode reply = d.nextOf("joined", "error");
                if (reply.get("type").asText().equals("joined")) {
                    break;
                }
                assertError(reply, "too_many_rooms", "join");
                if (System.nanoTime() > deadline) {
                    fail("rooms left were never given back to the address");
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void tokenlessJoinsPerAddressAreRateLimitedButTokenJoinsAreNot() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--guest-joins-per-minute", "2")) {
            RunningServer.Signaling first = joined(s, "lobby", "G1");
            joined(s, "lobby", "G2");
            first.next("participantJoined");
            RunningServer.Signaling third = s.signaling();
            third.sendMessage("join", "room", "lobby", "name", "G3");
            assertError(third.next("error"), "rate_limited", "join");

            String access = s.post("/api/v1/auth/register", null,
                    "{\"email\":\"h@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"H\"}")
                    .body().get("accessToken").asText();
            JsonNode meeting = s.post("/api/v1/meetings", access, "{\"title\":\"Standup\"}").body();
            String token = s.post("/api/v1/meetings/" + meeting.get("id").asText() + "/join", access, "{}")
                    .body().get("token").asText();
            third.sendMessage("join", "room", meeting.get("room").asText(), "name", "Host", "token", token);
            third.next("joined");

            // Nobody in the lobby heard of the refused guest: the next thing G1 sees is the pong to its ping.
            first.sendMessage("ping");
            JsonNode next = first.nextOf("pong", "participantJoined");
            assertEquals("pong", next.get("type").asText(), next.toString());
        }
    }

    @Test
    void tokenlessJoinsAreCountedAcrossNodesThroughRedis() throws Exception {
        // A fresh client address per run (named by a trusted proxy), so earlier runs' counts in Redis do not matter.
        String client = "2001:db8::" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 0xFFFF))
                + ":" + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(1, 0xFFFF));
        Map<String, String> via = Map.of("X-Forwarded-For", client);
        // A key prefix of its own: other servers on this Redis are other deployments, not nodes to place rooms on.
        String[] args = {"--guest-joins-per-minute", "2", "--trusted-proxies", "127.0.0.1", "--redis-url", "redis://127.0.0.1:6379/0",
                "--redis-key-prefix", "parley-test-" + java.util.UUID.randomUUID().toString().substring(0, 8) + ":",
                "--drain-grace", "0"}; // closed with its participants still in: no drain to wait out
        try (RunningServer a = new RunningServer(dir.resolve("a"), args); RunningServer b = new RunningServer(dir.resolve("b"), args)) {
            RunningServer.Signaling first = a.signaling(via);
            first.sendMessage("join", "room", "shared", "name", "G1");
            first.next("joined");
            RunningServer.Signaling second = b.signaling(via);
            second.sendMessage("join", "room", "elsewhere", "name", "G2");
            second.next("joined");
            RunningServer.Signaling third = a.signaling(via);
            third.sendMessage("join", "room", "shared", "name", "G3");
            assertError(third.next("error"), "rate_limited", "join");
        }
    }

    /** Answers each subscriber offer as it comes until one satisfies {@code done}; returns that offer. */
    private static String answerUntil(RunningServer.Signaling s, java.util.function.Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            JsonNode m = s.nextOf("subscriberOffer", "error");
            if (m.get("type").asText().equals("error")) {
                fail("the server refused an answer: " + m);
            }
            String sdp = m.get("sdp").asText();
            s.sendMessage("subscriberAnswer", "sdp", ScriptedSdp.acceptAll(sdp), "version", m.get("version").asInt());
            if (done.test(sdp)) {
                return sdp;
            }
        }
        throw new AssertionError("no subscriber offer of the expected shape within 20 s");
    }

    private static RunningServer.Signaling joined(RunningServer s, String room, String name) throws Exception {
        RunningServer.Signaling c = s.signaling();
        c.sendMessage("join", "room", room, "name", name);
        c.next("joined");
        return c;
    }

    /**
     * Pings a new connection: its {@code pong}, or the {@code error} it was refused with (a refused connection
     * may be closed before the ping goes out; its error came first).
     */
    private static JsonNode pingOrRefusal(RunningServer.Signaling c) throws InterruptedException {
        try {
            c.sendMessage("ping");
        } catch (java.util.concurrent.CompletionException closedByTheServer) {
            // the error is already in the queue
        }
        return c.nextOf("pong", "error");
    }

    static void assertError(JsonNode m, String code, String requestType) {
        assertEquals("error", m.get("type").asText(), m.toString());
        assertEquals(code, m.get("code").asText(), m.toString());
        if (requestType != null) {
            assertEquals(requestType, m.get("requestType").asText(), m.toString());
        }
        assertTrue(!m.get("message").asText().isBlank(), "errors explain themselves: " + m);
    }
}

package dev.parley.control.events;

import dev.parley.testkit.Eventually;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Webhook delivery from a real (H2) delivery table to a real HTTP server on 127.0.0.1 that fails on purpose. */
class WebhookDispatcherTest {
    private static final String SECRET = "whsec-test-1";
    private static final WebhookDispatcher.Options FAST = new WebhookDispatcher.Options(
            4, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofMillis(500), 100);

    /** One received request. */
    record Received(byte[] body, String signature, String eventId, String eventType, String contentType) {}

    private HttpServer server;
    private ExecutorService serverThreads;
    private final List<Received> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    /** Maps the 1-based request number to the status to answer; 0 means hang until the test ends. */
    private volatile IntUnaryOperator status = n -> 204;
    private WebhookDispatcher dispatcher;
    private TestDatabase db;

    @BeforeEach
    void startServer() throws IOException {
        db = TestDatabase.h2();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newFixedThreadPool(4);
        server.setExecutor(serverThreads);
        server.createContext("/hook", this::handle);
        server.start();
    }

    @AfterEach
    void stop() throws InterruptedException {
        release.countDown();
        if (dispatcher != null) {
            dispatcher.close();
        }
        server.stop(0);
        serverThreads.shutdownNow();
        serverThreads.awaitTermination(5, TimeUnit.SECONDS);
        db.close();
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        var h = exchange.getRequestHeaders();
        requests.add(new Received(body, h.getFirst(WebhookSignature.HEADER),
                h.getFirst(WebhookDispatcher.EVENT_ID_HEADER), h.getFirst(WebhookDispatcher.EVENT_TYPE_HEADER),
                h.getFirst("Content-Type")));
        int code = status.applyAsInt(requests.size());
        if (code == 0) {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            code = 204;
        }
        exchange.sendResponseHeaders(code, -1);
        exchange.close();
    }

    private URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
    }

    private WebhookDispatcher dispatcher(WebhookDispatcher.Options options) {
        dispatcher = new WebhookDispatcher(db.jdbi(), () -> List.of(new WebhookTarget("key-1", url(), SECRET)), options)
                .start();
        return dispatcher;
    }

    @Test
    void retriesUntilTheReceiverAcceptsAndSignsEveryAttempt() {
        status = n -> n <= 2 ? 500 : 204;
        Event event = Event.of("meeting.created", "m-1", Map.of("title", "Retro"));
        dispatcher(FAST).publish(event);

        Eventually.await(Duration.ofSeconds(10), "delivery accepted", () -> dispatcher.delivered() == 1);
        assertEquals(3, requests.size(), "two failures then the accepted attempt");
        assertEquals(2, dispatcher.failedAttempts());
        assertEquals(0, dispatcher.pending());
        for (Received r : requests) {
            assertTrue(WebhookSignature.verify(SECRET, r.body(), r.signature()), "signature on each attempt");
            assertEquals(event.id().toString(), r.eventId());
            assertEquals("meeting.created", r.eventType());
            assertEquals("application/json", r.contentType());
            assertEquals(event, EventJson.parseEnvelope(r.body()));
        }
    }

    @Test
    void givesUpAfterTheAttemptLimit() {
        status = n -> 503;
        dispatcher(FAST).publish(Event.of("meeting.ended", "m-1", Map.of()));
        Eventually.await(Duration.ofSeconds(10), "delivery abandoned", () -> dispatcher.abandoned() == 1);
        assertEquals(4, requests.size(), "exactly maxAttempts requests");
        assertEquals(0, dispatcher.delivered());
        assertEquals(0, dispatcher.pending());
    }

    @Test
    void aTimedOutAttemptIsRetried() {
        status = n -> n == 1 ? 0 : 200;
        dispatcher(FAST).publish(Event.of("meeting.created", "m-2", Map.of()));
        Eventually.await(Duration.ofSeconds(10), "delivered after a timeout", () -> dispatcher.delivered() == 1);
        assertEquals(1, dispatcher.failedAttempts());
    }

    @Test
    void fullQueueRefusesSoTheRelayBacksOffInsteadOfDropping() {
        status = n -> 0;
        WebhookDispatcher.Options tiny = new WebhookDispatcher.Options(
                2, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), 2);
        WebhookDispatcher d = dispatcher(tiny);
        d.publish(Event.of("meeting.created", "m-1", Map.of()));
        d.publish(Event.of("meeting.created", "m-2", Map.of()));
        assertThrows(IllegalStateException.class, () -> d.publish(Event.of("meeting.created", "m-3", Map.of())));
        assertEquals(2, d.pending());
    }

    @Test
    void relayDeliversCommittedEventsToWebhooksThroughAFanOut() {
        List<Event> onBus = new CopyOnWriteArrayList<>();
        InProcessEventBus bus = new InProcessEventBus();
        bus.subscribe(onBus::add);
        try (OutboxRelay relay = new OutboxRelay(db.jdbi(), new FanOutSink(List.of(bus, dispatcher(FAST))))) {
            relay.start();
            JdbcEventOutbox outbox = new JdbcEventOutbox(relay::wake);
            Event e = Event.of("recording.ready", "m-9", Map.of("url", "https://example.test/r.webm"));
            db.jdbi().useTransaction(h -> outbox.append(h, e));
            Eventually.await(Duration.ofSeconds(10), "webhook delivered", () -> dispatcher.delivered() == 1);
            assertEquals(e.id().toString(), requests.get(0).eventId());
            assertEquals(1, onBus.size());
        }
    }

    @Test
    void pendingDeliveriesAreKeptAcrossARestartAndThenDelivered() {
        status = n -> 503;
        WebhookDispatcher.Options slowRetry = new WebhookDispatcher.Options(
                6, Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(500), 100);
        Event event = Event.of("participant.left", "m-7", Map.of("participantId", "p-1"));
        WebhookDispatcher first = dispatcher(slowRetry);
        first.publish(event);
        Eventually.await(Duration.ofSeconds(10), "a failed attempt", () -> first.failedAttempts() >= 1);
        first.close();
        assertEquals(1, first.pending(), "the delivery is still in the table after close");

        status = n -> 204;
        int before = requests.size();
        WebhookDispatcher second = dispatcher(slowRetry);
        Eventually.await(Duration.ofSeconds(10), "delivered by the next run", () -> second.delivered() == 1);
        assertEquals(0, second.pending());
        Received last = requests.get(requests.size() - 1);
        assertEquals(event.id().toString(), last.eventId());
        assertEquals(event, EventJson.parseEnvelope(last.body()));
        assertTrue(WebhookSignature.verify(SECRET, last.body(), last.signature()));
        assertEquals(before + 1, requests.size(), "one request after the restart");
    }

    @Test
    void anEventPublishedTwiceIsDeliveredOncePerTarget() {
        Event event = Event.of("meeting.created", "m-3", Map.of());
        WebhookDispatcher d = dispatcher(FAST);
        d.publish(event);
        d.publish(event); // the relay republishes after a crash between publish and mark
        Eventually.await(Duration.ofSeconds(10), "delivered", () -> d.delivered() == 1);
        Eventually.await(Duration.ofSeconds(2), "nothing pending", () -> d.pending() == 0);
        assertEquals(1, requests.size());
    }

    @Test
    void twoDispatchersOnOneDatabaseSendEachDeliveryOnce() {
        List<WebhookTarget> target = List.of(new WebhookTarget("key-1", url(), SECRET));
        WebhookDispatcher a = dispatcher(FAST);
        try (WebhookDispatcher b = new WebhookDispatcher(db.jdbi(), () -> target, FAST).start()) {
            for (int i = 0; i < 30; i++) {
                (i % 2 == 0 ? a : b).publish(Event.of("meeting.created", "m-" + i, Map.of()));
            }
            Eventually.await(Duration.ofSeconds(20), "all delivered", () -> a.delivered() + b.delivered() == 30);
            Eventually.await(Duration.ofSeconds(2), "nothing pending", () -> a.pending() == 0);
            assertEquals(30, requests.size(), "each delivery sent once, whichever node claimed it");
            assertEquals(30, requests.stream().map(Received::eventId).distinct().count());
        }
    }

    @Test
    void aDeliveryWhoseKeyLostItsWebhookIsAbandonedUnsent() {
        status = n -> 503;
        List<WebhookTarget> targets = new CopyOnWriteArrayList<>(List.of(new WebhookTarget("key-1", url(), SECRET)));
        WebhookDispatcher.Options slowRetry = new WebhookDispatcher.Options(
                6, Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(500), 100);
        dispatcher = new WebhookDispatcher(db.jdbi(), () -> List.copyOf(targets), slowRetry).start();
        dispatcher.publish(Event.of("meeting.created", "m-4", Map.of()));
        Eventually.await(Duration.ofSeconds(10), "a failed attempt", () -> dispatcher.failedAttempts() >= 1);
        targets.clear(); // the API key is revoked
        Eventually.await(Duration.ofSeconds(10), "abandoned", () -> dispatcher.abandoned() == 1);
        assertEquals(0, dispatcher.pending());
        assertEquals(1, requests.size(), "no request after the key went away");
    }

    @Test
    void signatureVerificationRejectsTamperingAndWrongSecrets() {
        byte[] body = "{\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        String sig = WebhookSignature.sign(SECRET, body);
        assertTrue(sig.matches("sha256=[0-9a-f]{64}"), sig);
        assertTrue(WebhookSignature.verify(SECRET, body, sig));
        assertFalse(WebhookSignature.verify("other-secret", body, sig));
        assertFalse(WebhookSignature.verify(SECRET, "{\"id\":\"y\"}".getBytes(StandardCharsets.UTF_8), sig));
        assertFalse(WebhookSignature.verify(SECRET, body, null));
        assertFalse(WebhookSignature.verify(SECRET, body, "sha256=zz"));
        assertFalse(WebhookSignature.verify(SECRET, body, sig.substring(7)));
        // Known answer, computed independently: printf '...' | openssl dgst -sha256 -hmac key
        assertEquals("sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
                WebhookSignature.sign("key", "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void badTargetsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new WebhookTarget("k", URI.create("ftp://x/y"), "s"));
        assertThrows(IllegalArgumentException.class, () -> new WebhookTarget("k", URI.create("/relative"), "s"));
        assertThrows(IllegalArgumentException.class, () -> new WebhookTarget("k", url(), ""));
        assertFalse(new WebhookTarget("k", url(), "topsecret").toString().contains("topsecret"));
    }
}

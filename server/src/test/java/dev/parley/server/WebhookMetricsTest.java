package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics shows webhook deliveries piling up while their receiver is down, and draining once it is back. */
class WebhookMetricsTest {
    private static final String PENDING = "parley_webhook_deliveries_pending";
    private static final String FAILED = "parley_webhook_deliveries_total{outcome=\"failed\"}";
    private static final String DELIVERED = "parley_webhook_deliveries_total{outcome=\"delivered\"}";

    @TempDir
    Path dir;
    private HttpServer receiver;
    private final AtomicBoolean down = new AtomicBoolean(true);
    private final AtomicInteger accepted = new AtomicInteger();

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/hook", exchange -> {
            exchange.getRequestBody().readAllBytes();
            if (down.get()) {
                exchange.sendResponseHeaders(503, -1);
            } else {
                accepted.incrementAndGet();
                exchange.sendResponseHeaders(204, -1);
            }
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stopReceiver() {
        receiver.stop(0);
    }

    @Test
    void pendingDeliveriesRiseWhileTheReceiverIsDownAndDrainWhenItIsBack() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            String idle = s.metrics();
            assertEquals(0.0, RunningServer.sample(idle, PENDING), idle);
            assertEquals(0.0, RunningServer.sample(idle, FAILED), idle);

            RunningServer.Reply reg = s.post("/api/v1/auth/register", null,
                    "{\"email\":\"ops@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"Ops\"}");
            assertEquals(201, reg.status(), String.valueOf(reg.body()));
            String admin = reg.body().get("accessToken").asText();
            RunningServer.Reply key = s.post("/api/v1/api-keys", admin, "{\"name\":\"crm\",\"webhookUrl\":\"http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/hook\"}");
            assertEquals(201, key.status(), String.valueOf(key.body()));
            assertEquals(201, s.post("/api/v1/meetings", admin, "{\"title\":\"Retro\"}").status());

            String failing = s.awaitMetrics(Duration.ofSeconds(20),
                    m -> RunningServer.sample(m, PENDING) >= 1 && RunningServer.sample(m, FAILED) >= 1);
            assertEquals(0.0, RunningServer.sample(failing, DELIVERED), failing);
            assertEquals(0, accepted.get());

            down.set(false);
            // The row leaves 'pending' a moment before the counter moves: wait for both, each 2xx counted once.
            String drained = s.awaitMetrics(Duration.ofSeconds(30), m -> RunningServer.sample(m, PENDING) == 0.0
                    && accepted.get() >= 1 && RunningServer.sample(m, DELIVERED) == accepted.get());
            assertTrue(RunningServer.sample(drained, FAILED) >= 1, drained);
            assertEquals(0.0, RunningServer.sample(drained, "parley_webhook_deliveries_total{outcome=\"abandoned\"}"));
        }
    }
}

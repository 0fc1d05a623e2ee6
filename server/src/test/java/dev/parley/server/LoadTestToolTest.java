package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.loadtest.LatencyHistogram;
import dev.parley.loadtest.LoadTest;
import dev.parley.loadtest.LoadTestOptions;
import dev.parley.loadtest.LoadTestResult;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code parley-loadtest} against a real Parley on loopback that requires join tokens: the tool mints them with an
 * API key, joins 1 publisher and 10 subscribers over signaling, ICE and DTLS-SRTP, and what it counts must agree
 * with what the server says it forwarded; decrypting, it reads each packet's send time back out of the payload
 * Parley forwarded. A lossy uplink (packets the publisher leaves out, so the server never
 * gets them) must trip {@code --max-loss}; a participant the server refuses must end the run with a clear reason.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LoadTestToolTest {
    @RegisterExtension
    static final RunningServer server = RunningServer.perClass("--auth-required", "true");

    private static String keyId;
    private static String keySecret;

    @BeforeAll
    static void issueAnApiKey() throws Exception {
        String admin = Meetings.register(server, "admin@example.org");
        RunningServer.Reply key = server.post("/api/v1/api-keys", admin, "{\"name\":\"load test\"}");
        assertEquals(201, key.status(), String.valueOf(key.body()));
        keyId = key.body().get("id").asText();
        keySecret = key.body().get("secret").asText();
    }

    private record Run(LoadTestResult result, String output) {}

    private static Run loadtest(String... extra) throws Exception {
        String[] base = {"--url", server.base, "--api-key", keyId, "--api-secret", keySecret,
            "--metrics-token", server.generatedMetricsToken(), "--join-timeout", "15s"};
        String[] args = new String[base.length + extra.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        LoadTestResult result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            result = LoadTest.execute(LoadTestOptions.parse(args), out);
        }
        String output = bytes.toString(StandardCharsets.UTF_8);
        System.out.println(output);
        return new Run(result, output);
    }

    @Test
    void oneToTenLosesNothingAndCountsWhatTheServerForwarded() throws Exception {
        Run run = loadtest("--room", "load-clean", "--publishers", "1", "--subscribers", "10", "--duration", "4s",
                "--max-loss", "0");
        LoadTestResult r = run.result();
        assertEquals(LoadTestResult.OK, r.exitCode(), run.output());
        assertEquals(11, r.joined(), run.output());
        assertEquals(0, r.incompleteSubscribers(), run.output());
        assertEquals(0.0, r.lossPercent(), run.output());
        assertEquals(0.0, r.undeliveredPercent(), run.output());
        // 176 packets/s for 4 s to each of 10 subscribers
        assertTrue(r.received() > 10 * 176 * 3, "received " + r.received() + "\n" + run.output());
        assertTrue(r.serverForwarded() > 0, run.output());
        long gap = Math.abs(r.received() - r.serverForwarded());
        assertTrue(gap <= Math.max(20, r.serverForwarded() / 100),
                "the tool counted " + r.received() + " packets, the server forwarded " + r.serverForwarded() + "\n" + run.output());
        // every packet a publisher sent reached every subscriber
        assertEquals(10 * r.sent(), r.received(), run.output());
        assertTrue(r.joinP99Millis() > 0 && r.joinP50Millis() <= r.joinP99Millis(), run.output());
        assertTrue(r.serverCpuPercent() > 0, run.output());
        assertTrue(run.output().contains("result: ok"), run.output());
        assertNull(r.latency(), "encrypted payloads: no latency without --decrypt");
    }

    @Test
    void theSendTimeSurvivesTheRoundTripThroughParley() throws Exception {
        Run run = loadtest("--room", "load-latency", "--publishers", "1", "--subscribers", "3", "--duration", "4s",
                "--max-loss", "0", "--decrypt");
        LoadTestResult r = run.result();
        assertEquals(LoadTestResult.OK, r.exitCode(), run.output());
        LatencyHistogram latency = r.latency();
        assertNotNull(latency, run.output());
        // Every packet sent after the first second (the warm-up) carries its send time, audio and video alike, and
        // reaches each of the 3 subscribers: at least the last 2.5 of 4 s of what they received.
        assertTrue(latency.count() <= r.received() && latency.count() >= r.received() * 5 / 8,
                latency.count() + " latencies of " + r.received() + " packets\n" + run.output());
        long p50 = latency.quantile(0.5);
        long p99 = latency.quantile(0.99);
        // On loopback: more than nothing, far less than the run (a misread stamp would be wild or negative).
        assertTrue(p50 > 1_000 && p50 <= p99 && p99 <= latency.max() && latency.max() < 3_000_000_000L,
                latency.describe() + "\n" + run.output());
        assertTrue(run.output().contains("latency: p50 "), run.output());
    }

    @Test
    void aLossyUplinkTripsTheThreshold() throws Exception {
        Run run = loadtest("--room", "load-lossy", "--publishers", "1", "--subscribers", "10", "--duration", "4s",
                "--publisher-loss", "5%", "--max-loss", "0");
        LoadTestResult r = run.result();
        assertEquals(LoadTestResult.LOSS, r.exitCode(), run.output());
        assertTrue(r.lossPercent() > 2 && r.lossPercent() < 10, "about 5% lost: " + r.lossPercent() + "\n" + run.output());
        assertEquals(0.0, r.undeliveredPercent(), "what was sent all arrived\n" + run.output());
        assertTrue(r.message().contains("above --max-loss 0%"), r.message());
        // the loss was upstream: what the server forwarded still all arrived
        long gap = Math.abs(r.received() - r.serverForwarded());
        assertTrue(gap <= Math.max(20, r.serverForwarded() / 100), run.output());

        // The same with every packet authenticated and decrypted, and a threshold that allows it.
        Run tolerant = loadtest("--room", "load-lossy-ok", "--publishers", "1", "--subscribers", "2", "--duration", "2s",
                "--publisher-loss", "5%", "--max-loss", "20%", "--decrypt");
        assertEquals(LoadTestResult.OK, tolerant.result().exitCode(), tolerant.output());
        assertEquals(2 * tolerant.result().sent(), tolerant.result().received(), tolerant.output());
        assertTrue(tolerant.result().lossPercent() > 0, tolerant.output());
    }

    @Test
    void aRefusedJoinEndsTheRunWithTheServersReason() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = LoadTest.run(new String[] {"--url", server.base, "--room", "load-refused", "--publishers", "1",
            "--subscribers", "1", "--duration", "2s", "--token", "not-a-join-token"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(LoadTestResult.JOIN_FAILED, exit, out + message);
        assertTrue(message.contains("failed to join") && message.contains("auth"), message);
    }

    @Test
    void anUnreachableServerIsSaidSo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = LoadTest.run(new String[] {"--url", "http://127.0.0.1:1", "--room", "r", "--duration", "1s"},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(LoadTestResult.JOIN_FAILED, exit, message);
        assertTrue(message.contains("cannot reach Parley at http://127.0.0.1:1: connection refused"), message);
    }
}

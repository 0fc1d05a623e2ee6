package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.signaling.ErrorCode;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * /metrics over real HTTP shows what signaling refuses: every {@code error} it sends, by its documented code,
 * and upgrades refused by origin. The label values are a closed set, whatever clients send.
 */
class SignalingRefusalMetricsTest {
    private static final String REFUSALS = "parley_signaling_refusals_total";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aRefusedJoinIsCountedUnderItsCode() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--auth-required", "true")) {
            String before = s.metrics();
            assertEquals(0.0, RunningServer.sample(before, refusals("auth")), "every code is there from the start, at 0");
            assertEquals(0.0, RunningServer.sample(before, refusals("bad_message")));

            for (int i = 0; i < 2; i++) {
                RunningServer.Signaling noToken = s.signaling();
                noToken.join("board", "Mallory", null);
                noToken.error("auth");
                assertTrue(noToken.awaitClosed(), "a refused join closes the connection");
            }
            RunningServer.Signaling garbage = s.signaling();
            garbage.send("{not json");
            garbage.error("bad_message");

            String after = s.awaitMetrics(WAIT, m -> RunningServer.sample(m, refusals("auth")) == 2.0);
            assertEquals(1.0, RunningServer.sample(after, refusals("bad_message")), after);
            assertEquals(0.0, RunningServer.sample(after, refusals("too_many_connections")), "only what was sent is counted");
            assertEquals(0.0, RunningServer.sample(after, refusals("other")));
        }
    }

    @Test
    void whatAClientWritesNeverBecomesACodeLabel() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            RunningServer.Signaling mallory = s.signaling();
            mallory.send("{\"type\":\"x_evil_label\"}");
            mallory.error("unknown_type");
            mallory.send("{\"type\":\"join\",\"code\":\"x_evil_code\",\"room\":\"r\",\"name\":\"M\",\"token\":\"x_evil_token\"}");
            mallory.error("auth");
            RunningServer.Signaling again = s.signaling(); // a refused join closed the first one
            again.send("{\"type\":\"publish\",\"sdp\":\"x_evil_sdp\"}");
            again.error("not_joined");

            String m = s.awaitMetrics(WAIT, e -> RunningServer.sample(e, refusals("unknown_type")) == 1.0);
            assertFalse(m.contains("x_evil"), "client text in the exposition:\n" + m);
            Set<String> allowed = new TreeSet<>(Set.of("other"));
            for (ErrorCode c : ErrorCode.values()) {
                allowed.add(c.wireName());
            }
            Set<String> labels = new TreeSet<>();
            Matcher label = Pattern.compile("(?m)^" + REFUSALS + "\\{code=\"([^\"]*)\"\\} ").matcher(m);
            while (label.find()) {
                labels.add(label.group(1));
            }
            assertEquals(allowed, labels, "one series per documented code, plus other, and nothing else");
        }
    }

    @Test
    void upgradesRefusedByOriginAreCounted() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> s.signaling("https://evil.example"));
            assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
            s.signaling("http://127.0.0.1:" + s.server.httpPort()).sendMessage("ping"); // its own origin: not counted

            String m = s.awaitMetrics(WAIT, x -> RunningServer.sample(x, "parley_signaling_origin_refusals_total") == 1.0);
            assertEquals(0.0, RunningServer.sample(m, refusals("other")), "a 403 upgrade is no signaling error");
        }
    }

    private static String refusals(String code) {
        return REFUSALS + "{code=\"" + code + "\"}";
    }
}

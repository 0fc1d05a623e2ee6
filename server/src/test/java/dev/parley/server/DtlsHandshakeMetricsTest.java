package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.dtls.HandshakeLimits;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DTLS handshake caps reach the media server from the settings, and its counters reach {@code /metrics}. */
class DtlsHandshakeMetricsTest {
    @TempDir
    Path dir;

    @Test
    void capsFromTheSettingsApplyAndEveryOutcomeIsExported() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--dtls-handshake-threads", "6", "--dtls-pending-per-source", "1",
                "--dtls-pending-per-room", "3")) {
            HandshakeLimits limits = s.server.sfu().handshakes().limits();
            assertEquals(6, limits.threads());
            assertEquals(12, limits.queue());
            assertEquals(1, limits.perSource());
            assertEquals(3, limits.perRoom());

            String metrics = s.metrics();
            for (String outcome : new String[] {"completed", "refused_source", "refused_room", "refused_pool", "timeout",
                    "failed"}) {
                assertTrue(metrics.contains("parley_dtls_handshakes_total{outcome=\"" + outcome + "\"} 0"),
                        outcome + " missing from\n" + metrics);
            }
            assertTrue(metrics.contains("\nparley_dtls_handshakes_pending 0"), metrics);
            assertTrue(metrics.contains("# TYPE parley_dtls_handshakes_total counter"), metrics);
            assertTrue(metrics.contains("# TYPE parley_dtls_handshakes_pending gauge"), metrics);
        }
    }
}

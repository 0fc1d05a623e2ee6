package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics is for operators (a bearer token, or a listener of its own) and labels series with server-made ids. */
class MetricsAccessTest {
    // Distinctive user-chosen strings: none of them may show in a default exposition.
    private static final String ROOM = "zebra-orchard-4711";
    private static final String NAME = "Quincy Marmalade";

    @TempDir
    Path dir;

    @Test
    void metricsNeedTheGeneratedBearerTokenAndHealthStaysPublic() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            Path tokenFile = dir.resolve(MetricsToken.FILE_NAME);
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile)),
                    "the generated token is readable by the server's user only");
            String token = s.generatedMetricsToken();
            assertTrue(token.length() >= 32, token);

            for (String[] headers : new String[][] {{}, {"Authorization", "Bearer wrong-token-0123456789"},
                    {"Authorization", "Basic " + token}, {"Authorization", "Bearer " + token + "x"},
                    {"Authorization", "Bearer"}}) {
                HttpResponse<String> refused = s.getText("/metrics", headers);
                assertEquals(401, refused.statusCode(), String.join(" ", headers));
                assertEquals("application/problem+json", refused.headers().firstValue("content-type").orElse(""));
                assertTrue(refused.headers().firstValue("www-authenticate").orElse("").startsWith("Bearer"));
                assertFalse(refused.body().contains("parley_"), refused.body());
            }
            HttpResponse<String> served = s.getText("/metrics", "Authorization", "bearer " + token);
            assertEquals(200, served.statusCode(), "the auth scheme is case-insensitive");
            assertTrue(served.body().contains("parley_rooms"), served.body());
            assertTrue(served.body().matches("(?s).*\nparley_media_threads " + Runtime.getRuntime().availableProcessors()
                    + "(\\.0)?\n.*"), "one media thread per processor by default: " + served.body());
            assertTrue(served.body().contains("parley_media_packets_handed_off_total"), served.body());

            HttpResponse<String> health = s.getText("/health");
            assertEquals(200, health.statusCode());
            assertEquals("ok", RunningServer.JSON.readTree(health.body()).get("status").asText());
        }
    }

    @Test
    void aConfiguredTokenIsUsedAndNoneIsWritten() throws Exception {
        String token = "operator-chosen-token-42";
        try (RunningServer s = new RunningServer(dir, "--metrics-token", token)) {
            assertEquals(401, s.getText("/metrics").statusCode());
            assertEquals(200, s.getText("/metrics", "Authorization", "Bearer " + token).statusCode());
            assertFalse(Files.exists(dir.resolve(MetricsToken.FILE_NAME)));
        }
    }

    @Test
    void defaultLabelsAreServerMadeIdsAndDepartedParticipantsVanish() throws Exception {
        try (RunningServer s = new RunningServer(dir)) {
            RunningServer.Signaling ws = s.signaling();
            String id = joinAndPublish(ws);
            // A participant's series appear one by one as its streams are registered: wait for the one checked below.
            String exposition = awaitMetrics(s, m -> m.contains("parley_participant_rtp_packets_total{direction=\"inbound\","
                    + "kind=\"audio\",participant=\"" + id + "\""));
            assertFalse(exposition.contains(ROOM), "room names are invitations: " + exposition);
            assertFalse(exposition.contains("Marmalade"), "display names are personal: " + exposition);
            assertFalse(exposition.contains("name=\""), exposition);
            assertTrue(exposition.matches("(?s).*parley_participant_rtp_packets_total\\{direction=\"inbound\",kind=\"audio\","
                    + "participant=\"" + id + "\",room=\"[0-9a-f]{16}\"}.*"), exposition);
            assertFalse(s.getText("/health").body().contains(ROOM));

            ws.send("{\"type\":\"leave\"}");
            awaitMetrics(s, m -> !m.contains(id));
        }
    }

    @Test
    void userLabelsAreAnOptIn() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--metrics-user-labels", "true")) {
            String id = joinAndPublish(s.signaling());
            String exposition = awaitMetrics(s, m -> m.contains("participant=\"" + id + "\""));
            assertTrue(exposition.contains("room_name=\"" + ROOM + "\""), exposition);
            assertTrue(exposition.contains("name=\"" + NAME + "\""), exposition);
            assertTrue(exposition.matches("(?s).*room=\"[0-9a-f]{16}\".*"), "room stays the opaque id: " + exposition);
        }
    }

    @Test
    void aMetricsListenerServesOnlyMetricsAndHealthAndThePublicPortNoMetrics() throws Exception {
        try (RunningServer s = new RunningServer(dir, "--metrics-port", "0", "--metrics-bind", "127.0.0.1")) {
            String metricsBase = "http://127.0.0.1:" + s.server.metricsPort();
            String auth = "Bearer " + s.generatedMetricsToken();
            HttpResponse<String> ok = s.getTextFrom(metricsBase, "/metrics", "Authorization", auth);
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains("parley_participants"));
            assertEquals(401, s.getTextFrom(metricsBase, "/metrics").statusCode(), "the token is asked for there too");
            assertEquals(200, s.getTextFrom(metricsBase, "/health").statusCode());
            for (String path : new String[] {"/", "/meet/x", "/api/v1/meetings", "/ws/signaling"}) {
                assertEquals(404, s.getTextFrom(metricsBase, path, "Authorization", auth).statusCode(), path);
            }
            HttpResponse<String> publicMetrics = s.getText("/metrics", "Authorization", auth);
            assertEquals(404, publicMetrics.statusCode());
            assertFalse(publicMetrics.body().contains("parley_"));
            assertEquals(200, s.getText("/").statusCode());
        }
    }

    @Test
    void everyMetricIsDocumentedWithItsType() throws Exception {
        Map<String, String> documented = new TreeMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `((?:parley|process)_[a-z_]+)` \\| (counter|gauge) \\|").matcher(Files.readString(Path.of("../docs/metrics.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        Set<String> registered = new TreeSet<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = Pattern.compile("\\.name\\(\"((?:parley|process)_[a-z_]+)\"\\)").matcher(Files.readString(f));
                while (m.find()) {
                    registered.add(m.group(1));
                }
            }
        }
        assertEquals(registered, documented.keySet(), "docs/metrics.md lists every registered metric, and no other");

        try (RunningServer s = new RunningServer(dir)) {
            String id = joinAndPublish(s.signaling());
            String exposition = awaitMetrics(s, m -> m.contains("participant=\"" + id + "\""));
            Matcher type = Pattern.compile("(?m)^# TYPE (\\S+) (\\S+)$").matcher(exposition);
            int families = 0;
            while (type.find()) {
                String name = type.group(2).equals("counter") && !type.group(1).endsWith("_total") ? type.group(1) + "_total" : type.group(1);
                assertEquals(documented.get(name), type.group(2), name + " is documented with its type");
                families++;
            }
            assertTrue(families >= 10, exposition);
        }
    }

    private static String joinAndPublish(RunningServer.Signaling ws) throws Exception {
        ws.send("{\"type\":\"join\",\"room\":\"" + ROOM + "\",\"name\":\"" + NAME + "\"}");
        JsonNode joined = ws.next("joined");
        ws.send(RunningServer.JSON.createObjectNode().put("type", "publish").put("sdp", PUBLISHER_OFFER).toString());
        ws.next("publishAnswer");
        return joined.get("participantId").asText();
    }

    /** Polls /metrics until {@code condition} holds, for up to 10 s; returns that exposition. */
    private static String awaitMetrics(RunningServer s, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String last = "";
        while (System.nanoTime() < deadline) {
            last = s.metrics();
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("metrics never met the condition; last exposition:\n" + last);
    }

    /** A browser-shaped publisher offer (audio and video); its streams get metrics before any packet flows. */
    private static final String PUBLISHER_OFFER = String.join("\r\n",
            "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:sha-256 " + "1A:".repeat(31) + "2B",
            "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=ssrc:1001 cname:x",
            "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:sha-256 " + "1A:".repeat(31) + "2B",
            "a=setup:actpass", "a=mid:1", "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000", "a=ssrc:1002 cname:x", "");
}

package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a browser and a scanner see of Parley over HTTP: headers, error bodies and who may open signaling. */
class WebSecurityTest {
    @RegisterExtension
    static final RunningServer server = RunningServer.perClass("--allowed-origins", "https://app.example.org, http://localhost:3000");

    @Test
    void everyResponseCarriesTheSecurityHeadersAndNoServerHeader() throws Exception {
        for (String path : new String[] {"/", "/meet/x", "/js/meet.js", "/api/v1/meetings", "/api/v1/nope",
                "/health", "/metrics", "/no/such/page"}) {
            HttpResponse<String> r = server.getText(path);
            assertSecurityHeaders(path + " (" + r.statusCode() + ")", firstValues(r.headers()));
        }
        assertEquals(200, server.getText("/meet/x").statusCode());
    }

    @Test
    void unknownPathsAnswerProblemJsonNotAnHtmlPage() throws Exception {
        HttpResponse<String> r = server.getText("/no/such/page");
        assertEquals(404, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("content-type").orElse(""));
        JsonNode p = RunningServer.JSON.readTree(r.body());
        assertEquals("https://parley.dev/problems/not-found", p.get("type").asText());
        assertEquals(404, p.get("status").asInt());
    }

    @Test
    void uriViolationsAnswerProblemJsonNotJettysHtml() throws Exception {
        for (String target : new String[] {"/%00", "/%zz", "/%", "/../etc/passwd", "/meet/..%2f..%2fetc%2fpasswd",
                "/api/v1/%00", "/js/%2e%2e/%2e%2e/secret.key", "/%2e%2e/data/secret.key", "/meet/a%00b"}) {
            RunningServer.RawReply r = server.rawGet(target);
            assertTrue(r.status() == 400 || r.status() == 404, target + " -> " + r.status());
            assertEquals("application/problem+json", r.headers().get("content-type"), target + ": " + r.body());
            JsonNode p = RunningServer.JSON.readTree(r.body());
            assertEquals(r.status(), p.get("status").asInt(), target);
            assertTrue(p.get("type").asText().startsWith("https://parley.dev/problems/"), target + ": " + p);
            assertFalse(r.body().contains("<html"), target);
            assertSecurityHeaders(target, r.headers());
        }
        RunningServer.RawReply tooLong = server.rawGet("/" + "a".repeat(70_000));
        assertEquals(414, tooLong.status());
        assertEquals("https://parley.dev/problems/uri-too-long",
                RunningServer.JSON.readTree(tooLong.body()).get("type").asText());
        assertSecurityHeaders("a 70 kB URI", tooLong.headers());
    }

    @Test
    void signalingRefusesForeignBrowserPagesBeforeUpgrading() throws Exception {
        String port = String.valueOf(server.server.httpPort());
        for (String origin : new String[] {"https://evil.example", "null", "http://127.0.0.1:1", "http://127.0.0.1",
                "http://127.0.0.1." + port, "http://app.example.org", "https://app.example.org.evil.example",
                "http://localhost:3000/x"}) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> server.signaling(origin), origin);
            assertTrue(e.getCause() instanceof WebSocketHandshakeException, origin + ": " + e.getCause());
            assertEquals(403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode(), origin);
        }
    }

    @Test
    void signalingAcceptsItsOwnOriginListedOnesAndNonBrowserClients() throws Exception {
        String own = "http://127.0.0.1:" + server.server.httpPort();
        for (String origin : new String[] {own, "HTTP://127.0.0.1:" + server.server.httpPort(), "https://app.example.org",
                "https://APP.example.org:443", "http://localhost:3000", null}) {
            RunningServer.Signaling s = server.signaling(origin);
            s.send("{\"type\":\"ping\"}");
            s.next("pong");
            s.socket().abort();
        }
    }

    private static void assertSecurityHeaders(String what, Map<String, String> headers) {
        Map<String, String> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        h.putAll(headers);
        String csp = h.getOrDefault("content-security-policy", "");
        assertTrue(csp.contains("default-src 'self'"), what + ": " + csp);
        assertTrue(csp.contains("frame-ancestors 'none'"), what + ": " + csp);
        assertFalse(csp.contains("unsafe-inline") || csp.contains("unsafe-eval"), what + ": " + csp);
        assertEquals("DENY", h.get("x-frame-options"), what);
        assertEquals("nosniff", h.get("x-content-type-options"), what);
        assertEquals("no-referrer", h.get("referrer-policy"), what);
        assertFalse(h.containsKey("server"), what + " discloses " + h.get("server"));
        assertFalse(h.containsKey("x-powered-by"), what);
    }

    private static Map<String, String> firstValues(HttpHeaders headers) {
        Map<String, String> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.map().forEach((k, v) -> out.put(k, v.getFirst()));
        return out;
    }
}

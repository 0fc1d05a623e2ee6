package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.NginxGateway;
import dev.parley.testkit.SignalingClient;
import dev.parley.testkit.TestCertificate;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Parley behind a real nginx running the shipped gateway configuration (nginx/parley.conf), with TLS on a test
 * certificate: the web client, REST API and signaling WebSocket work through it, /metrics stays inside, and
 * Parley's per-address limits (signaling connections, failed REST logins) count the clients behind the gateway
 * separately when it is a trusted proxy.
 * Clients bind 127.0.0.2 and 127.0.0.3 to be two different addresses on loopback.
 */
class NginxGatewayTest {
    private static final String ADA_ADDRESS = "127.0.0.2";
    private static final String BOB_ADDRESS = "127.0.0.3";
    private static final int LOGIN_ATTEMPTS = 5; // AuthRoutes.LOGIN_ATTEMPTS: failed logins per account and address

    @TempDir
    Path dir;

    @Test
    void theWebClientRestAndSignalingWorkThroughTheShippedGateway() throws Exception {
        TestCertificate cert = TestCertificate.create();
        try (RunningServer parley = new RunningServer(dir.resolve("parley"), "--trusted-proxies", "127.0.0.1");
                NginxGateway nginx = NginxGateway.start(dir.resolve("nginx"), cert, parley.server.httpPort(), null)) {
            HttpClient ada = client(cert, ADA_ADDRESS);
            String base = "https://127.0.0.1:" + nginx.httpsPort;

            HttpResponse<String> page = ada.send(get(base + "/"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), nginx.log());
            assertEquals(HttpClient.Version.HTTP_2, page.version(), "the gateway speaks HTTP/2");
            assertTrue(page.body().contains("<html"), page.body());
            assertEquals(List.of(SecurityHeaders.CONTENT_SECURITY_POLICY), page.headers().allValues("content-security-policy"),
                    "Parley's policy, once: the gateway adds none of its own");
            assertEquals(1, page.headers().allValues("x-frame-options").size());
            assertTrue(page.headers().firstValue("strict-transport-security").orElse("").startsWith("max-age="),
                    "the gateway adds HSTS: " + page.headers().map());
            assertTrue(page.headers().allValues("server").stream().noneMatch(v -> v.matches(".*\\d.*")),
                    "no version in Server: " + page.headers().allValues("server"));

            // A script larger than nginx's in-memory proxy buffers: the whole file comes through.
            HttpResponse<String> script = ada.send(get(base + "/js/parley.js"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, script.statusCode());
            assertEquals(parley.getText("/js/parley.js").body(), script.body());

            HttpResponse<String> health = ada.send(get(base + "/health"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("ok", RunningServer.JSON.readTree(health.body()).get("status").asText());

            String account = "{\"email\":\"ada@example.org\",\"password\":\"correct horse battery\",\"displayName\":\"Ada\"}";
            HttpResponse<String> registered = ada.send(post(base + "/api/v1/auth/register", account), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, registered.statusCode(), registered.body());
            HttpResponse<String> login = ada.send(post(base + "/api/v1/auth/login",
                    "{\"email\":\"ada@example.org\",\"password\":\"correct horse battery\"}"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, login.statusCode(), login.body());
            String token = RunningServer.JSON.readTree(login.body()).get("accessToken").asText();
            HttpResponse<String> me = ada.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/users/me"))
                    .header("authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, me.statusCode(), me.body());
            assertEquals("ada@example.org", RunningServer.JSON.readTree(me.body()).get("email").asText(), me.body());

            // Bad input still gets Parley's problem+json, not an nginx page.
            HttpResponse<String> bad = ada.send(post(base + "/api/v1/auth/login", "{not json"), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, bad.statusCode());
            assertEquals("application/problem+json", bad.headers().firstValue("content-type").orElse("").split(";")[0]);

            // /metrics is for Prometheus inside, not for the internet, even with the right token.
            String bearer = "Bearer " + parley.generatedMetricsToken();
            assertEquals(200, parley.getText("/metrics", "Authorization", bearer).statusCode());
            HttpResponse<String> metrics = ada.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                    .header("authorization", bearer).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, metrics.statusCode());
            assertTrue(!metrics.body().contains("parley_"), metrics.body());

            // Signaling through the WebSocket upgrade, from a page of the gateway's own origin.
            SignalingClient ws = SignalingClient.open(ada, URI.create("wss://127.0.0.1:" + nginx.httpsPort + "/ws/signaling"),
                    Map.of("Origin", base));
            ws.join("gateway", "Ada", null);
            JsonNode joined = ws.next("joined");
            assertTrue(joined.hasNonNull("participantId"), joined.toString());
            ws.sendMessage("ping");
            ws.next("pong");
            ws.close();

            assertTrue(nginx.accessLog().lines().anyMatch(l -> l.startsWith(ADA_ADDRESS + " ")),
                    "nginx logged the client's own address:\n" + nginx.accessLog());
        }
    }

    @Test
    void perAddressLimitsCountEachClientBehindATrustedGateway() throws Exception {
        TestCertificate cert = TestCertificate.create();
        try (RunningServer parley = new RunningServer(dir.resolve("parley"), "--trusted-proxies", "127.0.0.1",
                "--max-connections-per-address", "1");
                NginxGateway nginx = NginxGateway.start(dir.resolve("nginx"), cert, parley.server.httpPort(), null)) {
            URI signaling = URI.create("wss://127.0.0.1:" + nginx.httpsPort + "/ws/signaling");
            assertPerAddressLimitSeesTwoClients(cert, signaling);

            // The REST API's failed-login limit (per account and address) counts the client, not nginx.
            String base = "https://127.0.0.1:" + nginx.httpsPort;
            HttpClient ada = client(cert, ADA_ADDRESS);
            for (int i = 0; i < LOGIN_ATTEMPTS; i++) {
                assertEquals(401, wrongLogin(ada, base), "attempt " + (i + 1));
            }
            assertEquals(429, wrongLogin(ada, base), "Ada's address is over the limit");
            assertEquals(401, wrongLogin(client(cert, BOB_ADDRESS), base), "Bob's address has its own count");
        }
    }

    @Test
    void withoutTrustedProxiesEveryoneBehindTheGatewaySharesItsAddress() throws Exception {
        TestCertificate cert = TestCertificate.create();
        try (RunningServer parley = new RunningServer(dir.resolve("parley"), "--max-connections-per-address", "1");
                NginxGateway nginx = NginxGateway.start(dir.resolve("nginx"), cert, parley.server.httpPort(), null)) {
            URI signaling = URI.create("wss://127.0.0.1:" + nginx.httpsPort + "/ws/signaling");
            SignalingClient ada = SignalingClient.open(client(cert, ADA_ADDRESS), signaling, Map.of());
            ada.sendMessage("ping");
            ada.next("pong");
            SignalingClient bob = SignalingClient.open(client(cert, BOB_ADDRESS), signaling, Map.of());
            assertEquals("too_many_connections", bob.next("error").get("code").asText(),
                    "Parley counts nginx's address for both, as X-Forwarded-For is not believed");
            ada.close();
            bob.close();
        }
    }

    /**
     * The optional stream part (nginx/turn-tls-443.conf): one port carries HTTPS and TURN over TLS. Browsers
     * (ALPN h2/http/1.1) reach Parley, which still sees each client's own address through the PROXY hop;
     * a TURN client (ALPN stun.turn, or the TURN server name) reaches a real coturn's TLS port and gets a STUN
     * Binding answer from it.
     */
    @Test
    void turnOverTlsAndHttpsShareOnePortThroughTheStreamPart() throws Exception {
        TestCertificate cert = TestCertificate.create();
        Path coturnDir = dir.resolve("coturn");
        java.nio.file.Files.createDirectories(coturnDir);
        cert.writePem(coturnDir);
        int coturnTls = NginxGateway.freePort();
        NginxGateway.TurnOn443 turn = new NginxGateway.TurnOn443(NginxGateway.freePort(), NginxGateway.freePort(), coturnTls,
                "turn.localhost");
        try (RunningServer parley = new RunningServer(dir.resolve("parley"), "--trusted-proxies", "127.0.0.1",
                "--max-connections-per-address", "1");
                Coturn coturn = Coturn.startTlsOnly(coturnDir, coturnTls);
                NginxGateway nginx = NginxGateway.start(dir.resolve("nginx"), cert, parley.server.httpPort(), turn)) {
            String base = "https://127.0.0.1:" + turn.publicPort();
            HttpResponse<String> page = client(cert, ADA_ADDRESS).send(get(base + "/"), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, page.statusCode(), nginx.log());
            assertEquals(HttpClient.Version.HTTP_2, page.version());
            assertPerAddressLimitSeesTwoClients(cert, URI.create("wss://127.0.0.1:" + turn.publicPort() + "/ws/signaling"));

            assertStunBindingAnswered(cert, turn.publicPort(), List.of("stun.turn"), null, nginx);
            assertStunBindingAnswered(cert, turn.publicPort(), List.of(), "turn.localhost", nginx);
        }
    }

    private static void assertPerAddressLimitSeesTwoClients(TestCertificate cert, URI signaling) throws Exception {
        SignalingClient ada = SignalingClient.open(client(cert, ADA_ADDRESS), signaling, Map.of());
        ada.sendMessage("ping");
        ada.next("pong");
        SignalingClient adaAgain = SignalingClient.open(client(cert, ADA_ADDRESS), signaling, Map.of());
        assertEquals("too_many_connections", adaAgain.next("error").get("code").asText(),
                "a second connection from Ada's address is over the limit of 1");
        SignalingClient bob = SignalingClient.open(client(cert, BOB_ADDRESS), signaling, Map.of());
        bob.sendMessage("ping");
        assertEquals("pong", bob.nextOf("pong", "error").get("type").asText(), "Bob's address has its own count");
        ada.close();
        adaAgain.close();
        bob.close();
    }

    /** A STUN Binding request over TLS to nginx's shared port; the answer must come from coturn. */
    private static void assertStunBindingAnswered(TestCertificate cert, int port, List<String> alpn, String serverName,
            NginxGateway nginx) throws Exception {
        try (SSLSocket tls = (SSLSocket) cert.clientContext().getSocketFactory().createSocket()) {
            tls.bind(new InetSocketAddress(InetAddress.getByName(ADA_ADDRESS), 0));
            tls.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            tls.setSoTimeout(10_000);
            SSLParameters params = tls.getSSLParameters();
            params.setApplicationProtocols(alpn.toArray(String[]::new));
            if (serverName != null) {
                params.setServerNames(List.of(new SNIHostName(serverName)));
            }
            tls.setSSLParameters(params);
            tls.startHandshake();
            byte[] transaction = new byte[12];
            new SecureRandom().nextBytes(transaction);
            ByteBuffer request = ByteBuffer.allocate(20).putShort((short) 0x0001).putShort((short) 0).putInt(0x2112A442)
                    .put(transaction);
            OutputStream out = tls.getOutputStream();
            out.write(request.array());
            out.flush();
            DataInputStream in = new DataInputStream(tls.getInputStream());
            byte[] header = new byte[20];
            in.readFully(header);
            ByteBuffer h = ByteBuffer.wrap(header);
            assertEquals(0x0101, h.getShort() & 0xffff, "a Binding success response from coturn (alpn " + alpn
                    + ", name " + serverName + ")\n" + nginx.log());
            h.getShort();
            assertEquals(0x2112A442, h.getInt());
            byte[] echoed = new byte[12];
            h.get(echoed);
            assertEquals(ByteBuffer.wrap(transaction), ByteBuffer.wrap(echoed), "the answer is to our request");
        }
    }

    /** A login with a wrong password for an account that does not exist: 401, or 429 once over the limit. */
    private static int wrongLogin(HttpClient client, String base) throws Exception {
        return client.send(post(base + "/api/v1/auth/login", "{\"email\":\"eve@example.org\",\"password\":\"wrong password\"}"),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static HttpClient client(TestCertificate cert, String localAddress) throws Exception {
        return HttpClient.newBuilder().sslContext(cert.clientContext()).localAddress(InetAddress.getByName(localAddress))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).timeout(Duration.ofSeconds(10)).build();
    }
}

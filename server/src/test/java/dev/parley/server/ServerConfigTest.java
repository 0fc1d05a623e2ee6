package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.MediaPortRange;
import dev.parley.sfu.dtls.HandshakeLimits;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsGiveAWorkingServerOnTheDocumentedPorts() {
        ServerConfig c = ServerConfig.from(Settings.resolve(new String[0], Map.of()));
        assertEquals(8080, c.httpPort());
        assertEquals(40000, c.mediaPort());
        assertTrue(c.dataDir().endsWith("data"));
        assertTrue(c.stunUrls().isEmpty(), "no public STUN server by default");
        assertTrue(!c.announcedAddresses().isEmpty());
        assertEquals(HandshakeLimits.DEFAULTS, c.handshakeLimits(), "the documented DTLS handshake caps");
    }

    @Test
    void dtlsHandshakeCapsAreReadAndTheQueueFollowsTheThreads() {
        ServerConfig c = ServerConfig.from(Settings.resolve(new String[] {"--dtls-handshake-threads", "10",
                "--dtls-pending-per-source", "3"}, Map.of("PARLEY_DTLS_PENDING_PER_ROOM", "20")));
        HandshakeLimits limits = c.handshakeLimits();
        assertEquals(10, limits.threads());
        assertEquals(20, limits.queue());
        assertEquals(3, limits.perSource());
        assertEquals(20, limits.perRoom());
        assertEquals(HandshakeLimits.DEFAULTS.firstFlightTimeout(), limits.firstFlightTimeout());
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFile() throws Exception {
        Path file = dir.resolve("parley.conf");
        Files.writeString(file, "http-port = 9001\nmedia-port = 41000\nmax-participants = 7\n");
        ServerConfig c = ServerConfig.from(Settings.resolve(
                new String[] {"--config", file.toString(), "--http-port=9003"},
                Map.of("PARLEY_HTTP_PORT", "9002", "PARLEY_MEDIA_PORT", "41001")));
        assertEquals(9003, c.httpPort());
        assertEquals(41001, c.mediaPort());
        assertEquals(7, c.maxParticipants());
    }

    @Test
    void aLoopbackPublicIpMakesALoopbackOnlyServer() throws Exception {
        ServerConfig c = ServerConfig.from(Settings.resolve(new String[] {"--public-ip", "127.0.0.1"}, Map.of()));
        assertEquals(InetAddress.getByName("127.0.0.1"), c.mediaBind());
        assertEquals(List.of(InetAddress.getByName("127.0.0.1")), c.announcedAddresses());
    }

    @Test
    void badValuesAreRefusedNamingTheSettingAndItsSource() {
        assertRefused("setting http-port (from --http-port, value '70000')", new String[] {"--http-port", "70000"}, Map.of());
        assertRefused("setting media-port (from $PARLEY_MEDIA_PORT, value 'x')", new String[0], Map.of("PARLEY_MEDIA_PORT", "x"));
        assertRefused("is not an IP address", new String[] {"--public-ip", "example.org"}, Map.of());
        assertRefused("unknown setting --colour", new String[] {"--colour", "blue"}, Map.of());
        assertRefused("needs a value", new String[] {"--http-port"}, Map.of());
        assertRefused("need --turn-secret", new String[] {"--turn-urls", "turn:t.example.org:3478"}, Map.of());
        assertRefused("not a stun: or stuns: URL", new String[] {"--stun-urls", "http://x"}, Map.of());
        assertRefused("must be one of error", new String[] {"--log-level", "loud"}, Map.of());
        assertRefused("setting metrics-token", new String[] {"--metrics-token", "short"}, Map.of());
        assertRefused("setting metrics-token", new String[] {"--metrics-token", "sixteen chars but spaces"}, Map.of());
        assertRefused("setting metrics-port", new String[] {"--metrics-port", "x"}, Map.of());
        assertRefused("must differ from http-port", new String[] {"--metrics-port", "8080"}, Map.of());
        assertRefused("setting metrics-bind", new String[] {"--metrics-bind", "metrics.example.org"}, Map.of());
        assertRefused("setting metrics-user-labels", new String[] {"--metrics-user-labels", "yes"}, Map.of());
        assertRefused("is not an origin", new String[] {"--allowed-origins", "https://app.example.org/"}, Map.of());
        assertRefused("is not an origin", new String[] {"--allowed-origins", "*"}, Map.of());
        assertRefused("is not an origin", new String[] {"--allowed-origins", "app.example.org"}, Map.of());
        assertRefused("setting dtls-handshake-threads (from --dtls-handshake-threads, value '0'): must be between 2 and 1024",
                new String[] {"--dtls-handshake-threads", "0"}, Map.of());
        assertRefused("setting dtls-pending-per-room (from $PARLEY_DTLS_PENDING_PER_ROOM, value 'many'): must be a whole number",
                new String[0], Map.of("PARLEY_DTLS_PENDING_PER_ROOM", "many"));
        assertRefused("setting dtls-pending-per-source (from --dtls-pending-per-source, value '32'): must be less than "
                + "dtls-handshake-threads (32), or one address could take every handshake thread",
                new String[] {"--dtls-pending-per-source", "32"}, Map.of());
    }

    @Test
    void metricsAndOriginsDefaultToTheSafeSide() {
        ServerConfig c = ServerConfig.from(Settings.resolve(new String[0], Map.of()));
        assertEquals(null, c.metricsToken(), "a token is generated into the data directory");
        assertEquals(null, c.metricsPort(), "metrics on the HTTP port, behind the token");
        assertTrue(c.metricsBind().isLoopbackAddress());
        assertTrue(!c.metricsUserLabels(), "no user-chosen text in labels");
        assertTrue(c.allowedOrigins().isEmpty(), "only the server's own origin");
        ServerConfig set = ServerConfig.from(Settings.resolve(new String[] {"--allowed-origins",
                "https://App.example.org, http://localhost:3000", "--metrics-port", "9464"}, Map.of()));
        assertEquals(List.of("https://app.example.org", "http://localhost:3000"), set.allowedOrigins());
        assertEquals(9464, set.metricsPort());
    }

    @Test
    void limitsHaveSafeDefaultsAndRefuseNonsense() {
        UsageLimits defaults = ServerConfig.from(Settings.resolve(new String[0], Map.of())).limits();
        assertEquals(new UsageLimits(8, 256, 100, 20, 60, List.of(), 10_000), defaults);
        UsageLimits set = ServerConfig.from(Settings.resolve(new String[] {"--max-tracks-per-participant", "4",
                "--trusted-proxies", "10.0.0.1, ::1"}, Map.of("PARLEY_GUEST_JOINS_PER_MINUTE", "5"))).limits();
        assertEquals(4, set.tracksPerParticipant());
        assertEquals(5, set.guestJoinsPerMinute());
        assertEquals(List.of("10.0.0.1", "0:0:0:0:0:0:0:1"), set.trustedProxies());

        assertRefused("setting max-tracks-per-room (from --max-tracks-per-room, value '4'): must not be smaller than "
                + "max-tracks-per-participant (8)", new String[] {"--max-tracks-per-room", "4"}, Map.of());
        assertRefused("setting max-tracks-per-participant (from --max-tracks-per-participant, value '0'): must be between 1 and 64",
                new String[] {"--max-tracks-per-participant", "0"}, Map.of());
        assertRefused("setting max-connections-per-address", new String[] {"--max-connections-per-address", "-1"}, Map.of());
        assertRefused("setting max-rooms-per-address", new String[] {"--max-rooms-per-address", "many"}, Map.of());
        assertRefused("setting guest-joins-per-minute", new String[] {"--guest-joins-per-minute", "0"}, Map.of());
        assertEquals(50, ServerConfig.from(Settings.resolve(new String[0], Map.of("PARLEY_MAX_CONNECTIONS", "50")))
                .limits().maxConnections(), "a cap below the per-address one is fine: it simply bites first");
        assertRefused("setting max-connections (from $PARLEY_MAX_CONNECTIONS, value '0'): must be between 1 and 1000000",
                new String[0], Map.of("PARLEY_MAX_CONNECTIONS", "0"));
        assertRefused("setting max-connections (from --max-connections, value 'lots'): must be a whole number",
                new String[] {"--max-connections", "lots"}, Map.of());
        assertRefused("setting max-connections", new String[] {"--max-connections", "99999999999"}, Map.of());
        assertRefused("setting trusted-proxies (from --trusted-proxies, value 'proxy.example.org'): 'proxy.example.org' is not an IP address",
                new String[] {"--trusted-proxies", "proxy.example.org"}, Map.of());
    }

    @Test
    void nodeSettingsDefaultToAMinuteOfDrainAndAreChecked() {
        NodeSettings defaults = ServerConfig.from(Settings.resolve(new String[0], Map.of())).nodes();
        assertEquals(new NodeSettings("parley:", java.time.Duration.ofSeconds(5), java.time.Duration.ofSeconds(60)), defaults);
        assertEquals(java.time.Duration.ofSeconds(15), defaults.nodeTtl(), "three reports may be missed");
        assertEquals(java.time.Duration.ofSeconds(30), defaults.roomTtl(), "at least 30 s to reach the owner");
        NodeSettings set = ServerConfig.from(Settings.resolve(new String[] {"--redis-key-prefix", "team-a:",
                "--node-report-interval", "10"}, Map.of("PARLEY_DRAIN_GRACE", "0"))).nodes();
        assertEquals(new NodeSettings("team-a:", java.time.Duration.ofSeconds(10), java.time.Duration.ZERO), set);
        assertEquals(java.time.Duration.ofSeconds(60), set.roomTtl(), "six intervals");

        assertRefused("setting redis-key-prefix (from --redis-key-prefix, value 'a b'): may hold only letters",
                new String[] {"--redis-key-prefix", "a b"}, Map.of());
        assertRefused("setting node-report-interval (from --node-report-interval, value '0'): must be between 1 and 300",
                new String[] {"--node-report-interval", "0"}, Map.of());
        assertRefused("setting drain-grace (from $PARLEY_DRAIN_GRACE, value '-1'): must be between 0 and 86400",
                new String[0], Map.of("PARLEY_DRAIN_GRACE", "-1"));
        assertRefused("setting drain-grace (from --drain-grace, value '1m'): must be a whole number",
                new String[] {"--drain-grace", "1m"}, Map.of());
    }

    @Test
    void unknownKeysInTheFileAreRefused() throws Exception {
        Path file = dir.resolve("bad.conf");
        Files.writeString(file, "http_port = 1\n");
        assertRefused("unknown setting(s) in " + file + ": http_port", new String[] {"--config", file.toString()}, Map.of());
    }

    @Test
    void helpListsEverySettingWithItsVariable() {
        String help = Settings.help();
        for (Settings.Option o : Settings.OPTIONS) {
            assertTrue(help.contains("--" + o.name()), o.name());
            assertTrue(help.contains(o.env()), o.env());
        }
    }

    @Test
    void mediaPortRangeAndIceTcpAreOffByDefaultAndReadWhenGiven() {
        ServerConfig defaults = ServerConfig.from(Settings.resolve(new String[0], Map.of()));
        assertEquals(null, defaults.mediaPortRange(), "one shared UDP port by default");
        assertEquals(IceTcpConfig.OFF, defaults.iceTcp(), "no ICE-TCP by default");
        ServerConfig c = ServerConfig.from(Settings.resolve(new String[] {"--media-ports", "40000-40100",
                "--media-tcp-port", "40000", "--media-tcp-max-per-address", "3"},
                Map.of("PARLEY_MEDIA_TCP_MAX_CONNECTIONS", "50")));
        assertEquals(new MediaPortRange(40000, 40100), c.mediaPortRange(), "the default media-port may sit in it");
        assertEquals(40000, c.iceTcp().port());
        assertEquals(3, c.iceTcp().maxConnectionsPerAddress());
        assertEquals(50, c.iceTcp().maxConnections());
    }

    @Test
    void badRangesAndIceTcpSettingsAreRefused() {
        assertRefused("setting media-ports (from --media-ports, value '40100-40000'): must be FIRST-LAST",
                new String[] {"--media-ports", "40100-40000"}, Map.of());
        assertRefused("must be FIRST-LAST", new String[] {"--media-ports", "40000"}, Map.of());
        assertRefused("must be FIRST-LAST", new String[] {"--media-ports", "40000-70000"}, Map.of());
        assertRefused("must be FIRST-LAST", new String[] {"--media-ports", "a-b"}, Map.of());
        assertRefused("must hold at least 2 ports", new String[] {"--media-ports", "40000-40000"}, Map.of());
        assertRefused("setting media-ports (from $PARLEY_MEDIA_PORTS, value '41000-41010'): overlaps media-port 41005",
                new String[] {"--media-port", "41005"}, Map.of("PARLEY_MEDIA_PORTS", "41000-41010"));
        assertRefused("setting media-tcp-port (from --media-tcp-port, value '70000'): must be a port number",
                new String[] {"--media-tcp-port", "70000"}, Map.of());
        assertRefused("media-tcp-max-per-address", new String[] {"--media-tcp-max-per-address", "0"}, Map.of());
        assertRefused("must not be smaller than media-tcp-max-per-address", new String[] {"--media-tcp-port", "40000",
                "--media-tcp-max-per-address", "10", "--media-tcp-max-connections", "5"}, Map.of());
    }

    @Test
    void maxPublishBitrateDefaultsToTwoAndAHalfMegabitsAndIsBounded() {
        assertEquals(2_500_000, ServerConfig.from(Settings.resolve(new String[0], Map.of())).maxPublishBitrate());
        assertEquals(800_000, ServerConfig.from(Settings.resolve(new String[] {"--max-publish-bitrate", "800000"},
                Map.of())).maxPublishBitrate());
        assertRefused("max-publish-bitrate", new String[] {"--max-publish-bitrate", "99999"}, Map.of());
        assertRefused("max-publish-bitrate", new String[0], Map.of("PARLEY_MAX_PUBLISH_BITRATE", "fast"));
    }

    private static void assertRefused(String expected, String[] args, Map<String, String> env) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.from(Settings.resolve(args, env)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The TURN and media-socket settings: defaults, the URL forms browsers accept, and clear refusals. */
class TurnSettingsTest {
    private static final String[] ALL_THREE = {"--turn-secret", "s3cret",
            "--turn-urls", "turn:turn.example.org:3478?transport=udp, turn:turn.example.org:3478?transport=tcp,"
                    + " turns:turn.example.org:5349?transport=tcp"};

    @Test
    void udpTcpAndTlsUrlsAreAcceptedAndKeptInOrder() {
        ServerConfig c = ServerConfig.from(Settings.resolve(ALL_THREE, Map.of()));
        assertEquals(List.of("turn:turn.example.org:3478?transport=udp", "turn:turn.example.org:3478?transport=tcp",
                "turns:turn.example.org:5349?transport=tcp"), c.turnUrls());
        assertEquals("s3cret", c.turnSecret());
        assertEquals(Duration.ofHours(6), c.turnTtl(), "the default credential lifetime");
        ServerConfig other = ServerConfig.from(Settings.resolve(new String[] {"--turn-secret", "x",
                "--turn-urls", "turn:[2001:db8::1]:3478,turns:turn.example.org,turn:198.51.100.7?transport=tcp"},
                Map.of("PARLEY_TURN_TTL", "600")));
        assertEquals(3, other.turnUrls().size());
        assertEquals(Duration.ofMinutes(10), other.turnTtl());
    }

    @Test
    void malformedTurnUrlsAndLifetimesAreRefusedWithTheReason() {
        assertRefused("setting turn-urls (from --turn-urls, value 'turn:t.example.org:3478?transport=sctp'): "
                + "'turn:t.example.org:3478?transport=sctp' has transport=sctp; browsers know udp and tcp",
                "--turn-urls", "turn:t.example.org:3478?transport=sctp");
        assertRefused("asks for TLS over UDP", "--turn-urls", "turns:t.example.org:5349?transport=udp");
        assertRefused("is not a TURN URL like", "--turn-urls", "turn://t.example.org:3478");
        assertRefused("is not a TURN URL like", "--turn-urls", "turn:t.example.org:3478?transport=udp&x=1");
        assertRefused("is not a TURN URL like", "--turn-urls", "stun:t.example.org");
        assertRefused("has a port outside 1..65535", "--turn-urls", "turn:t.example.org:70000");
        assertRefused("setting turn-ttl (from --turn-ttl, value '59'): must be between 60 and 604800", "--turn-ttl", "59");
        assertRefused("setting turn-ttl (from --turn-ttl, value 'forever'): must be a whole number", "--turn-ttl", "forever");
    }

    @Test
    void theMediaSocketBufferDefaultsToFourMebibytesAndIsBounded() {
        assertEquals(4 * 1024 * 1024, ServerConfig.from(Settings.resolve(new String[0], Map.of())).mediaSocketBuffer());
        assertEquals(262_144, ServerConfig.from(Settings.resolve(new String[] {"--media-socket-buffer", "262144"},
                Map.of())).mediaSocketBuffer());
        assertRefused("setting media-socket-buffer (from --media-socket-buffer, value '1000'): must be between 65536 and 268435456",
                "--media-socket-buffer", "1000");
        assertRefused("setting media-socket-buffer", "--media-socket-buffer", "4M");
    }

    private static void assertRefused(String expected, String... args) {
        String[] withSecret = new String[args.length + 2];
        System.arraycopy(args, 0, withSecret, 0, args.length);
        withSecret[args.length] = "--turn-secret";
        withSecret[args.length + 1] = "x";
        boolean hasUrls = List.of(args).contains("--turn-urls");
        String[] full = hasUrls ? withSecret : args;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.from(Settings.resolve(full, Map.of())));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }
}

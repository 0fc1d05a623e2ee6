package dev.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The command line: what it accepts, its defaults, and a message naming the option for everything it refuses. */
class LoadTestOptionsTest {
    private static String refused(String... args) {
        return assertThrows(LoadTestOptions.UsageException.class, () -> LoadTestOptions.parse(args)).getMessage();
    }

    @Test
    void theFullCommandLineIsRead() throws Exception {
        LoadTestOptions o = LoadTestOptions.parse("--url", "http://127.0.0.1:8080/", "--room", "R", "--publishers", "3",
                "--subscribers", "100", "--duration", "90s", "--api-key", "PK1", "--api-secret", "s3cret", "--max-loss", "0.5%",
                "--metrics-token", "tok", "--decrypt", "--publisher-loss=2", "--join-timeout", "5s", "--parallel-joins", "4",
                "--simulcast", "--warm-up", "1m");
        assertEquals(URI.create("http://127.0.0.1:8080"), o.url());
        assertEquals("R", o.room());
        assertEquals(3, o.publishers());
        assertEquals(100, o.subscribers());
        assertEquals(Duration.ofSeconds(90), o.duration());
        assertEquals("PK1", o.apiKey());
        assertEquals("s3cret", o.apiSecret());
        assertEquals(0.5, o.maxLossPercent());
        assertEquals("tok", o.metricsToken());
        assertTrue(o.decrypt());
        assertEquals(2.0, o.publisherLossPercent());
        assertEquals(Duration.ofSeconds(5), o.joinTimeout());
        assertEquals(4, o.parallelJoins());
        assertTrue(o.simulcast());
        assertEquals(Duration.ofMinutes(1), o.warmUp());
        assertFalse(o.help());
    }

    @Test
    void defaultsAreOnePublisherTenSubscribersAMinuteAndOnePercent() throws Exception {
        LoadTestOptions o = LoadTestOptions.parse("--url", "https://meet.example.org", "--room", "x");
        assertEquals(1, o.publishers());
        assertEquals(10, o.subscribers());
        assertEquals(Duration.ofMinutes(1), o.duration());
        assertEquals(1.0, o.maxLossPercent());
        assertFalse(o.decrypt());
        assertFalse(o.simulcast());
        assertEquals(Duration.ZERO, o.warmUp(), "measuring starts as soon as everyone joined");
        assertNull(o.token());
        assertEquals(-1, o.url().getPort());
    }

    @Test
    void durationsTakeUnits() throws Exception {
        assertEquals(Duration.ofMillis(500), LoadTestOptions.parse("--url", "http://h", "--room", "r", "--duration", "500ms").duration());
        assertEquals(Duration.ofMinutes(2), LoadTestOptions.parse("--url", "http://h", "--room", "r", "--duration", "2m").duration());
        assertEquals(Duration.ofSeconds(45), LoadTestOptions.parse("--url", "http://h", "--room", "r", "--duration", "45").duration());
        assertEquals(Duration.ZERO, LoadTestOptions.parse("--url", "http://h", "--room", "r", "--warm-up", "0").warmUp());
        assertEquals("--warm-up must be a duration from 100ms to 24h such as 30s, 2m or 500ms, was 'long'",
                refused("--url", "http://h", "--room", "r", "--warm-up", "long"));
    }

    @Test
    void badCommandLinesSayWhatIsWrong() {
        assertEquals("--url is required, e.g. --url http://127.0.0.1:8080", refused("--room", "r"));
        assertEquals("--room is required", refused("--url", "http://h"));
        assertEquals("--url must start with http:// or https://, was 'ws://h'", refused("--url", "ws://h", "--room", "r"));
        assertEquals("--url must start with http:// or https://, was 'localhost:8080'", refused("--url", "localhost:8080", "--room", "r"));
        assertEquals("--room must be 1-64 of A-Z a-z 0-9 _ . -, was 'a b'", refused("--url", "http://h", "--room", "a b"));
        assertEquals("--publishers must be a whole number from 0 to 1000, was 'many'",
                refused("--url", "http://h", "--room", "r", "--publishers", "many"));
        assertEquals("--subscribers must be a whole number from 0 to 10000, was '-1'",
                refused("--url", "http://h", "--room", "r", "--subscribers", "-1"));
        assertEquals("--duration must be a duration from 100ms to 24h such as 30s, 2m or 500ms, was '1 minute'",
                refused("--url", "http://h", "--room", "r", "--duration", "1 minute"));
        assertEquals("--duration must be a duration from 100ms to 24h such as 30s, 2m or 500ms, was '0s'",
                refused("--url", "http://h", "--room", "r", "--duration", "0s"));
        assertEquals("--max-loss must be a percentage from 0 to 100 such as 1% or 0.5%, was '101%'",
                refused("--url", "http://h", "--room", "r", "--max-loss", "101%"));
        assertEquals("--max-loss must be a percentage from 0 to 100 such as 1% or 0.5%, was 'low'",
                refused("--url", "http://h", "--room", "r", "--max-loss", "low"));
        assertEquals("--room needs a value (see --help)", refused("--url", "http://h", "--room"));
        assertEquals("unknown option --rooms (see --help)", refused("--url", "http://h", "--rooms", "r"));
        assertEquals("unexpected argument 'r' (options start with --; see --help)", refused("--url", "http://h", "r"));
        assertEquals("--api-key and --api-secret go together", refused("--url", "http://h", "--room", "r", "--api-key", "k"));
        assertEquals("--token and --api-key are alternatives: give one of them",
                refused("--url", "http://h", "--room", "r", "--token", "t", "--api-key", "k", "--api-secret", "s"));
        assertEquals("--publishers and --subscribers are both 0: nobody to join",
                refused("--url", "http://h", "--room", "r", "--publishers", "0", "--subscribers", "0"));
        assertEquals("--decrypt takes no value", refused("--url", "http://h", "--room", "r", "--decrypt=yes"));
        assertEquals("--simulcast takes no value", refused("--url", "http://h", "--room", "r", "--simulcast=yes"));
        assertEquals("--token must not be empty", refused("--url", "http://h", "--room", "r", "--token", " "));
        assertEquals("--parallel-joins must be a whole number from 1 to 256, was '0'",
                refused("--url", "http://h", "--room", "r", "--parallel-joins", "0"));
        assertEquals("--publisher-loss must be below 100%",
                refused("--url", "http://h", "--room", "r", "--publisher-loss", "100"));
    }

    @Test
    void theCommandPrintsUsageForHelpAndExitsTwoForABadLine() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, LoadTest.run(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("Usage: parley-loadtest --url"), out.toString());
        assertEquals(2, LoadTest.run(new String[] {"--url", "http://h", "--room", "r", "--duration", "forever"},
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8)));
        assertEquals("parley-loadtest: --duration must be a duration from 100ms to 24h such as 30s, 2m or 500ms, was 'forever'\n",
                err.toString(StandardCharsets.UTF_8));
    }
}

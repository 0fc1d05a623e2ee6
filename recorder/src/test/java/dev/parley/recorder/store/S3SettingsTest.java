package dev.parley.recorder.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Store settings and retry bounds: bad values get a message naming the setting. */
class S3SettingsTest {
    private static final URI OK = URI.create("http://127.0.0.1:9000");

    @Test
    void badSettingsAreRefusedWithTheSettingNamed() {
        assertRefused("s3-endpoint", () -> S3Settings.of(URI.create("ftp://h"), "b-1", "us-east-1", "a", "s"));
        assertRefused("s3-endpoint", () -> S3Settings.of(URI.create("http://h:9000/bucket"), "b-1", "us-east-1", "a", "s"));
        assertRefused("s3-endpoint", () -> S3Settings.of(URI.create("http://user:pw@h:9000"), "b-1", "us-east-1", "a", "s"));
        assertRefused("s3-endpoint", () -> S3Settings.of(null, "b-1", "us-east-1", "a", "s"));
        for (String bucket : new String[] {"ab", "Upper", "-lead", "a..b", "x".repeat(64), "with space", null}) {
            assertRefused("s3-bucket", () -> S3Settings.of(OK, bucket, "us-east-1", "a", "s"));
        }
        assertRefused("s3-region", () -> S3Settings.of(OK, "bucket", "us east", "a", "s"));
        assertRefused("s3-access-key", () -> S3Settings.of(OK, "bucket", "us-east-1", " ", "s"));
        assertRefused("s3-secret-key", () -> S3Settings.of(OK, "bucket", "us-east-1", "a", ""));
        S3Settings good = S3Settings.of(OK, "bucket", "us-east-1", "a", "s");
        assertRefused("part size", () -> good.withPartSize(S3Settings.MIN_PART_SIZE - 1));
        assertRefused("part size", () -> good.withPartSize(S3Settings.MAX_PART_SIZE + 1));
        assertRefused("s3-public-endpoint", () -> good.withPublicEndpoint(URI.create("minio:9000")));
        assertEquals(S3Settings.DEFAULT_PART_SIZE, good.partSize());
        assertTrue(good.pathStyle());
    }

    @Test
    void theSecretKeyNeverShows() {
        S3Settings settings = S3Settings.of(OK, "bucket", "us-east-1", "AKIAEXAMPLE", "wJalrXUtnFEMI-secret");
        assertFalse(settings.toString().contains("wJalrXUtnFEMI-secret"));
        try (S3Store store = new S3Store(settings)) {
            assertFalse(store.describe().contains("wJalrXUtnFEMI-secret"));
            assertTrue(store.describe().contains("AKIAEXAMPLE"));
        }
    }

    @Test
    void backoffDoublesUpToItsCeilingAndAttemptsAreBounded() {
        RetryPolicy policy = new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 10);
        assertEquals(Duration.ofMillis(100), policy.delayAfter(1));
        assertEquals(Duration.ofMillis(200), policy.delayAfter(2));
        assertEquals(Duration.ofMillis(800), policy.delayAfter(4));
        assertEquals(Duration.ofSeconds(1), policy.delayAfter(5));
        assertEquals(Duration.ofSeconds(1), policy.delayAfter(1000));
        assertEquals(Duration.ofMinutes(5), RetryPolicy.DEFAULT.delayAfter(100));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(Duration.ZERO, Duration.ofSeconds(1), 3));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(Duration.ofSeconds(2), Duration.ofSeconds(1), 3));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(1), 1001));
    }

    private static void assertRefused(String named, Runnable build) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, build::run);
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}

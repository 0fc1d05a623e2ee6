package dev.parley.server;

import dev.parley.control.SecretFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bearer token that {@code /metrics} asks for: the configured one, or one generated on first start into
 * {@code <data-dir>/metrics-token} (mode 0600) so Prometheus can read it as a credentials file.
 */
final class MetricsToken {
    static final String FILE_NAME = "metrics-token";

    private final byte[] expected;

    private MetricsToken(String token) {
        this.expected = token.getBytes(StandardCharsets.US_ASCII);
    }

    static MetricsToken load(ServerConfig config) {
        if (config.metricsToken() != null) {
            return new MetricsToken(config.metricsToken());
        }
        Path file = config.dataDir().resolve(FILE_NAME);
        try {
            String token = SecretFile.readOrCreate(file);
            if (!token.matches("[A-Za-z0-9._~+/=-]{16,}")) {
                throw new IllegalStateException(file + " does not hold a usable token (16 or more of A-Z a-z 0-9 . _ ~ + / = -);"
                        + " delete it to generate a new one");
            }
            return new MetricsToken(token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the metrics token " + file, e);
        }
    }

    /** Whether an {@code Authorization} header value carries the token; compares in constant time. */
    boolean admits(String authorization) {
        if (authorization == null) {
            return false;
        }
        String value = authorization.trim();
        int space = value.indexOf(' ');
        if (space < 0 || !value.substring(0, space).equalsIgnoreCase("Bearer")) {
            return false;
        }
        return MessageDigest.isEqual(expected, value.substring(space + 1).trim().getBytes(StandardCharsets.US_ASCII));
    }

    /** A key for deriving opaque ids that stay the same across restarts while the token does. */
    byte[] idKey() {
        return expected.clone();
    }
}

package dev.parley.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

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
            if (!Files.exists(file)) {
                generate(file);
            }
            String token = Files.readString(file, StandardCharsets.US_ASCII).trim();
            if (!token.matches("[A-Za-z0-9._~+/=-]{16,}")) {
                throw new IllegalStateException(file + " does not hold a usable token (16 or more of A-Z a-z 0-9 . _ ~ + / = -);"
                        + " delete it to generate a new one");
            }
            return new MetricsToken(token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the metrics token " + file, e);
        }
    }

    private static void generate(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, text, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException raced) {
            // Another process created it first; use theirs.
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

package dev.parley.control;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How the control plane runs. Validated on construction; every rejection names the setting and why.
 *
 * @param dataDir       where the H2 database and the generated secret live (created when missing)
 * @param dbUrl         JDBC URL of the database; null means an H2 file under {@code dataDir/db}
 * @param dbUser        database user (null for none)
 * @param dbPassword    database password (null for none)
 * @param jwtSecret     the server secret signing access and join tokens (at least 32 bytes); null means one is
 *                      generated on first start and kept in {@code dataDir/secret.key} (owner-only permissions)
 * @param authRequired  false lets guests join meetings that allow guests, by link; true requires an account
 * @param publicUrl     the URL browsers reach the server at, e.g. {@code http://localhost:8080}
 * @param stunUrls      STUN URLs handed to clients ({@code stun:host:3478})
 * @param turnUrls      TURN URLs handed to clients ({@code turn:host:3478?transport=udp})
 * @param turnSecret    coturn's {@code static-auth-secret}; null means no TURN credentials are issued
 * @param turnTtl       how long issued TURN credentials stay valid
 * @param maxBodyBytes  largest accepted request body (64 KiB is a sane default)
 */
public record ControlConfig(Path dataDir, String dbUrl, String dbUser, String dbPassword, String jwtSecret,
                            boolean authRequired, String publicUrl, List<String> stunUrls, List<String> turnUrls,
                            String turnSecret, Duration turnTtl, int maxBodyBytes) {
    /** The default limit for request bodies. */
    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public ControlConfig {
        Objects.requireNonNull(dataDir, "dataDir must be set (where the database and secret are kept)");
        if (dbUrl != null && !dbUrl.startsWith("jdbc:")) {
            throw new IllegalArgumentException("dbUrl must be a JDBC URL starting with 'jdbc:', was '" + dbUrl + "'");
        }
        if (jwtSecret != null && jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < 32) {
            throw new IllegalArgumentException("jwtSecret must be at least 32 bytes (HS256 needs a 256-bit key); "
                    + "leave it unset to have one generated");
        }
        Objects.requireNonNull(publicUrl, "publicUrl must be set, e.g. http://localhost:8080");
        URI uri;
        try {
            uri = new URI(publicUrl);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("publicUrl is not a URL: '" + publicUrl + "'", e);
        }
        if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
            throw new IllegalArgumentException("publicUrl must be an http:// or https:// URL with a host, was '" + publicUrl + "'");
        }
        while (publicUrl.endsWith("/")) {
            publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
        }
        stunUrls = List.copyOf(stunUrls == null ? List.of() : stunUrls);
        turnUrls = List.copyOf(turnUrls == null ? List.of() : turnUrls);
        for (String s : stunUrls) {
            if (!(s.startsWith("stun:") || s.startsWith("stuns:"))) {
                throw new IllegalArgumentException("stunUrls entries must start with stun: or stuns:, was '" + s + "'");
            }
        }
        for (String t : turnUrls) {
            if (!(t.startsWith("turn:") || t.startsWith("turns:"))) {
                throw new IllegalArgumentException("turnUrls entries must start with turn: or turns:, was '" + t + "'");
            }
        }
        if (turnSecret != null && turnSecret.isEmpty()) {
            throw new IllegalArgumentException("turnSecret must not be empty; use null to issue no TURN credentials");
        }
        if (turnSecret != null && turnUrls.isEmpty()) {
            throw new IllegalArgumentException("turnSecret is set but turnUrls is empty; list the TURN server URLs");
        }
        if (turnTtl == null) {
            turnTtl = Duration.ofHours(6);
        }
        if (turnTtl.isNegative() || turnTtl.isZero() || turnTtl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalArgumentException("turnTtl must be positive and at most 7 days, was " + turnTtl);
        }
        if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("maxBodyBytes must be from 1024 to 16 MiB, was " + maxBodyBytes);
        }
    }

    /** A configuration for a laptop: H2 under {@code dataDir}, generated secret, guests allowed, no STUN or TURN servers. */
    public static ControlConfig local(Path dataDir, String publicUrl) {
        return new ControlConfig(dataDir, null, null, null, null, false, publicUrl, List.of(), List.of(), null,
                Duration.ofHours(6), DEFAULT_MAX_BODY_BYTES);
    }

    /** The JDBC URL actually used: {@link #dbUrl} or the H2 file under {@code dataDir/db}. */
    String effectiveDbUrl() {
        if (dbUrl != null) {
            return dbUrl;
        }
        return "jdbc:h2:file:" + dataDir.resolve("db").resolve("parley").toAbsolutePath()
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH";
    }

    /** The WebSocket URL clients open for signaling. */
    String signalingUrl() {
        return (publicUrl.startsWith("https:") ? "wss:" + publicUrl.substring(6) : "ws:" + publicUrl.substring(5)) + "/ws/signaling";
    }
}

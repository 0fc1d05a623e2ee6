package dev.parley.control;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;

/**
 * Where API tests keep their data: an H2 file under a temp dir, or a fresh schema in the PostgreSQL at
 * 127.0.0.1:5432 (dropped afterwards). Under CI=true an unreachable PostgreSQL fails the test run.
 */
final class TestDatabases {
    static final String PG_BASE = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String PG_USER = "postgres";

    /** A database for one control plane: its JDBC URL (null = H2 under dataDir) and how to dispose of it. */
    record TestDb(String url, String user, Runnable drop) {}

    private TestDatabases() {}

    static TestDb create(String backend) {
        return switch (backend) {
            case "h2" -> new TestDb(null, null, () -> {});
            case "postgres" -> postgres();
            default -> throw new IllegalArgumentException("unknown test backend " + backend);
        };
    }

    private static TestDb postgres() {
        String schema = "parley_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = DriverManager.getConnection(PG_BASE, PG_USER, null)) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("PostgreSQL at 127.0.0.1:5432 is required under CI=true: " + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is not reachable: " + e.getMessage());
        }
        return new TestDb(PG_BASE + "?currentSchema=" + schema, PG_USER, () -> {
            try (Connection c = DriverManager.getConnection(PG_BASE, PG_USER, null)) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            } catch (SQLException e) {
                System.err.println("could not drop test schema " + schema + ": " + e.getMessage());
            }
        });
    }

    static Path tempDir(String prefix) {
        try {
            Path dir = java.nio.file.Files.createTempDirectory(prefix);
            dir.toFile().deleteOnExit();
            return dir;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

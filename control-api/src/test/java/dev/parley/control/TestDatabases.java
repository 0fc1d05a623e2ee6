package dev.parley.control;

import dev.parley.testkit.PostgresSchema;
import java.nio.file.Path;

/**
 * Where API tests keep their data: an H2 file under a temp dir, or a fresh schema in the PostgreSQL at
 * 127.0.0.1:5432 (dropped afterwards). Under CI=true an unreachable PostgreSQL fails the test run.
 */
final class TestDatabases {
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
        PostgresSchema schema = PostgresSchema.create();
        return new TestDb(schema.url(), PostgresSchema.USER, schema::close);
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

package dev.parley.e2e;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * A fresh schema in the PostgreSQL at 127.0.0.1:5432 (database test, user postgres) for one server process,
 * dropped on close. Unreachable PostgreSQL skips the test on a developer machine and fails it under CI=true.
 */
final class PostgresSchema implements AutoCloseable {
    private static final String BASE = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final String USER = "postgres";

    private final String name;

    private PostgresSchema(String name) {
        this.name = name;
    }

    static PostgresSchema create() {
        String name = "parley_e2e_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(BASE, USER, null)) {
            c.createStatement().execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("PostgreSQL at 127.0.0.1:5432 is required under CI=true: " + e.getMessage(), e);
            }
            Assumptions.abort("PostgreSQL at 127.0.0.1:5432 is not reachable: " + e.getMessage());
        }
        return new PostgresSchema(name);
    }

    /** The server flags that put its database in this schema. */
    List<String> serverArgs() {
        return List.of("--db-url", BASE + "?currentSchema=" + name, "--db-user", USER);
    }

    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(BASE, USER, null)) {
            c.createStatement().execute("DROP SCHEMA " + name + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop test schema " + name + ": " + e.getMessage());
        }
    }
}

package dev.parley.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * A fresh schema in the PostgreSQL at 127.0.0.1:5432 (database {@code test}, user {@code postgres}, trust
 * authentication) for one test, dropped on {@link #close()}. When PostgreSQL cannot be reached the test is
 * skipped on a developer machine and fails under {@code CI=true}, so CI never passes by skipping.
 */
public final class PostgresSchema implements AutoCloseable {
    /** The database every schema lives in. */
    public static final String DATABASE_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    /** The role tests connect as. */
    public static final String USER = "postgres";

    private final String name;

    private PostgresSchema(String name) {
        this.name = name;
    }

    /** Creates a schema with a random name ({@code parley_test_...}). */
    public static PostgresSchema create() {
        String name = "parley_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(DATABASE_URL, USER, null); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            Required.missing("PostgreSQL at 127.0.0.1:5432 unreachable", e);
        }
        return new PostgresSchema(name);
    }

    /** The schema's name. */
    public String name() {
        return name;
    }

    /** A JDBC URL whose connections see this schema's tables. */
    public String url() {
        return DATABASE_URL + "?currentSchema=" + name;
    }

    /** The Parley server flags that put its database in this schema. */
    public List<String> serverArgs() {
        return List.of("--db-url", url(), "--db-user", USER);
    }

    /** A new connection whose queries see this schema's tables; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, null);
    }

    /** Drops the schema and everything in it; a failure is reported on stderr, not thrown. */
    @Override
    public void close() {
        try (Connection c = DriverManager.getConnection(DATABASE_URL, USER, null); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA " + name + " CASCADE");
        } catch (SQLException e) {
            System.err.println("could not drop test schema " + name + ": " + e.getMessage());
        }
    }
}

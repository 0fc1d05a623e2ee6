package dev.parley.server;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/** A fresh schema in the local PostgreSQL (127.0.0.1:5432, database test, trust auth), dropped on close. */
final class PostgresSchema implements AutoCloseable {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    final String name = "parley_srv_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

    PostgresSchema() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + name);
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL must run on 127.0.0.1:5432 (database test, trust auth) for this test: "
                    + e.getMessage(), e);
        }
    }

    /** Server arguments that put Parley's database in this schema. */
    String[] serverArgs() {
        return new String[] {"--db-url", URL + "?currentSchema=" + name, "--db-user", "postgres"};
    }

    /** A connection whose queries see this schema's tables. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(URL + "?currentSchema=" + name, "postgres", "");
    }

    @Override
    public void close() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, "postgres", ""); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA " + name + " CASCADE");
        }
    }
}

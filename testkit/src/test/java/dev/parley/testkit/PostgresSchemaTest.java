package dev.parley.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresSchemaTest {
    @Test
    void tablesLandInAFreshSchemaThatCloseDrops() throws SQLException {
        String name;
        try (PostgresSchema schema = PostgresSchema.create(); PostgresSchema other = PostgresSchema.create()) {
            name = schema.name();
            assertNotEquals(name, other.name(), "each test gets a schema of its own");
            assertTrue(schemaExists(name));
            try (Connection c = schema.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE probe (id INT)");
            }
            assertTrue(tableExists(name, "probe"), "unqualified names resolve in the schema");
            assertFalse(tableExists(other.name(), "probe"));
            assertEquals(List.of("--db-url", PostgresSchema.DATABASE_URL + "?currentSchema=" + name,
                    "--db-user", "postgres"), schema.serverArgs());
        }
        assertFalse(schemaExists(name), "close drops the schema");
    }

    private static boolean schemaExists(String name) throws SQLException {
        return exists("SELECT 1 FROM information_schema.schemata WHERE schema_name = '" + name + "'");
    }

    private static boolean tableExists(String schema, String table) throws SQLException {
        return exists("SELECT 1 FROM information_schema.tables WHERE table_schema = '" + schema
                + "' AND table_name = '" + table + "'");
    }

    private static boolean exists(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(PostgresSchema.DATABASE_URL, PostgresSchema.USER, null);
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            return rs.next();
        }
    }
}

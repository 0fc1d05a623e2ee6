package dev.parley.control.events;

import dev.parley.testkit.Required;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGSimpleDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.UUID;

/** A migrated database for one test: H2 in memory, or a fresh schema in the local PostgreSQL that close() drops. */
final class TestDatabase implements AutoCloseable {
    private final Jdbi jdbi;
    private final Runnable cleanup;

    private TestDatabase(Jdbi jdbi, Runnable cleanup) {
        this.jdbi = jdbi;
        this.cleanup = cleanup;
    }

    Jdbi jdbi() {
        return jdbi;
    }

    static TestDatabase h2() {
        String url = "jdbc:h2:mem:outbox" + UUID.randomUUID().toString().replace("-", "")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1";
        Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration").load().migrate();
        Jdbi jdbi = Jdbi.create(url, "sa", "");
        return new TestDatabase(jdbi, () -> jdbi.useHandle(h -> {
            try {
                h.getConnection().createStatement().execute("SHUTDOWN");
            } catch (SQLException e) {
                throw new IllegalStateException("could not shut down " + url, e);
            }
        }));
    }

    /** A fresh schema in PostgreSQL at 127.0.0.1:5432 (db test, user postgres); skips when absent unless CI=true. */
    static TestDatabase postgres() {
        String schema = "parley_outbox_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        PGSimpleDataSource admin = dataSource(null);
        try (Connection c = admin.getConnection()) {
            c.createStatement().execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            requireService("PostgreSQL at 127.0.0.1:5432", e);
        }
        PGSimpleDataSource ds = dataSource(schema);
        Flyway.configure().dataSource(ds).schemas(schema).locations("classpath:db/migration").load().migrate();
        return new TestDatabase(Jdbi.create(ds), () -> {
            try (Connection c = admin.getConnection()) {
                c.createStatement().execute("DROP SCHEMA " + schema + " CASCADE");
            } catch (SQLException e) {
                throw new IllegalStateException("could not drop test schema " + schema, e);
            }
        });
    }

    private static PGSimpleDataSource dataSource(String schema) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setServerNames(new String[] {"127.0.0.1"});
        ds.setPortNumbers(new int[] {5432});
        ds.setDatabaseName("test");
        ds.setUser("postgres");
        ds.setConnectTimeout(3);
        if (schema != null) {
            ds.setCurrentSchema(schema);
        }
        return ds;
    }

    /** A missing external service skips the test on a developer machine and fails it under CI=true. */
    static void requireService(String what, Exception cause) {
        Required.missing(what + " unreachable", cause);
    }

    @Override
    public void close() {
        cleanup.run();
    }
}

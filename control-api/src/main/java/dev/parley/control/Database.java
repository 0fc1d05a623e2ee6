package dev.parley.control;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/** The connection pool, schema migrations and JDBI entry point; one per control plane. */
final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    final Jdbi jdbi;

    private Database(HikariDataSource dataSource) {
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Opens the pool and brings the schema up to date; fails fast with the database's own message. */
    static Database open(ControlConfig cfg) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(durable(cfg.effectiveDbUrl()));
        if (cfg.dbUser() != null) {
            hc.setUsername(cfg.dbUser());
        }
        if (cfg.dbPassword() != null) {
            hc.setPassword(cfg.dbPassword());
        }
        hc.setPoolName("parley-db");
        hc.setMaximumPoolSize(10);
        hc.setConnectionTimeout(10_000);
        HikariDataSource ds = new HikariDataSource(hc);
        try {
            Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
            return new Database(ds);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /**
     * H2 settings that keep acknowledged writes: {@code WRITE_DELAY=0} writes each commit to the file before
     * the commit returns (H2's default leaves up to half a second of commits in memory, so a killed process
     * lost them), and {@code DB_CLOSE_ON_EXIT=FALSE} stops H2's own shutdown hook from closing the database
     * while the server's shutdown still records presence. Settings already in the URL are left as given.
     */
    static String durable(String url) {
        if (!url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            return url;
        }
        String upper = url.toUpperCase(java.util.Locale.ROOT);
        StringBuilder out = new StringBuilder(url);
        if (!upper.contains(";WRITE_DELAY=")) {
            out.append(";WRITE_DELAY=0");
        }
        if (!upper.contains(";DB_CLOSE_ON_EXIT=")) {
            out.append(";DB_CLOSE_ON_EXIT=FALSE");
        }
        return out.toString();
    }

    /** Instants go to the database as UTC offset date-times, which H2 and PostgreSQL both map exactly. */
    static OffsetDateTime ts(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    @Override
    public void close() {
        dataSource.close();
    }
}

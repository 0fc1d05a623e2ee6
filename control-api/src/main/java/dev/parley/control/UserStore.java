package dev.parley.control;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.StatementContext;

/** SQL for accounts. Every method runs on the caller's handle, so callers decide the transaction. */
final class UserStore {
    private UserStore() {}

    static User map(ResultSet rs, StatementContext ctx) throws SQLException {
        return new User(rs.getString("id"), rs.getString("email"), rs.getString("display_name"),
                rs.getString("password_hash"), Role.parse(rs.getString("role")), rs.getBoolean("disabled"),
                Database.instant(rs, "created_at"), Database.instant(rs, "updated_at"));
    }

    static Optional<User> byId(Handle h, String id) {
        return h.createQuery("SELECT * FROM users WHERE id = :id").bind("id", id).map(UserStore::map).findOne();
    }

    static Optional<User> byEmail(Handle h, String email) {
        return h.createQuery("SELECT * FROM users WHERE email = :email").bind("email", email).map(UserStore::map).findOne();
    }

    static List<User> all(Handle h, int limit, int offset) {
        return h.createQuery("SELECT * FROM users ORDER BY created_at, id LIMIT :limit OFFSET :offset")
                .bind("limit", limit).bind("offset", offset).map(UserStore::map).list();
    }

    static void insert(Handle h, User u) {
        h.createUpdate("""
                INSERT INTO users (id, email, display_name, password_hash, role, disabled, created_at, updated_at)
                VALUES (:id, :email, :name, :hash, :role, :disabled, :created, :updated)""")
                .bind("id", u.id()).bind("email", u.email()).bind("name", u.displayName())
                .bind("hash", u.passwordHash()).bind("role", u.role().wire()).bind("disabled", u.disabled())
                .bind("created", Database.ts(u.createdAt())).bind("updated", Database.ts(u.updatedAt()))
                .execute();
    }

    static void update(Handle h, User u) {
        h.createUpdate("""
                UPDATE users SET display_name = :name, password_hash = :hash, role = :role, disabled = :disabled,
                       updated_at = :updated WHERE id = :id""")
                .bind("id", u.id()).bind("name", u.displayName()).bind("hash", u.passwordHash())
                .bind("role", u.role().wire()).bind("disabled", u.disabled()).bind("updated", Database.ts(u.updatedAt()))
                .execute();
    }

    static boolean delete(Handle h, String id) {
        return h.createUpdate("DELETE FROM users WHERE id = :id").bind("id", id).execute() == 1;
    }

    static int countActiveAdmins(Handle h) {
        return h.createQuery("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = FALSE").mapTo(Integer.class).one();
    }

    /**
     * Locks the bootstrap row and claims the admin seat for {@code userId} when nobody holds it yet. The lock
     * serialises concurrent first registrations, so exactly one of them becomes admin.
     */
    static boolean claimFirstAdmin(Handle h, String userId) {
        String holder = h.createQuery("SELECT admin_user_id FROM bootstrap WHERE id = 1 FOR UPDATE")
                .mapTo(String.class).findOne().orElse(null);
        if (holder != null) {
            return false;
        }
        h.createUpdate("UPDATE bootstrap SET admin_user_id = :id WHERE id = 1").bind("id", userId).execute();
        return true;
    }

    static Instant now(java.time.Clock clock) {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }
}

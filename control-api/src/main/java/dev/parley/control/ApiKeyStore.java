package dev.parley.control;

import dev.parley.control.events.WebhookTarget;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** API keys: stored with their secret sealed by a {@link SecretBox}; revocation keeps the row for auditing. */
final class ApiKeyStore {
    /** A key as listed (never with its secret). */
    record ApiKey(String id, String name, String webhookUrl, String createdBy, Instant createdAt, Instant revokedAt) {
        java.util.Map<String, Object> view() {
            java.util.Map<String, Object> v = new java.util.LinkedHashMap<>();
            v.put("id", id);
            v.put("name", name);
            v.put("webhookUrl", webhookUrl);
            v.put("createdBy", createdBy);
            v.put("createdAt", createdAt);
            v.put("revokedAt", revokedAt);
            return v;
        }
    }

    /** A key's verification state: its secret (null when unreadable) and whether it is revoked. */
    record KeyState(String secret, boolean revoked) {}

    private final Jdbi jdbi;
    private final SecretBox box;

    ApiKeyStore(Jdbi jdbi, SecretBox box) {
        this.jdbi = jdbi;
        this.box = box;
    }

    void insert(Handle h, ApiKey key, String secret) {
        h.createUpdate("""
                INSERT INTO api_keys (id, name, secret_ciphertext, webhook_url, created_by, created_at)
                VALUES (:id, :name, :secret, :webhook, :by, :created)""")
                .bind("id", key.id()).bind("name", key.name()).bind("secret", box.seal(secret, key.id()))
                .bindByType("webhook", key.webhookUrl(), String.class).bind("by", key.createdBy())
                .bind("created", Database.ts(key.createdAt())).execute();
    }

    List<ApiKey> list(Handle h, int limit, int offset) {
        return h.createQuery("SELECT * FROM api_keys ORDER BY created_at, id LIMIT :limit OFFSET :offset")
                .bind("limit", limit).bind("offset", offset)
                .map((rs, ctx) -> new ApiKey(rs.getString("id"), rs.getString("name"), rs.getString("webhook_url"),
                        rs.getString("created_by"), Database.instant(rs, "created_at"), Database.instant(rs, "revoked_at")))
                .list();
    }

    /** Marks the key revoked; false when there is no such key. Revoking twice is harmless. */
    boolean revoke(Handle h, String id, Instant now) {
        int found = h.createQuery("SELECT COUNT(*) FROM api_keys WHERE id = :id").bind("id", id).mapTo(Integer.class).one();
        h.createUpdate("UPDATE api_keys SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("id", id).bind("now", Database.ts(now)).execute();
        return found == 1;
    }

    Optional<KeyState> state(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT secret_ciphertext, revoked_at FROM api_keys WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new KeyState(box.open(rs.getString("secret_ciphertext"), id), rs.getObject("revoked_at") != null))
                .findOne());
    }

    List<WebhookTarget> webhookTargets() {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT id, webhook_url, secret_ciphertext FROM api_keys WHERE revoked_at IS NULL AND webhook_url IS NOT NULL ORDER BY id")
                .map((rs, ctx) -> {
                    String id = rs.getString("id");
                    return new WebhookTarget(id, java.net.URI.create(rs.getString("webhook_url")), box.open(rs.getString("secret_ciphertext"), id));
                })
                .list()).stream().filter(t -> t.secret() != null).toList();
    }
}

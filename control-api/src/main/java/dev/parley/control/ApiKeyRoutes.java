package dev.parley.control;

import java.net.URI;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;

/** {@code /api-keys}: administrators issue, list and revoke the keys integrators sign join tokens with. */
final class ApiKeyRoutes {
    static final int NAME_MAX = 100;
    static final int URL_MAX = 2000;
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final Jdbi jdbi;
    private final Clock clock;
    private final Authenticator auth;
    private final ApiKeyStore keys;
    private final SecureRandom random = new SecureRandom();

    ApiKeyRoutes(Jdbi jdbi, Clock clock, Authenticator auth, ApiKeyStore keys) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.auth = auth;
        this.keys = keys;
    }

    void register(Router router) {
        router.add("POST", "/api/v1/api-keys", this::create);
        router.add("GET", "/api/v1/api-keys", this::list);
        router.add("DELETE", "/api/v1/api-keys/{id}", this::revoke);
    }

    private ApiResponse create(ApiRequest req) {
        Authenticator.Caller admin = auth.requireAdmin(req);
        JsonBody body = req.json(Set.of("name", "webhookUrl"));
        String name = body.text("name", 1, NAME_MAX, true);
        String webhook = body.text("webhookUrl", 1, URL_MAX, false);
        if (webhook != null && !isHttpUrl(webhook)) {
            body.error("webhookUrl", "must be an absolute http:// or https:// URL");
        }
        body.check();
        String id = "PK" + randomBase32(14);
        byte[] secretBytes = new byte[32];
        random.nextBytes(secretBytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
        ApiKeyStore.ApiKey key = new ApiKeyStore.ApiKey(id, name, webhook, admin.id(), UserStore.now(clock), null);
        jdbi.useTransaction(h -> keys.insert(h, key, secret));
        Map<String, Object> v = new LinkedHashMap<>(key.view());
        v.put("secret", secret);
        return ApiResponse.created(v, "/api/v1/api-keys/" + id);
    }

    private ApiResponse list(ApiRequest req) {
        auth.requireAdmin(req);
        int limit = Paging.limit(req);
        int offset = Paging.offset(req);
        List<Map<String, Object>> items = jdbi.withHandle(h -> keys.list(h, limit, offset)).stream().map(ApiKeyStore.ApiKey::view).toList();
        return ApiResponse.ok(Map.of("items", items, "limit", limit, "offset", offset));
    }

    private ApiResponse revoke(ApiRequest req) {
        auth.requireAdmin(req);
        String id = req.pathParam("id");
        Instant now = UserStore.now(clock);
        if (!jdbi.inTransaction(h -> keys.revoke(h, id, now))) {
            throw ApiProblem.notFound("API key " + TextRules.printable(id));
        }
        return ApiResponse.noContent();
    }

    private String randomBase32(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(BASE32[random.nextInt(BASE32.length)]);
        }
        return b.toString();
    }

    private static boolean isHttpUrl(String text) {
        try {
            URI uri = new URI(text);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (URISyntaxException e) {
            return false;
        }
    }
}

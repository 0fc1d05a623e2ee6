package dev.parley.control;

import dev.parley.control.events.WebhookTarget;
import static dev.parley.control.AuthApiTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** API keys: issuing, offline-minted join tokens, revocation and webhook targets, on H2 and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class ApiKeyApiTest {
    @Parameter
    String backend;

    ApiFixture api;
    String admin;

    @BeforeEach
    void setUp() {
        api = ApiFixture.shared(backend);
        admin = api.admin().accessToken();
    }

    @Test
    void anIssuedKeySignsJoinTokensUntilRevoked() throws Exception {
        ApiFixture.Res created = api.post("/api/v1/api-keys", Map.of("name", "Backend ' ; -- 😀", "webhookUrl", "https://hooks.example.com/parley"), admin);
        assertEquals(201, created.status(), created.text());
        JsonNode key = created.json();
        String id = key.path("id").asText();
        String secret = key.path("secret").asText();
        assertTrue(id.matches("PK[A-Z2-7]{14}"), id);
        assertEquals("Backend ' ; -- 😀", key.path("name").asText());

        JsonNode listed = findKey(id);
        assertTrue(listed.path("secret").isMissingNode(), "the secret is shown only once");
        String stored = api.plane.jdbi().withHandle(h -> h.createQuery("SELECT secret_ciphertext FROM api_keys WHERE id = :id")
                .bind("id", id).mapTo(String.class).one());
        assertFalse(stored.contains(secret), "secrets are stored encrypted");

        JoinGrant grant = new JoinGrant("any-room", "ext-user-7", "Ext User", true, true, false, false,
                api.clock.instant().plusSeconds(3600));
        String token = JoinTokens.sign(grant, id, secret);
        assertEquals(grant, api.plane.joinTokens().verify(token, "any-room"));
        assertTrue(api.plane.webhookTargets().contains(new WebhookTarget(id, java.net.URI.create("https://hooks.example.com/parley"), secret)));

        assertEquals(204, api.delete("/api/v1/api-keys/" + id, admin).status());
        assertEquals(204, api.delete("/api/v1/api-keys/" + id, admin).status(), "revoking twice is harmless");
        InvalidTokenException refused = assertThrows(InvalidTokenException.class, () -> api.plane.joinTokens().verify(token, "any-room"));
        assertEquals(InvalidTokenException.Reason.REVOKED_KEY, refused.reason());
        assertFalse(findKey(id).path("revokedAt").isNull());
        assertTrue(api.plane.webhookTargets().stream().noneMatch(t -> t.keyId().equals(id)));
    }

    @Test
    void onlyAdminsManageKeysAndBadInputChangesNothing() {
        ApiFixture.Session host = api.register("keyless");
        Map<String, Long> before = api.snapshot();
        assertProblem(api.post("/api/v1/api-keys", Map.of("name", "k"), host.accessToken()), 403, "forbidden");
        assertProblem(api.get("/api/v1/api-keys", host.accessToken()), 403, "forbidden");
        assertProblem(api.post("/api/v1/api-keys", Map.of("name", "k"), null), 401, "unauthorized");
        assertProblem(api.post("/api/v1/api-keys", Map.of("name", "k", "webhookUrl", "ftp://x"), admin), 400, "validation");
        assertProblem(api.post("/api/v1/api-keys", Map.of("name", "k", "webhookUrl", "not a url"), admin), 400, "validation");
        assertProblem(api.post("/api/v1/api-keys", Map.of("name", "k".repeat(ApiKeyRoutes.NAME_MAX + 1)), admin), 400, "validation");
        assertProblem(api.postRaw("/api/v1/api-keys", "{\"name\": null}", admin), 400, "validation");
        assertProblem(api.delete("/api/v1/api-keys/PKNOSUCHKEY", admin), 404, "not-found");
        assertEquals(before, api.snapshot());
    }

    @Test
    void keysWithoutWebhookAreNotWebhookTargets() {
        JsonNode key = api.post("/api/v1/api-keys", Map.of("name", "no hooks"), admin).json();
        assertTrue(key.path("webhookUrl").isNull());
        assertTrue(api.plane.webhookTargets().stream().noneMatch(t -> t.keyId().equals(key.path("id").asText())));
    }

    private JsonNode findKey(String id) {
        for (JsonNode k : api.get("/api/v1/api-keys?limit=500", admin).json().path("items")) {
            if (k.path("id").asText().equals(id)) {
                return k;
            }
        }
        throw new AssertionError("key " + id + " not listed");
    }
}

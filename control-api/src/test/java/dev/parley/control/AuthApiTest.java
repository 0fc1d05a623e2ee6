package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Registration, login, tokens and sessions over real HTTP, on H2 and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class AuthApiTest {
    @Parameter
    String backend;

    ApiFixture api;

    @BeforeEach
    void setUp() {
        api = ApiFixture.shared(backend);
    }

    @Test
    void firstAccountIsAdminAndLaterOnesHost() {
        assertEquals("admin", api.get("/api/v1/users/me", api.admin().accessToken()).json().path("role").asText());
        ApiFixture.Session later = api.register("later");
        JsonNode me = api.get("/api/v1/users/me", later.accessToken()).json();
        assertEquals("host", me.path("role").asText());
        assertEquals(later.email(), me.path("email").asText());
        assertTrue(me.path("passwordHash").isMissingNode(), "the hash never leaves the server");
        assertTrue(TableOutbox.all(api.plane.jdbi()).stream()
                .anyMatch(e -> e.type().equals("user.registered") && e.data().path("userId").asText().equals(later.userId())));
    }

    @Test
    void registrationStoresTheFirstAdminOnlyOnceEvenWhenRacing() throws Exception {
        // A fresh server: many simultaneous first registrations, exactly one admin.
        try (ApiFixture fresh = ApiFixture.fresh(backend)) {
            var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            List<java.util.concurrent.Future<ApiFixture.Res>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String email = ApiFixture.uniqueEmail("race");
                results.add(pool.submit(() -> fresh.post("/api/v1/auth/register",
                        Map.of("email", email, "password", "password-123", "displayName", "R"), null)));
            }
            int admins = 0;
            for (var f : results) {
                ApiFixture.Res r = f.get();
                assertEquals(201, r.status(), r.text());
                if (r.json().path("user").path("role").asText().equals("admin")) {
                    admins++;
                }
            }
            pool.shutdown();
            assertEquals(1, admins);
        }
    }

    @Test
    void loginWithRightAndWrongPasswords() {
        ApiFixture.Session s = api.register("login");
        ApiFixture.Res ok = api.post("/api/v1/auth/login", Map.of("email", s.email().toUpperCase(), "password", s.password()), null);
        assertEquals(200, ok.status(), ok.text());
        assertEquals("Bearer", ok.json().path("tokenType").asText());
        assertEquals(200, api.get("/api/v1/users/me", ok.json().path("accessToken").asText()).status());

        ApiFixture.Res wrong = api.post("/api/v1/auth/login", Map.of("email", s.email(), "password", "nope-nope-nope"), null);
        assertProblem(wrong, 401, "invalid-credentials");
        ApiFixture.Res unknown = api.post("/api/v1/auth/login", Map.of("email", "nobody-" + s.email(), "password", "whatever1"), null);
        assertProblem(unknown, 401, "invalid-credentials");
        assertEquals(wrong.json().path("detail"), unknown.json().path("detail"), "unknown accounts are not revealed");
    }

    @Test
    void repeatedFailedLoginsAreThrottledEvenForTheRightPassword() {
        ApiFixture.Session s = api.register("brute");
        try {
            for (int i = 0; i < AuthRoutes.LOGIN_ATTEMPTS; i++) {
                assertProblem(api.post("/api/v1/auth/login", Map.of("email", s.email(), "password", "guess-" + i), null), 401, "invalid-credentials");
            }
            ApiFixture.Res limited = api.post("/api/v1/auth/login", Map.of("email", s.email(), "password", s.password()), null);
            assertProblem(limited, 429, "too-many-requests");
            assertEquals(String.valueOf(AuthRoutes.LOGIN_WINDOW.toSeconds()), limited.headers().firstValue("Retry-After").orElse(""));
            api.clock.advance(AuthRoutes.LOGIN_WINDOW.plusSeconds(1));
            ApiFixture.Res later = api.post("/api/v1/auth/login", Map.of("email", s.email(), "password", s.password()), null);
            assertEquals(200, later.status(), later.text());
        } finally {
            api.clock.set(ApiFixture.START);
        }
    }

    @Test
    void refreshRotatesAndReplayRevokesTheWholeFamily() {
        ApiFixture.Session s = api.register("refresh");
        ApiFixture.Res first = api.post("/api/v1/auth/refresh", Map.of("refreshToken", s.refreshToken()), null);
        assertEquals(200, first.status(), first.text());
        String second = first.json().path("refreshToken").asText();
        assertNotEquals(s.refreshToken(), second);

        long sessionsBefore = api.count("refresh_tokens");
        ApiFixture.Res replay = api.post("/api/v1/auth/refresh", Map.of("refreshToken", s.refreshToken()), null);
        assertProblem(replay, 401, "refresh-token-reused");
        assertEquals(sessionsBefore, api.count("refresh_tokens"), "a replay issues nothing");
        // The legitimate successor is dead too: the family is revoked.
        assertProblem(api.post("/api/v1/auth/refresh", Map.of("refreshToken", second), null), 401, "invalid-refresh-token");
        assertProblem(api.post("/api/v1/auth/refresh", Map.of("refreshToken", "made-up"), null), 401, "invalid-refresh-token");
    }

    @Test
    void logoutRevokesAccessAndRefreshTokens() {
        ApiFixture.Session s = api.register("logout");
        ApiFixture.Res out = api.post("/api/v1/auth/logout", Map.of("refreshToken", s.refreshToken()), s.accessToken());
        assertEquals(204, out.status(), out.text());
        assertProblem(api.get("/api/v1/users/me", s.accessToken()), 401, "invalid-token");
        assertProblem(api.post("/api/v1/auth/refresh", Map.of("refreshToken", s.refreshToken()), null), 401, "invalid-refresh-token");
    }

    @Test
    void tamperedForgedAndExpiredAccessTokensAreRefused() {
        ApiFixture.Session s = api.register("jwt");
        String[] parts = s.accessToken().split("\\.");
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]));
        String forgedPayload = Base64.getUrlEncoder().withoutPadding().encodeToString(
                payload.replace(s.userId(), api.admin().userId()).getBytes());
        assertProblem(api.get("/api/v1/users/me", parts[0] + "." + forgedPayload + "." + parts[2]), 401, "invalid-token");
        String noneHeader = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertProblem(api.get("/api/v1/users/me", noneHeader + "." + parts[1] + "."), 401, "invalid-token");
        assertProblem(api.get("/api/v1/users/me", "not-a-jwt"), 401, "invalid-token");
        assertProblem(api.send("GET", "/api/v1/users/me", null, null, null), 401, "unauthorized");
        try {
            api.clock.advance(AccessTokens.TTL.plus(Duration.ofSeconds(1)));
            assertProblem(api.get("/api/v1/users/me", s.accessToken()), 401, "token-expired");
        } finally {
            api.clock.set(ApiFixture.START);
        }
        assertEquals(200, api.get("/api/v1/users/me", s.accessToken()).status());
    }

    @Test
    void duplicateEmailIsAConflictAndChangesNothing() {
        ApiFixture.Session s = api.register("dup");
        Map<String, Long> before = api.snapshot();
        ApiFixture.Res r = api.post("/api/v1/auth/register",
                Map.of("email", s.email().toUpperCase(), "password", "another-password", "displayName", "Dup"), null);
        assertProblem(r, 409, "email-taken");
        assertEquals(before, api.snapshot());
    }

    @Test
    void textIsStoredVerbatimAndLimitsAreClear() {
        String tricky = "Robert'); DROP TABLE users;-- \"%_\\ 😀 ñ 中文 " + "é".repeat(40);
        ApiFixture.Session s = api.register(ApiFixture.uniqueEmail("text"), tricky);
        assertEquals(tricky, api.get("/api/v1/users/me", s.accessToken()).json().path("displayName").asText());
        String longest = "😀".repeat(AccountRules.NAME_MAX);
        ApiFixture.Res patched = api.patch("/api/v1/users/me", Map.of("displayName", longest), s.accessToken());
        assertEquals(200, patched.status(), patched.text());
        assertEquals(longest, api.get("/api/v1/users/me", s.accessToken()).json().path("displayName").asText());

        Map<String, Long> before = api.snapshot();
        ApiFixture.Res tooLong = api.post("/api/v1/auth/register", Map.of("email", ApiFixture.uniqueEmail("long"),
                "password", "password-123", "displayName", "x".repeat(AccountRules.NAME_MAX + 1)), null);
        assertProblem(tooLong, 400, "validation");
        assertEquals("displayName", tooLong.json().path("errors").get(0).path("field").asText());
        ApiFixture.Res nul = api.post("/api/v1/auth/register", Map.of("email", ApiFixture.uniqueEmail("nul"),
                "password", "password-123", "displayName", "a\u0000b"), null);
        assertProblem(nul, 400, "validation");
        ApiFixture.Res surrogate = api.postRaw("/api/v1/auth/register", "{\"email\":\"" + ApiFixture.uniqueEmail("s")
                + "\",\"password\":\"password-123\",\"displayName\":\"\\ud800x\"}", null);
        assertProblem(surrogate, 400, "validation");
        assertEquals(before, api.snapshot());
        assertEquals(longest, api.get("/api/v1/users/me", s.accessToken()).json().path("displayName").asText());
    }

    @Test
    void malformedAndMistypedBodiesAreRefusedWithoutChanges() {
        Map<String, Long> before = api.snapshot();
        assertProblem(api.postRaw("/api/v1/auth/register", "{\"email\": ", null), 400, "malformed-json");
        assertProblem(api.postRaw("/api/v1/auth/register", "[1,2]", null), 400, "malformed-json");
        assertProblem(api.postRaw("/api/v1/auth/register", "{\"a\":1} {\"b\":2}", null), 400, "malformed-json");
        assertProblem(api.postRaw("/api/v1/auth/register", "{\"email\":\"a@b.c\",\"email\":\"d@e.f\"}", null), 400, "malformed-json");
        assertProblem(api.send("POST", "/api/v1/auth/register", null, null, null), 400, "malformed-json");

        ApiFixture.Res types = api.postRaw("/api/v1/auth/register", "{\"email\": 5, \"password\": true, \"displayName\": [\"x\"]}", null);
        assertProblem(types, 400, "validation");
        assertEquals(3, types.json().path("errors").size(), types.text());

        ApiFixture.Res missing = api.postRaw("/api/v1/auth/register", "{}", null);
        assertProblem(missing, 400, "validation");
        assertEquals(3, missing.json().path("errors").size(), missing.text());

        ApiFixture.Res unknown = api.postRaw("/api/v1/auth/register",
                "{\"email\":\"x@y.z\",\"password\":\"password-1\",\"displayName\":\"X\",\"role\":\"admin\"}", null);
        assertProblem(unknown, 400, "validation");
        assertEquals("role", unknown.json().path("errors").get(0).path("field").asText());

        assertProblem(api.postRaw("/api/v1/auth/register", "{\"email\":\"no-at-sign\",\"password\":\"password-1\",\"displayName\":\"X\"}", null), 400, "validation");
        assertProblem(api.postRaw("/api/v1/auth/register", "{\"email\":\"a@b.c\",\"password\":\"short\",\"displayName\":\"X\"}", null), 400, "validation");
        assertEquals(before, api.snapshot());
    }

    @Test
    void transportLevelErrorsAreProblems() {
        Map<String, Long> before = api.snapshot();
        byte[] big = ("{\"email\":\"" + "a".repeat(ControlConfig.DEFAULT_MAX_BODY_BYTES) + "\"}").getBytes();
        assertProblem(api.send("POST", "/api/v1/auth/register", big, "application/json", null), 413, "payload-too-large");
        // Without a Content-Length (chunked), the limit holds while reading.
        ApiFixture.Res chunked = api.exchange(java.net.http.HttpRequest.newBuilder(api.uri("/api/v1/auth/register"))
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build());
        assertProblem(chunked, 413, "payload-too-large");
        assertProblem(api.send("POST", "/api/v1/auth/register", "email=a".getBytes(), "application/x-www-form-urlencoded", null), 415, "unsupported-media-type");
        assertProblem(api.send("POST", "/api/v1/auth/register", "{}".getBytes(), null, null), 415, "unsupported-media-type");
        assertProblem(api.get("/api/v1/no/such/route", null), 404, "not-found");
        ApiFixture.Res wrongMethod = api.send("PUT", "/api/v1/auth/login", null, null, null);
        assertProblem(wrongMethod, 405, "method-not-allowed");
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        ApiFixture.Res users = api.send("PUT", "/api/v1/users/me", null, null, null);
        assertProblem(users, 405, "method-not-allowed");
        assertEquals("GET, PATCH", users.headers().firstValue("Allow").orElse(""));
        assertProblem(api.get("/api/v1/meetings?limit=%C3%28", api.admin().accessToken()), 400, "validation");
        ApiFixture.Res outside = api.get("/not-the-api", null);
        assertEquals(404, outside.status());
        assertFalse(outside.contentType().startsWith("application/problem+json"), "paths outside /api/v1 are left to other handlers");
        assertEquals(before, api.snapshot());
    }

    @Test
    void adminsManageAccountsAndOthersMayNot() {
        String admin = api.admin().accessToken();
        ApiFixture.Session host = api.register("host");
        assertProblem(api.get("/api/v1/users", host.accessToken()), 403, "forbidden");
        assertProblem(api.post("/api/v1/users", Map.of("email", "x@y.z", "password", "password-1", "displayName", "X"), host.accessToken()), 403, "forbidden");

        String email = ApiFixture.uniqueEmail("made");
        ApiFixture.Res created = api.post("/api/v1/users",
                Map.of("email", email, "password", "password-123", "displayName", "Made", "role", "participant"), admin);
        assertEquals(201, created.status(), created.text());
        String id = created.json().path("id").asText();
        assertEquals("participant", created.json().path("role").asText());
        assertProblem(api.post("/api/v1/users", Map.of("email", ApiFixture.uniqueEmail("r"), "password", "password-123",
                "displayName", "R", "role", "superuser"), admin), 400, "validation");

        ApiFixture.Res list = api.get("/api/v1/users?limit=500", admin);
        assertEquals(200, list.status());
        assertTrue(list.json().path("items").findValuesAsText("id").contains(id));
        assertProblem(api.get("/api/v1/users?limit=0", admin), 400, "validation");

        ApiFixture.Res login = api.post("/api/v1/auth/login", Map.of("email", email, "password", "password-123"), null);
        String token = login.json().path("accessToken").asText();
        assertEquals(200, api.post("/api/v1/users/" + id + "/disable", null, admin).status());
        assertProblem(api.get("/api/v1/users/me", token), 403, "account-disabled");
        assertProblem(api.post("/api/v1/auth/login", Map.of("email", email, "password", "password-123"), null), 403, "account-disabled");
        assertProblem(api.post("/api/v1/auth/refresh", Map.of("refreshToken", login.json().path("refreshToken").asText()), null), 401, "invalid-refresh-token");
        assertEquals(200, api.post("/api/v1/users/" + id + "/enable", null, admin).status());
        assertEquals(200, api.get("/api/v1/users/me", token).status());

        assertProblem(api.delete("/api/v1/users/" + api.admin().userId(), admin), 409, "conflict");
        assertEquals(204, api.delete("/api/v1/users/" + id, admin).status());
        assertProblem(api.get("/api/v1/users/me", token), 401, "invalid-token");
        assertProblem(api.delete("/api/v1/users/" + id, admin), 404, "not-found");
        assertProblem(api.post("/api/v1/users/no-such-id/disable", null, admin), 404, "not-found");
    }

    @Test
    void passwordChangeNeedsTheCurrentPasswordAndEndsOtherSessions() {
        ApiFixture.Session s = api.register("pw");
        assertProblem(api.patch("/api/v1/users/me", Map.of("password", "brand-new-password"), s.accessToken()), 400, "validation");
        assertProblem(api.patch("/api/v1/users/me", Map.of("password", "brand-new-password", "currentPassword", "wrong-one"), s.accessToken()), 400, "validation");
        ApiFixture.Res ok = api.patch("/api/v1/users/me", Map.of("password", "brand-new-password", "currentPassword", s.password()), s.accessToken());
        assertEquals(200, ok.status(), ok.text());
        assertProblem(api.post("/api/v1/auth/refresh", Map.of("refreshToken", s.refreshToken()), null), 401, "invalid-refresh-token");
        assertEquals(200, api.post("/api/v1/auth/login", Map.of("email", s.email(), "password", "brand-new-password"), null).status());
        assertFalse(api.post("/api/v1/auth/login", Map.of("email", s.email(), "password", s.password()), null).status() == 200);
    }

    static void assertProblem(ApiFixture.Res r, int status, String type) {
        assertEquals(status, r.status(), r.text());
        assertTrue(r.contentType().startsWith("application/problem+json"), "content type was " + r.contentType());
        JsonNode j = r.json();
        assertEquals(ProblemType.BASE + type, j.path("type").asText(), r.text());
        assertEquals(status, j.path("status").asInt());
        assertFalse(j.path("title").asText().isEmpty());
        assertFalse(j.path("detail").asText().isEmpty());
    }
}

package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import dev.parley.control.state.RateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** {@code /auth/*}: registration, login, refresh-token rotation and logout. */
final class AuthRoutes {
    static final int LOGIN_ATTEMPTS = 5;
    static final Duration LOGIN_WINDOW = Duration.ofMinutes(15);

    private final Jdbi jdbi;
    private final Clock clock;
    private final PasswordHasher hasher;
    private final AccessTokens accessTokens;
    private final RefreshTokens refreshTokens;
    private final Authenticator auth;
    private final RateLimiter limiter;
    private final EventOutbox outbox;

    AuthRoutes(Jdbi jdbi, Clock clock, PasswordHasher hasher, AccessTokens accessTokens, RefreshTokens refreshTokens,
               Authenticator auth, RateLimiter limiter, EventOutbox outbox) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.hasher = hasher;
        this.accessTokens = accessTokens;
        this.refreshTokens = refreshTokens;
        this.auth = auth;
        this.limiter = limiter;
        this.outbox = outbox;
    }

    void register(Router router) {
        router.add("POST", "/api/v1/auth/register", this::registerAccount);
        router.add("POST", "/api/v1/auth/login", this::login);
        router.add("POST", "/api/v1/auth/refresh", this::refresh);
        router.add("POST", "/api/v1/auth/logout", this::logout);
    }

    private ApiResponse registerAccount(ApiRequest req) {
        JsonBody body = req.json(Set.of("email", "password", "displayName"));
        String email = AccountRules.email(body, "email");
        String password = AccountRules.password(body, "password", true);
        String name = AccountRules.displayName(body, "displayName", true);
        body.check();
        String hash = hasher.hash(password);
        Instant now = UserStore.now(clock);
        String id = UUID.randomUUID().toString();
        record Registered(User user, String refresh) {}
        Registered done = jdbi.inTransaction(h -> {
            if (UserStore.byEmail(h, email).isPresent()) {
                throw new ApiProblem(ProblemType.EMAIL_TAKEN, "an account with this email already exists; log in instead");
            }
            // The first account of a fresh server administers it; later self-registrations may host meetings.
            Role role = UserStore.claimFirstAdmin(h, id) ? Role.ADMIN : Role.HOST;
            User user = new User(id, email, name, hash, role, false, now, now);
            UserStore.insert(h, user);
            outbox.append(h, DomainEvents.userRegistered(user));
            return new Registered(user, refreshTokens.start(h, id));
        });
        return ApiResponse.created(session(done.user, done.refresh), "/api/v1/users/" + id);
    }

    private ApiResponse login(ApiRequest req) {
        JsonBody body = req.json(Set.of("email", "password"));
        String email = body.text("email", 1, AccountRules.EMAIL_MAX, true);
        String password = body.text("password", 1, AccountRules.PASSWORD_MAX, true);
        body.check();
        String limitKey = "login:" + email.toLowerCase(java.util.Locale.ROOT) + "|" + req.clientAddress();
        if (!limiter.tryAcquire(limitKey, LOGIN_ATTEMPTS, LOGIN_WINDOW)) {
            throw new ApiProblem(ProblemType.TOO_MANY_REQUESTS,
                    "too many failed logins for this account from your address; wait " + LOGIN_WINDOW.toMinutes() + " minutes",
                    List.of(), Map.of("Retry-After", Long.toString(LOGIN_WINDOW.toSeconds())));
        }
        User user = jdbi.withHandle(h -> UserStore.byEmail(h, email.toLowerCase(java.util.Locale.ROOT))).orElse(null);
        if (user == null) {
            hasher.verifyNothing(password);
            throw new ApiProblem(ProblemType.INVALID_CREDENTIALS, "the email or the password is wrong");
        }
        if (!hasher.verify(password, user.passwordHash())) {
            throw new ApiProblem(ProblemType.INVALID_CREDENTIALS, "the email or the password is wrong");
        }
        limiter.reset(limitKey);
        if (user.disabled()) {
            throw new ApiProblem(ProblemType.ACCOUNT_DISABLED, "the account is disabled; ask an administrator");
        }
        String refresh = jdbi.inTransaction(h -> refreshTokens.start(h, user.id()));
        return ApiResponse.ok(session(user, refresh));
    }

    private ApiResponse refresh(ApiRequest req) {
        JsonBody body = req.json(Set.of("refreshToken"));
        String token = body.text("refreshToken", 1, 200, true);
        body.check();
        RefreshTokens.Rotation rotation = jdbi.inTransaction(h -> refreshTokens.rotate(h, token));
        return switch (rotation) {
            case RefreshTokens.Invalid i -> throw new ApiProblem(ProblemType.INVALID_REFRESH_TOKEN,
                    "the refresh token is unknown, expired or logged out; log in again");
            case RefreshTokens.Reused r -> throw new ApiProblem(ProblemType.REFRESH_TOKEN_REUSED,
                    "this refresh token was already exchanged; every session it belongs to is now revoked, log in again");
            case RefreshTokens.Rotated ok -> {
                User user = jdbi.withHandle(h -> UserStore.byId(h, ok.userId())).orElseThrow();
                if (user.disabled()) {
                    throw new ApiProblem(ProblemType.ACCOUNT_DISABLED, "the account is disabled; ask an administrator");
                }
                yield ApiResponse.ok(session(user, ok.token()));
            }
        };
    }

    private ApiResponse logout(ApiRequest req) {
        JsonBody body = req.optionalJson(Set.of("refreshToken"));
        String token = body.text("refreshToken", 1, 200, false);
        body.check();
        auth.optional(req).ifPresent(caller -> accessTokens.revoke(caller.claims()));
        if (token != null) {
            jdbi.useTransaction(h -> refreshTokens.revokeFamilyOf(h, token));
        }
        return ApiResponse.noContent();
    }

    private Map<String, Object> session(User user, String refreshToken) {
        AccessTokens.Issued access = accessTokens.issue(user.id());
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("user", user.view());
        v.put("tokenType", "Bearer");
        v.put("accessToken", access.token());
        v.put("accessTokenExpiresAt", access.expiresAt());
        v.put("refreshToken", refreshToken);
        return v;
    }
}

package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** {@code /users/me} for everyone, and account administration for admins. */
final class UserRoutes {
    /** The reasons an account's connections are given when it is disabled or deleted while in a call. */
    static final String ACCOUNT_DISABLED = "account_disabled";
    static final String ACCOUNT_DELETED = "account_deleted";

    private final Jdbi jdbi;
    private final Clock clock;
    private final PasswordHasher hasher;
    private final RefreshTokens refreshTokens;
    private final Authenticator auth;
    private final EventOutbox outbox;
    private final LiveRooms rooms;

    UserRoutes(Jdbi jdbi, Clock clock, PasswordHasher hasher, RefreshTokens refreshTokens, Authenticator auth, EventOutbox outbox,
               LiveRooms rooms) {
        this.rooms = rooms;
        this.jdbi = jdbi;
        this.clock = clock;
        this.hasher = hasher;
        this.refreshTokens = refreshTokens;
        this.auth = auth;
        this.outbox = outbox;
    }

    void register(Router router) {
        router.add("GET", "/api/v1/users/me", req -> ApiResponse.ok(auth.require(req).user().view()));
        router.add("PATCH", "/api/v1/users/me", this::updateMe);
        router.add("GET", "/api/v1/users", this::list);
        router.add("POST", "/api/v1/users", this::create);
        router.add("POST", "/api/v1/users/{id}/disable", req -> setDisabled(req, true));
        router.add("POST", "/api/v1/users/{id}/enable", req -> setDisabled(req, false));
        router.add("DELETE", "/api/v1/users/{id}", this::delete);
    }

    private ApiResponse updateMe(ApiRequest req) {
        Authenticator.Caller caller = auth.require(req);
        JsonBody body = req.json(Set.of("displayName", "password", "currentPassword"));
        String name = AccountRules.displayName(body, "displayName", false);
        String password = AccountRules.password(body, "password", false);
        String current = body.text("currentPassword", 1, AccountRules.PASSWORD_MAX, password != null);
        body.check();
        User me = caller.user();
        String hash = me.passwordHash();
        if (password != null) {
            if (!hasher.verify(current, me.passwordHash())) {
                throw ApiProblem.invalid("currentPassword", "is wrong");
            }
            hash = hasher.hash(password);
        }
        User updated = new User(me.id(), me.email(), name == null ? me.displayName() : name, hash, me.role(),
                me.disabled(), me.createdAt(), UserStore.now(clock));
        boolean passwordChanged = password != null;
        jdbi.useTransaction(h -> {
            UserStore.update(h, updated);
            if (passwordChanged) {
                // A new password ends every other session: a thief holding a refresh token is locked out.
                refreshTokens.revokeUser(h, me.id());
            }
        });
        return ApiResponse.ok(updated.view());
    }

    private ApiResponse list(ApiRequest req) {
        auth.requireAdmin(req);
        int limit = Paging.limit(req);
        int offset = Paging.offset(req);
        List<Map<String, Object>> items = jdbi.withHandle(h -> UserStore.all(h, limit, offset)).stream().map(User::view).toList();
        return ApiResponse.ok(Map.of("items", items, "limit", limit, "offset", offset));
    }

    private ApiResponse create(ApiRequest req) {
        auth.requireAdmin(req);
        JsonBody body = req.json(Set.of("email", "password", "displayName", "role"));
        String email = AccountRules.email(body, "email");
        String password = AccountRules.password(body, "password", true);
        String name = AccountRules.displayName(body, "displayName", true);
        String roleText = body.text("role", 1, 20, false);
        Role role = roleText == null ? Role.PARTICIPANT : Role.parse(roleText);
        if (roleText != null && role == null) {
            body.error("role", "must be one of admin, host, participant");
        }
        body.check();
        Instant now = UserStore.now(clock);
        User user = new User(UUID.randomUUID().toString(), email, name, hasher.hash(password), role, false, now, now);
        jdbi.useTransaction(h -> {
            if (UserStore.byEmail(h, email).isPresent()) {
                throw new ApiProblem(ProblemType.EMAIL_TAKEN, "an account with this email already exists");
            }
            UserStore.insert(h, user);
            outbox.append(h, DomainEvents.userRegistered(user));
        });
        return ApiResponse.created(user.view(), "/api/v1/users/" + user.id());
    }

    private ApiResponse setDisabled(ApiRequest req, boolean disabled) {
        Authenticator.Caller admin = auth.requireAdmin(req);
        String id = req.pathParam("id");
        if (id.equals(admin.id())) {
            throw new ApiProblem(ProblemType.CONFLICT, "you cannot disable or enable your own account");
        }
        User updated = jdbi.inTransaction(h -> {
            User user = UserStore.byId(h, id).orElseThrow(() -> ApiProblem.notFound("user " + TextRules.printable(id)));
            User changed = new User(user.id(), user.email(), user.displayName(), user.passwordHash(), user.role(),
                    disabled, user.createdAt(), UserStore.now(clock));
            UserStore.update(h, changed);
            if (disabled) {
                refreshTokens.revokeUser(h, id);
            }
            return changed;
        });
        if (disabled) {
            // After the commit, so a rejoin on the way is already refused; the account leaves every call now.
            rooms.removeAccount(id, ACCOUNT_DISABLED, admin.id());
        }
        return ApiResponse.ok(updated.view());
    }

    private ApiResponse delete(ApiRequest req) {
        Authenticator.Caller admin = auth.requireAdmin(req);
        String id = req.pathParam("id");
        if (id.equals(admin.id())) {
            throw new ApiProblem(ProblemType.CONFLICT, "you cannot delete your own account");
        }
        boolean deleted = jdbi.inTransaction(h -> UserStore.delete(h, id));
        if (!deleted) {
            throw ApiProblem.notFound("user " + TextRules.printable(id));
        }
        rooms.removeAccount(id, ACCOUNT_DELETED, admin.id());
        return ApiResponse.noContent();
    }
}

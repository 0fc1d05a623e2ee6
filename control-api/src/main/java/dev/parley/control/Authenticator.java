package dev.parley.control;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Turns a request's bearer access token into the calling account. The account is re-read from the database,
 * so a disabled or deleted account loses access immediately and role changes apply at once.
 */
final class Authenticator {
    /** The authenticated caller. */
    record Caller(User user, AccessTokens.Claims claims) {
        String id() {
            return user.id();
        }

        boolean isAdmin() {
            return user.role() == Role.ADMIN;
        }
    }

    private final Jdbi jdbi;
    private final AccessTokens tokens;

    Authenticator(Jdbi jdbi, AccessTokens tokens) {
        this.jdbi = jdbi;
        this.tokens = tokens;
    }

    /** The caller when a token is presented; a presented but invalid token is refused, never ignored. */
    Optional<Caller> optional(ApiRequest request) {
        Optional<String> bearer = request.bearer();
        if (bearer.isEmpty()) {
            return Optional.empty();
        }
        AccessTokens.Claims claims = tokens.verify(bearer.get());
        User user = jdbi.withHandle(h -> UserStore.byId(h, claims.userId())).orElseThrow(
                () -> new ApiProblem(ProblemType.INVALID_TOKEN, "the access token's account no longer exists"));
        if (user.disabled()) {
            throw new ApiProblem(ProblemType.ACCOUNT_DISABLED, "the account is disabled; ask an administrator");
        }
        return Optional.of(new Caller(user, claims));
    }

    Caller require(ApiRequest request) {
        return optional(request).orElseThrow(() -> new ApiProblem(ProblemType.UNAUTHORIZED,
                "send 'Authorization: Bearer <access token>'; get one from POST /api/v1/auth/login"));
    }

    Caller requireAdmin(ApiRequest request) {
        Caller caller = require(request);
        if (!caller.isAdmin()) {
            throw ApiProblem.forbidden("only administrators may do this");
        }
        return caller;
    }
}

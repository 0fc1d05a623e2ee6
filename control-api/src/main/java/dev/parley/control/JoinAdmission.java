package dev.parley.control;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * A meeting's rules checked when someone joins, not only when their join token was minted: tokens live for
 * hours, and in that time the meeting may end, its password change, guests be shut out or the account be
 * disabled or deleted. Room capacity and the lobby are enforced by signaling from the {@link Admission}.
 */
final class JoinAdmission {
    private final Jdbi jdbi;
    private final JoinTokens tokens;
    private final boolean authRequired;

    JoinAdmission(Jdbi jdbi, JoinTokens tokens, boolean authRequired) {
        this.jdbi = jdbi;
        this.tokens = tokens;
        this.authRequired = authRequired;
    }

    Admission admit(String room, String token) throws AdmissionRefused {
        Meeting m = jdbi.withHandle(h -> MeetingStore.byRoom(h, room)).orElse(null);
        if (token == null) {
            return byLink(room, m);
        }
        JoinTokens.Verified v;
        try {
            v = tokens.verifyForJoin(token, room);
        } catch (InvalidTokenException e) {
            throw new AdmissionRefused("auth", "join token refused: " + e.getMessage());
        }
        JoinGrant g = v.grant();
        if (m == null) {
            return new Admission(g, g.isHost(), false, 0);
        }
        if (m.endedAt() != null) {
            throw ended();
        }
        // Integrators vouch for the people their API key signs for; the server's own tokens are re-checked.
        if (v.serverIssued()) {
            if (g.identity().startsWith(MeetingRoutes.GUEST_PREFIX)) {
                if (!m.settings().guestsAllowed()) {
                    throw new AdmissionRefused("guests_not_allowed", "this meeting no longer admits guests; sign in");
                }
            } else {
                Optional<User> user = jdbi.withHandle(h -> UserStore.byId(h, g.identity()));
                if (user.isEmpty()) {
                    throw new AdmissionRefused("account_deleted", "the account this join token was issued to no longer exists");
                }
                if (user.get().disabled()) {
                    throw new AdmissionRefused("account_disabled", "the account is disabled; ask an administrator");
                }
            }
            String hash = m.settings().passwordHash();
            if (hash != null && !g.isHost() && !JoinTokens.passwordStamp(hash).equals(v.passwordStamp())) {
                throw new AdmissionRefused("password_required", "the meeting's password was set or changed after this "
                        + "join token was issued; get a new one with the password from POST /api/v1/meetings/" + room + "/join");
            }
        }
        return new Admission(g, g.isHost(), m.settings().lobby() && !g.isHost(), m.settings().maxParticipants());
    }

    /** A guest without a token: only open rooms and meetings that admit guests with no password or lobby. */
    private Admission byLink(String room, Meeting m) throws AdmissionRefused {
        if (authRequired) {
            throw new AdmissionRefused("auth", "this server requires a join token; get one from POST /api/v1/meetings/{id}/join");
        }
        if (m == null) {
            return new Admission(null, false, false, 0);
        }
        if (m.endedAt() != null) {
            throw ended();
        }
        if (m.settings().passwordHash() != null) {
            throw new AdmissionRefused("password_required", "this meeting has a password; get a join token with it from "
                    + "POST /api/v1/meetings/" + room + "/join");
        }
        if (!m.settings().guestsAllowed() || m.settings().lobby()) {
            throw new AdmissionRefused("auth", "this meeting needs a join token (it admits no guests by link, or has a "
                    + "lobby); get one from POST /api/v1/meetings/" + room + "/join");
        }
        return new Admission(null, false, false, m.settings().maxParticipants());
    }

    private static AdmissionRefused ended() {
        return new AdmissionRefused("meeting_ended", "the meeting has ended");
    }
}

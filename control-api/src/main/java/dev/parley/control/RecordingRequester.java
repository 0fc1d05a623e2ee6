package dev.parley.control;

import java.util.Optional;
import org.jdbi.v3.core.Handle;

/**
 * Who asks to start or stop a meeting's recording: an account (access token), the holder of a join token for
 * the meeting's room, or a participant whose join signaling has already checked. {@link #authorize} refuses
 * with the matching problem, or answers the identity recorded as having done it.
 */
sealed interface RecordingRequester {
    /** The identity to record (an account id, or a join token's {@code sub}); throws a 401/403 problem otherwise. */
    String authorize(Handle h, Meeting m);

    /** An account: the meeting's host or an administrator. */
    record Account(Authenticator.Caller caller) implements RecordingRequester {
        @Override
        public String authorize(Handle h, Meeting m) {
            if (!caller.isAdmin() && !caller.id().equals(m.hostId())) {
                throw ApiProblem.forbidden("only the meeting's host or an administrator may do this");
            }
            return caller.id();
        }
    }

    /**
     * A join token (server- or API-key-signed) for the meeting's room with a {@code canRecord} or {@code isHost}
     * grant. Signature, time window, signer and revocation are checked as at join, and a server-issued token's
     * account must still exist and be enabled; the meeting's join rules (password, guests, lobby) are not
     * checked, since nobody enters the room.
     */
    record JoinToken(String token, JoinTokens tokens) implements RecordingRequester {
        @Override
        public String authorize(Handle h, Meeting m) {
            JoinTokens.Verified verified;
            try {
                verified = tokens.verifyForJoin(token, m.room());
            } catch (InvalidTokenException e) {
                if (e.reason() == InvalidTokenException.Reason.WRONG_ROOM) {
                    throw ApiProblem.forbidden("the join token is for another room than this meeting's");
                }
                throw new ApiProblem(ProblemType.INVALID_TOKEN, "join token refused: " + e.getMessage());
            }
            JoinGrant grant = verified.grant();
            if (verified.serverIssued() && !grant.identity().startsWith(MeetingRoutes.GUEST_PREFIX)) {
                Optional<User> user = UserStore.byId(h, grant.identity());
                if (user.isEmpty() || user.get().disabled()) {
                    throw ApiProblem.forbidden("the account this join token was issued to is disabled or deleted");
                }
            }
            if (!grant.canRecord() && !grant.isHost()) {
                throw ApiProblem.forbidden("the join token grants neither canRecord nor isHost");
            }
            return grant.identity();
        }
    }

    /** A participant in the room, whose join permit signaling found to allow recording. */
    record Participant(String identity) implements RecordingRequester {
        @Override
        public String authorize(Handle h, Meeting m) {
            return identity;
        }
    }
}

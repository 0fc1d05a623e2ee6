package dev.parley.control.state;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the state stores, so every implementation rejects the same bad input. */
final class Keys {
    static final int MAX_LENGTH = 512;

    private Keys() {}

    static String require(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank() || value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException(what + " must be 1.." + MAX_LENGTH + " characters and not blank");
        }
        return value;
    }

    static void requireLimit(int limit, Duration window) {
        Objects.requireNonNull(window, "window");
        if (limit < 1) {
            throw new IllegalArgumentException("rate limit must be at least 1, was " + limit);
        }
        if (window.toMillis() < 1) {
            throw new IllegalArgumentException("rate window must be at least 1 ms, was " + window);
        }
    }

    static LiveParticipants.LiveParticipant require(LiveParticipants.LiveParticipant p) {
        Objects.requireNonNull(p, "participant");
        require(p.participantId(), "participantId");
        Objects.requireNonNull(p.identity(), "identity");
        Objects.requireNonNull(p.joinedAt(), "joinedAt");
        return p;
    }
}

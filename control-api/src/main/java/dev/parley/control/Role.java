package dev.parley.control;

import java.util.Locale;

/** What an account may do: admins manage users and keys, hosts create meetings, participants join them. */
enum Role {
    ADMIN, HOST, PARTICIPANT;

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The role named {@code text} ({@code admin}, {@code host}, {@code participant}), or null. */
    static Role parse(String text) {
        for (Role r : values()) {
            if (r.wire().equals(text)) {
                return r;
            }
        }
        return null;
    }

    boolean canHost() {
        return this == ADMIN || this == HOST;
    }
}

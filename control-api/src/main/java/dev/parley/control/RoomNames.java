package dev.parley.control;

import java.security.SecureRandom;

/**
 * Room names for meeting links ({@code /meet/kfd-tmwq-zpr}): ten random lower-case letters in three groups,
 * easy to read aloud, and unguessable enough (about 47 bits) that a link is effectively an invitation.
 */
final class RoomNames {
    // No l/i/o: they are confused with 1, l and 0 when read from a screen.
    private static final char[] LETTERS = "abcdefghjkmnpqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private RoomNames() {}

    static String next() {
        StringBuilder b = new StringBuilder(12);
        for (int i = 0; i < 10; i++) {
            if (i == 3 || i == 7) {
                b.append('-');
            }
            b.append(LETTERS[RANDOM.nextInt(LETTERS.length)]);
        }
        return b.toString();
    }
}

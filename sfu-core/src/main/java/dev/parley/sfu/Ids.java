package dev.parley.sfu;

import java.security.SecureRandom;

/** Random identifiers and ICE credentials. */
final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private Ids() {}

    static String participantId() {
        return "p" + random(11);
    }

    static String random(int length) {
        char[] c = new char[length];
        for (int i = 0; i < length; i++) {
            c[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    static int ssrc() {
        int s;
        do {
            s = RANDOM.nextInt();
        } while (s == 0);
        return s;
    }

    static long sessionId() {
        return RANDOM.nextLong() & Long.MAX_VALUE;
    }
}

package dev.parley.sfu.srtp;

import java.util.Arrays;
import java.util.Objects;

/**
 * The SRTP master keys and salts both ends of a DTLS-SRTP association derived (RFC 5764 section 4.2), and the
 * profile they are for. "Client" and "server" are the DTLS roles: each side encrypts with its own write key
 * and decrypts with the other's.
 *
 * <p>The arrays are copied in and out, so a holder cannot change the keys under a session using them, and
 * {@link #toString()} never prints key material.
 */
public record SrtpKeyingMaterial(SrtpProfile profile, byte[] clientKey, byte[] clientSalt,
                                 byte[] serverKey, byte[] serverSalt) {

    /**
     * Checks every key and salt has the profile's length and copies them.
     *
     * @throws IllegalArgumentException naming the part of the wrong length
     */
    public SrtpKeyingMaterial {
        Objects.requireNonNull(profile, "profile");
        clientKey = checkedCopy("client key", clientKey, profile.keyLength(), profile);
        serverKey = checkedCopy("server key", serverKey, profile.keyLength(), profile);
        clientSalt = checkedCopy("client salt", clientSalt, profile.saltLength(), profile);
        serverSalt = checkedCopy("server salt", serverSalt, profile.saltLength(), profile);
    }

    /**
     * Splits the output of the DTLS exporter with label {@code EXTRACTOR-dtls_srtp}, laid out as client key,
     * server key, client salt, server salt.
     *
     * @throws IllegalArgumentException if the length is not {@code 2 * (keyLength + saltLength)} of the profile
     */
    public static SrtpKeyingMaterial fromExporterOutput(SrtpProfile profile, byte[] exported) {
        Objects.requireNonNull(profile, "profile");
        int k = profile.keyLength();
        int s = profile.saltLength();
        if (exported == null || exported.length != 2 * (k + s)) {
            throw new IllegalArgumentException("exported keying material for " + profile + " must be "
                    + 2 * (k + s) + " bytes, got " + (exported == null ? "null" : exported.length));
        }
        return new SrtpKeyingMaterial(profile,
                Arrays.copyOfRange(exported, 0, k),
                Arrays.copyOfRange(exported, 2 * k, 2 * k + s),
                Arrays.copyOfRange(exported, k, 2 * k),
                Arrays.copyOfRange(exported, 2 * k + s, 2 * k + 2 * s));
    }

    /** The DTLS client's SRTP master key (a copy). */
    @Override
    public byte[] clientKey() {
        return clientKey.clone();
    }

    /** The DTLS client's SRTP master salt (a copy). */
    @Override
    public byte[] clientSalt() {
        return clientSalt.clone();
    }

    /** The DTLS server's SRTP master key (a copy). */
    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    /** The DTLS server's SRTP master salt (a copy). */
    @Override
    public byte[] serverSalt() {
        return serverSalt.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SrtpKeyingMaterial m && profile == m.profile
                && Arrays.equals(clientKey, m.clientKey) && Arrays.equals(clientSalt, m.clientSalt)
                && Arrays.equals(serverKey, m.serverKey) && Arrays.equals(serverSalt, m.serverSalt);
    }

    @Override
    public int hashCode() {
        return 31 * profile.hashCode() + Arrays.hashCode(clientKey);
    }

    @Override
    public String toString() {
        return "SrtpKeyingMaterial[profile=" + profile + ", keys redacted]";
    }

    private static byte[] checkedCopy(String what, byte[] value, int expected, SrtpProfile profile) {
        if (value == null || value.length != expected) {
            throw new IllegalArgumentException(what + " for " + profile + " must be " + expected + " bytes, got "
                    + (value == null ? "null" : value.length));
        }
        return value.clone();
    }
}

package dev.parley.sfu.dtls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * A certificate fingerprint as SDP carries it (RFC 8122 {@code a=fingerprint}): a hash function name and the
 * hash of the DER-encoded certificate, written as upper-case hex pairs joined by colons.
 */
record Fingerprint(String hashFunction, byte[] digest) {
    private static final HexFormat HEX = HexFormat.ofDelimiter(":").withUpperCase();

    Fingerprint {
        Objects.requireNonNull(hashFunction, "hashFunction");
        Objects.requireNonNull(digest, "digest");
        digest = digest.clone();
    }

    /**
     * Parses the SDP form, e.g. {@code "sha-256 AB:CD:..."}. WebRTC requires SHA-256 (RFC 8827); SHA-384 and
     * SHA-512 are accepted too, weaker or unknown functions are not.
     *
     * @throws IllegalArgumentException naming what is wrong with {@code sdp}
     */
    static Fingerprint parse(String sdp) {
        if (sdp == null) {
            throw new IllegalArgumentException("fingerprint is missing");
        }
        String[] parts = sdp.trim().split("\\s+");
        if (parts.length != 2) {
            throw new IllegalArgumentException("fingerprint must be '<hash-function> <hex pairs>', got '" + sdp + "'");
        }
        String function = parts[0].toLowerCase(Locale.ROOT);
        int digestLength = switch (function) {
            case "sha-256" -> 32;
            case "sha-384" -> 48;
            case "sha-512" -> 64;
            default -> throw new IllegalArgumentException("unsupported fingerprint hash function '" + parts[0]
                    + "' (expected sha-256, sha-384 or sha-512)");
        };
        byte[] digest;
        try {
            digest = HEX.parseHex(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fingerprint '" + sdp + "' is not colon-separated hex pairs", e);
        }
        if (digest.length != digestLength) {
            throw new IllegalArgumentException("a " + function + " fingerprint has " + digestLength
                    + " bytes, '" + sdp + "' has " + digest.length);
        }
        return new Fingerprint(function, digest);
    }

    /** The fingerprint of a DER-encoded certificate under {@code hashFunction} ("sha-256", ...). */
    static Fingerprint of(String hashFunction, byte[] der) {
        return new Fingerprint(hashFunction, digest(hashFunction, der));
    }

    /** Whether {@code der} hashes to this fingerprint (compared in constant time). */
    boolean matches(byte[] der) {
        return MessageDigest.isEqual(digest, digest(hashFunction, der));
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /** The SDP form, e.g. {@code "sha-256 AB:CD:..."}. */
    String toSdp() {
        return hashFunction + " " + HEX.formatHex(digest);
    }

    @Override
    public String toString() {
        return toSdp();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && hashFunction.equals(f.hashFunction) && MessageDigest.isEqual(digest, f.digest);
    }

    @Override
    public int hashCode() {
        return hashFunction.hashCode() * 31 + java.util.Arrays.hashCode(digest);
    }

    private static byte[] digest(String hashFunction, byte[] der) {
        try {
            return MessageDigest.getInstance(hashFunction.toUpperCase(Locale.ROOT)).digest(der);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks " + hashFunction, e);
        }
    }
}

package dev.parley.sfu.stun;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes STUN messages byte by byte, computing HMAC-SHA1 and CRC-32 itself, so tests do not only
 * check the code under test (or ice4j) against itself.
 */
public final class HandBuiltStun {
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_INDICATION = 0x0011;
    static final int BINDING_SUCCESS = 0x0101;
    static final int BINDING_ERROR = 0x0111;
    static final int USERNAME = 0x0006;
    static final int MESSAGE_INTEGRITY = 0x0008;
    static final int ERROR_CODE = 0x0009;
    static final int UNKNOWN_ATTRIBUTES = 0x000A;
    static final int XOR_MAPPED_ADDRESS = 0x0020;
    static final int PRIORITY = 0x0024;
    static final int USE_CANDIDATE = 0x0025;
    static final int FINGERPRINT = 0x8028;
    static final int ICE_CONTROLLED = 0x8029;
    static final int ICE_CONTROLLING = 0x802A;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    HandBuiltStun(int type, byte[] transactionId) {
        writeShort(type);
        writeShort(0);
        writeInt(0x2112A442);
        out.writeBytes(transactionId);
    }

    /** A connectivity check as Chrome sends it, signed with {@code password}. */
    public static byte[] browserCheck(byte[] transactionId, String username, long priority, boolean useCandidate,
                               String password) {
        HandBuiltStun stun = new HandBuiltStun(BINDING_REQUEST, transactionId)
                .attribute(0xC057, new byte[] {0, 1, 0, 10}) // GOOG-NETWORK-INFO: optional, unknown to us
                .username(username)
                .iceControlling(0x0123456789ABCDEFL)
                .priority(priority);
        if (useCandidate) {
            stun.attribute(USE_CANDIDATE, new byte[0]);
        }
        return stun.integrity(password).fingerprint().bytes();
    }

    HandBuiltStun attribute(int type, byte[] value) {
        writeShort(type);
        writeShort(value.length);
        out.writeBytes(value);
        while (out.size() % 4 != 0) {
            out.write(0);
        }
        return this;
    }

    HandBuiltStun username(String username) {
        return attribute(USERNAME, username.getBytes(StandardCharsets.UTF_8));
    }

    HandBuiltStun priority(long priority) {
        return attribute(PRIORITY, bigEndian(priority, 4));
    }

    HandBuiltStun iceControlling(long tieBreaker) {
        return attribute(ICE_CONTROLLING, bigEndian(tieBreaker, 8));
    }

    HandBuiltStun iceControlled(long tieBreaker) {
        return attribute(ICE_CONTROLLED, bigEndian(tieBreaker, 8));
    }

    /** MESSAGE-INTEGRITY over everything so far, the length field counting through this attribute. */
    HandBuiltStun integrity(String password) {
        byte[] covered = withLength(out.size() - 20 + 24);
        return attribute(MESSAGE_INTEGRITY, hmacSha1(password, covered));
    }

    /** FINGERPRINT over everything so far, the length field counting through this attribute. */
    HandBuiltStun fingerprint() {
        return attribute(FINGERPRINT, bigEndian(crc32(withLength(out.size() - 20 + 8)) ^ 0x5354554EL, 4));
    }

    byte[] bytes() {
        return withLength(out.size() - 20);
    }

    private byte[] withLength(int length) {
        byte[] bytes = out.toByteArray();
        bytes[2] = (byte) (length >>> 8);
        bytes[3] = (byte) length;
        return bytes;
    }

    /** Rewrites the last 4 bytes as a FINGERPRINT, so a tampered message gets past that check. */
    static void refingerprint(byte[] d) {
        long crc = crc32(Arrays.copyOf(d, d.length - 8)) ^ 0x5354554EL;
        System.arraycopy(bigEndian(crc, 4), 0, d, d.length - 4, 4);
    }

    static byte[] hmacSha1(String password, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(password.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static long crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    static byte[] bigEndian(long value, int bytes) {
        byte[] out = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            out[i] = (byte) (value >>> (8 * (bytes - 1 - i)));
        }
        return out;
    }

    private void writeShort(int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    private void writeInt(int value) {
        writeShort(value >>> 16);
        writeShort(value);
    }
}

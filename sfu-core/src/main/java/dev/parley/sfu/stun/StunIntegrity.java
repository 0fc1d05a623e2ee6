package dev.parley.sfu.stun;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two STUN checksums: FINGERPRINT (RFC 8489 14.7) and short-term MESSAGE-INTEGRITY
 * (RFC 8489 14.5, HMAC-SHA1 keyed with the ICE password).
 */
final class StunIntegrity {
    static final int HMAC_LENGTH = 20;
    /** Attribute header plus the 20-byte HMAC. */
    static final int INTEGRITY_ATTRIBUTE_LENGTH = 4 + HMAC_LENGTH;
    /** Attribute header plus the 4-byte CRC. */
    static final int FINGERPRINT_ATTRIBUTE_LENGTH = 8;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final String HMAC_SHA1 = "HmacSHA1";

    private StunIntegrity() {
    }

    /** CRC-32 of {@code len} bytes from {@code off}, XOR-ed with 0x5354554E. */
    static int fingerprint(byte[] buf, int off, int len) {
        CRC32 crc = new CRC32();
        crc.update(buf, off, len);
        return (int) crc.getValue() ^ FINGERPRINT_XOR;
    }

    /**
     * Whether the request's MESSAGE-INTEGRITY is the HMAC-SHA1 under {@code key} of the message up to
     * that attribute, with the header's length field counting through the end of MESSAGE-INTEGRITY.
     */
    static boolean verifies(BindingRequest request, byte[] key) {
        byte[] buf = request.buf();
        int off = request.off();
        int integrityOffset = request.integrityOffset();
        byte[] expected = hmac(key, buf, off, integrityOffset - off);
        return MessageDigest.isEqual(expected, Arrays.copyOfRange(
                buf, integrityOffset + 4, integrityOffset + INTEGRITY_ATTRIBUTE_LENGTH));
    }

    /**
     * HMAC-SHA1 over the first {@code covered} bytes of a message starting at {@code off}, as if its
     * length field read {@code covered - 20 + 24}: the value it has once MESSAGE-INTEGRITY is appended.
     */
    static byte[] hmac(byte[] key, byte[] buf, int off, int covered) {
        int lengthThroughIntegrity = covered - BindingRequest.HEADER_LENGTH + INTEGRITY_ATTRIBUTE_LENGTH;
        Mac mac = newMac(key);
        mac.update(buf, off, 2);
        mac.update((byte) (lengthThroughIntegrity >>> 8));
        mac.update((byte) lengthThroughIntegrity);
        mac.update(buf, off + 4, covered - 4);
        return mac.doFinal();
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(key, HMAC_SHA1));
            return mac;
        } catch (GeneralSecurityException e) {
            // Every JDK must provide HmacSHA1, and any non-empty key is valid for it.
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }
}

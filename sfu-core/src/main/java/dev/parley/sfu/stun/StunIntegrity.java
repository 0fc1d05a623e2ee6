package dev.parley.sfu.stun;

import java.security.GeneralSecurityException;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The two STUN checksums: FINGERPRINT (RFC 8489 14.7) and short-term MESSAGE-INTEGRITY
 * (RFC 8489 14.5, HMAC-SHA1 keyed with the ICE password).
 *
 * <p>An instance holds one {@link Mac}, made once: looking a MAC up by name goes through the JCA's
 * provider list on every call, which cost a consent check more than the HMAC itself. So an instance
 * is for one thread at a time, like the responder that owns it.
 */
final class StunIntegrity {
    static final int HMAC_LENGTH = 20;
    /** Attribute header plus the 20-byte HMAC. */
    static final int INTEGRITY_ATTRIBUTE_LENGTH = 4 + HMAC_LENGTH;
    /** Attribute header plus the 4-byte CRC. */
    static final int FINGERPRINT_ATTRIBUTE_LENGTH = 8;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final String HMAC_SHA1 = "HmacSHA1";

    private final Mac mac;
    private final byte[] expected = new byte[HMAC_LENGTH];

    StunIntegrity() {
        try {
            mac = Mac.getInstance(HMAC_SHA1);
        } catch (GeneralSecurityException e) {
            // Every JDK must provide HmacSHA1.
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
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
     * Compares in constant time and allocates nothing beyond the key's init.
     */
    boolean verifies(BindingRequest request, byte[] key) {
        byte[] buf = request.buf();
        int off = request.off();
        int integrityOffset = request.integrityOffset();
        hmac(key, buf, off, integrityOffset - off, expected, 0);
        int diff = 0;
        for (int i = 0; i < HMAC_LENGTH; i++) {
            diff |= expected[i] ^ buf[integrityOffset + 4 + i];
        }
        return diff == 0;
    }

    /**
     * Writes into {@code dst} at {@code dstOff} the HMAC-SHA1 over the first {@code covered} bytes of a
     * message starting at {@code off}, as if its length field read {@code covered - 20 + 24}: the value it
     * has once MESSAGE-INTEGRITY is appended.
     */
    void hmac(byte[] key, byte[] buf, int off, int covered, byte[] dst, int dstOff) {
        int lengthThroughIntegrity = covered - BindingRequest.HEADER_LENGTH + INTEGRITY_ATTRIBUTE_LENGTH;
        try {
            mac.init(new SecretKeySpec(key, HMAC_SHA1));
            mac.update(buf, off, 2);
            mac.update((byte) (lengthThroughIntegrity >>> 8));
            mac.update((byte) lengthThroughIntegrity);
            mac.update(buf, off + 4, covered - 4);
            mac.doFinal(dst, dstOff);
        } catch (GeneralSecurityException e) {
            // Any non-empty key is valid for HmacSHA1 and the callers leave room for 20 bytes.
            throw new IllegalStateException("HmacSHA1 failed", e);
        }
    }
}

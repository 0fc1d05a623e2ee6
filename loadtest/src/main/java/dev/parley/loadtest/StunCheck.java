package dev.parley.loadtest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The ICE connectivity checks a controlling agent sends (RFC 8445 section 7.1.2, RFC 8489): a Binding request
 * with USERNAME, PRIORITY, ICE-CONTROLLING and optionally USE-CANDIDATE, then MESSAGE-INTEGRITY keyed by the
 * remote password and FINGERPRINT. Also recognises the success response to a check it sent.
 */
final class StunCheck {
    static final int BINDING_REQUEST = 0x0001;
    static final int BINDING_SUCCESS = 0x0101;
    private static final int USERNAME = 0x0006;
    private static final int MESSAGE_INTEGRITY = 0x0008;
    private static final int PRIORITY = 0x0024;
    private static final int USE_CANDIDATE = 0x0025;
    private static final int FINGERPRINT = 0x8028;
    private static final int ICE_CONTROLLING = 0x802A;
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int HEADER = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private StunCheck() {}

    /** A fresh 12-byte transaction id. */
    static byte[] newTransactionId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return id;
    }

    /**
     * A signed Binding request.
     *
     * @param username {@code <remote ufrag>:<local ufrag>}
     * @param remotePassword the server's {@code a=ice-pwd}, which keys MESSAGE-INTEGRITY
     */
    static byte[] request(byte[] transactionId, String username, String remotePassword, boolean useCandidate,
                          long tieBreaker) {
        byte[] user = username.getBytes(StandardCharsets.UTF_8);
        int userPadded = (user.length + 3) & ~3;
        int attributes = 4 + userPadded + 8 + 12 + (useCandidate ? 4 : 0);
        ByteBuffer b = ByteBuffer.allocate(HEADER + attributes + 24 + 8);
        b.putShort((short) BINDING_REQUEST).putShort((short) 0).putInt(MAGIC_COOKIE).put(transactionId);
        b.putShort((short) USERNAME).putShort((short) user.length).put(user);
        b.put(new byte[userPadded - user.length]);
        b.putShort((short) PRIORITY).putShort((short) 4).putInt(0x6E7F1EFF);
        b.putShort((short) ICE_CONTROLLING).putShort((short) 8).putLong(tieBreaker);
        if (useCandidate) {
            b.putShort((short) USE_CANDIDATE).putShort((short) 0);
        }
        // MESSAGE-INTEGRITY covers everything before it, with the length field already counting it.
        int integrityAt = b.position();
        b.putShort(2, (short) (integrityAt - HEADER + 24));
        byte[] hmac = hmacSha1(remotePassword.getBytes(StandardCharsets.UTF_8), b.array(), integrityAt);
        b.putShort((short) MESSAGE_INTEGRITY).putShort((short) 20).put(hmac);
        // FINGERPRINT covers everything before it, the length counting the fingerprint too.
        int fingerprintAt = b.position();
        b.putShort(2, (short) (fingerprintAt - HEADER + 8));
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, fingerprintAt);
        b.putShort((short) FINGERPRINT).putShort((short) 4).putInt((int) crc.getValue() ^ FINGERPRINT_XOR);
        return b.array();
    }

    /** True when {@code datagram} is a Binding success response for {@code transactionId}. */
    static boolean isSuccessFor(byte[] datagram, int off, int len, byte[] transactionId) {
        if (len < HEADER || transactionId == null) {
            return false;
        }
        ByteBuffer b = ByteBuffer.wrap(datagram, off, len);
        return (b.getShort(off) & 0xFFFF) == BINDING_SUCCESS && b.getInt(off + 4) == MAGIC_COOKIE
                && Arrays.equals(datagram, off + 8, off + 20, transactionId, 0, 12);
    }

    private static byte[] hmacSha1(byte[] key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }
}

package dev.parley.sfu.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * SRTP session keys from a master key and salt: the AES-CM key derivation of RFC 3711 section 4.3 with a key
 * derivation rate of zero (what DTLS-SRTP uses), which RFC 7714 section 11 keeps for AES-GCM with its 96-bit
 * master salt. Runs once per session, not per packet.
 */
final class SrtpKdf {
    /** The labels of RFC 3711 section 4.3.2: what each derived value is for. */
    static final int RTP_ENCRYPTION = 0;
    static final int RTP_AUTHENTICATION = 1;
    static final int RTP_SALT = 2;

    private SrtpKdf() {
    }

    /**
     * {@code length} bytes for {@code label}: AES in counter mode under the master key, starting from the master
     * salt (a 96-bit one padded with zeros to 112 bits) XOR the label in its byte 7, times 2^16.
     */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        if (masterSalt.length > 14) {
            throw new IllegalArgumentException("master salt of " + masterSalt.length + " bytes; at most 14");
        }
        Cipher aes = Cipher.getInstance("AES/ECB/NoPadding");
        SecretKeySpec key = new SecretKeySpec(masterKey, "AES");
        aes.init(Cipher.ENCRYPT_MODE, key);
        int blocks = (length + 15) / 16;
        byte[] counters = new byte[16 * blocks];
        for (int b = 0; b < blocks; b++) {
            System.arraycopy(masterSalt, 0, counters, 16 * b, masterSalt.length);
            counters[16 * b + 7] ^= (byte) label;
            counters[16 * b + 14] = (byte) (b >>> 8);
            counters[16 * b + 15] = (byte) b;
        }
        byte[] stream = aes.doFinal(counters);
        byte[] result = Arrays.copyOf(stream, length);
        Arrays.fill(stream, (byte) 0);
        return result;
    }
}

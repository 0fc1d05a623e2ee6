package dev.parley.sfu.srtp;

import dev.parley.sfu.packet.PacketBuffer;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts RTP packets for AEAD_AES_128_GCM (RFC 7714 section 8) in place, for every SSRC one session sends, on
 * one AES-GCM {@link Cipher} of the given provider, without allocating per packet.
 *
 * <p>Why not jitsi-srtp's context: it wraps the same OpenSSL cipher, but creates a parameter spec and IV arrays per
 * packet, the largest part of what the media thread allocates. Here the key object stays the same (so OpenSSL only
 * takes a new IV on {@code init}) and one parameter spec is rewritten per packet. That relies on the cipher handing
 * the IV to OpenSSL during {@code init} (jitsi-srtp's provider keeps a reference to the array, which is rewritten
 * only before the next {@code init}) and not refusing a repeated IV, which a retransmission needs. The JDK's AES-GCM
 * keeps the array as its "last IV" and refuses to encrypt twice under one, which is why this class is used only with
 * OpenSSL (see {@link SrtpCryptoBackend#ownGcmProtect()}).
 *
 * <p>Not thread-safe: the sending direction of one {@link SrtpSession}.
 */
final class GcmRtpProtector {
    static final int TAG_BYTES = 16;

    private final Cipher cipher;
    private final SecretKeySpec key;
    private final byte[] salt;
    private final ReusableSpec spec = new ReusableSpec();

    /**
     * @param masterKey the sender's SRTP master key (16 bytes)
     * @param masterSalt the sender's SRTP master salt (12 bytes)
     */
    GcmRtpProtector(byte[] masterKey, byte[] masterSalt, Provider provider) throws GeneralSecurityException {
        byte[] sessionKey = SrtpKdf.derive(masterKey, masterSalt, SrtpKdf.RTP_ENCRYPTION, 16);
        this.key = new SecretKeySpec(sessionKey, "AES");
        Arrays.fill(sessionKey, (byte) 0);
        this.salt = SrtpKdf.derive(masterKey, masterSalt, SrtpKdf.RTP_SALT, 12);
        this.cipher = Cipher.getInstance("AES/GCM/NoPadding", provider);
    }

    /**
     * Encrypts the payload after {@code header} bytes and appends the tag: the window grows by {@link #TAG_BYTES}.
     * The caller has checked the header fits the packet and the buffer has room for the tag.
     */
    void protect(PacketBuffer p, int header, int roc) throws GeneralSecurityException {
        byte[] a = p.array();
        int off = p.offset();
        int len = p.length();
        // IV (RFC 7714 section 8.1): 00 00 || SSRC || ROC || SEQ, XOR the session salt.
        byte[] iv = spec.iv;
        iv[0] = salt[0];
        iv[1] = salt[1];
        iv[2] = (byte) (salt[2] ^ a[off + 8]);
        iv[3] = (byte) (salt[3] ^ a[off + 9]);
        iv[4] = (byte) (salt[4] ^ a[off + 10]);
        iv[5] = (byte) (salt[5] ^ a[off + 11]);
        iv[6] = (byte) (salt[6] ^ (roc >>> 24));
        iv[7] = (byte) (salt[7] ^ (roc >>> 16));
        iv[8] = (byte) (salt[8] ^ (roc >>> 8));
        iv[9] = (byte) (salt[9] ^ roc);
        iv[10] = (byte) (salt[10] ^ a[off + 2]);
        iv[11] = (byte) (salt[11] ^ a[off + 3]);
        cipher.init(Cipher.ENCRYPT_MODE, key, spec);
        cipher.updateAAD(a, off, header); // the AAD is the whole RTP header, extension included
        int written = cipher.doFinal(a, off + header, len - header, a, off + header);
        p.setLength(header + written);
    }

    /**
     * A GCM parameter spec whose IV is rewritten for each packet instead of a new spec per packet; {@link #getIV()}
     * hands out the array itself, not a copy, so the cipher sees each packet's IV at {@code init}.
     */
    private static final class ReusableSpec extends GCMParameterSpec {
        final byte[] iv = new byte[12];

        ReusableSpec() {
            super(TAG_BYTES * 8, new byte[12]);
        }

        @Override
        public byte[] getIV() {
            return iv;
        }
    }
}

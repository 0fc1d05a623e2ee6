package dev.parley.sfu.srtp;

import java.util.Optional;
import org.jitsi.srtp.SrtpPolicy;

/**
 * The SRTP protection profiles Parley negotiates in DTLS {@code use_srtp} (RFC 5764, RFC 7714), in order of
 * preference: AES-GCM authenticates and encrypts in one pass and has a shorter per-packet cost than AES-CM
 * with HMAC-SHA1, which every browser still supports as the fallback.
 */
public enum SrtpProfile {
    /** {@code SRTP_AEAD_AES_128_GCM}: 128-bit key, 96-bit salt, 16-byte tag. */
    AEAD_AES_128_GCM(0x0007, 16, 12, 16),
    /** {@code SRTP_AES128_CM_HMAC_SHA1_80}: 128-bit key, 112-bit salt, 10-byte tag. */
    AES128_CM_HMAC_SHA1_80(0x0001, 16, 14, 10);

    private final int useSrtpId;
    private final int keyLength;
    private final int saltLength;
    private final int tagLength;

    SrtpProfile(int useSrtpId, int keyLength, int saltLength, int tagLength) {
        this.useSrtpId = useSrtpId;
        this.keyLength = keyLength;
        this.saltLength = saltLength;
        this.tagLength = tagLength;
    }

    /** The profile's identifier in the DTLS {@code use_srtp} extension (IANA "DTLS-SRTP Protection Profiles"). */
    public int useSrtpId() {
        return useSrtpId;
    }

    /** Length in bytes of each side's SRTP master key. */
    public int keyLength() {
        return keyLength;
    }

    /** Length in bytes of each side's SRTP master salt. */
    public int saltLength() {
        return saltLength;
    }

    /** Bytes an SRTP packet grows by when protected (the authentication tag). */
    public int srtpOverhead() {
        return tagLength;
    }

    /** Bytes an SRTCP packet grows by when protected (the SRTCP index with its E flag, and the tag). */
    public int srtcpOverhead() {
        return 4 + tagLength;
    }

    /** The profile with this {@code use_srtp} identifier, if Parley supports it. */
    public static Optional<SrtpProfile> forUseSrtpId(int id) {
        for (SrtpProfile p : values()) {
            if (p.useSrtpId == id) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** jitsi-srtp's policy for this profile; SRTP and SRTCP use the same one. A new object each call (it is mutable). */
    SrtpPolicy policy() {
        return switch (this) {
            case AEAD_AES_128_GCM -> new SrtpPolicy(SrtpPolicy.AESGCM_ENCRYPTION, keyLength,
                    SrtpPolicy.NULL_AUTHENTICATION, 0, tagLength, saltLength);
            case AES128_CM_HMAC_SHA1_80 -> new SrtpPolicy(SrtpPolicy.AESCM_ENCRYPTION, keyLength,
                    SrtpPolicy.HMACSHA1_AUTHENTICATION, 20, tagLength, saltLength);
        };
    }
}

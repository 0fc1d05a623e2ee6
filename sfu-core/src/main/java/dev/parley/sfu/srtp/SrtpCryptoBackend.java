package dev.parley.sfu.srtp;

import java.security.Provider;
import java.util.logging.Level;
import javax.crypto.Cipher;
import org.jitsi.srtp.crypto.Aes;
import org.jitsi.srtp.crypto.HmacSha1;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;
import org.slf4j.LoggerFactory;

/**
 * Which cipher implementations jitsi-srtp uses in this process, found once and logged once.
 *
 * <p>jitsi-srtp loads its JNI binding to OpenSSL ({@code libjitsisrtp_3.so}, needing libssl 3) when it can, and
 * on the first cipher of each kind benchmarks the available providers (OpenSSL, SunJCE, BouncyCastle, PKCS#11)
 * and keeps the fastest. That benchmark takes a noticeable fraction of a second, so {@link #describe()} runs it
 * at start-up rather than on the first media packet of the first participant.
 */
final class SrtpCryptoBackend {
    private static final org.slf4j.Logger LOG = LoggerFactory.getLogger(SrtpSession.class);

    /**
     * The logger handed to jitsi-srtp's contexts. Switched off: jitsi-srtp logs some per-packet outcomes (send-side
     * replay rejections at error level), while {@link SrtpSession} reports every outcome as a return value and a
     * counter instead.
     */
    static final Logger CONTEXT_LOGGER = new LoggerImpl("dev.parley.sfu.srtp.jitsi", Level.OFF);

    /**
     * Set to {@code true} to encrypt RTP with jitsi-srtp's contexts even where {@link GcmRtpProtector} could: the
     * switch back, should a peer ever reject what it sends.
     */
    static final String JITSI_PROTECT_PROPERTY = "parley.srtp.jitsiProtect";

    private static volatile String description;
    private static volatile Provider openSsl;

    private SrtpCryptoBackend() {
    }

    /** A one-line description of the SRTP crypto in use; the first call measures it and logs it. */
    static String describe() {
        String d = description;
        if (d == null) {
            synchronized (SrtpCryptoBackend.class) {
                d = description;
                if (d == null) {
                    d = measure();
                    LOG.info("SRTP crypto: {}", d);
                    description = d;
                }
            }
        }
        return d;
    }

    /**
     * Whether {@link SrtpSession} encrypts AES-GCM RTP with {@link GcmRtpProtector} on OpenSSL rather than with
     * jitsi-srtp's contexts (same cipher, same bytes, nothing allocated per packet): where jitsi-srtp's OpenSSL
     * binding loaded and {@value #JITSI_PROTECT_PROPERTY} is not {@code true}. Everything else (decryption, SRTCP,
     * AES-CM) stays with jitsi-srtp.
     */
    static boolean ownGcmProtect() {
        return JitsiOpenSslProvider.isLoaded() && !Boolean.getBoolean(JITSI_PROTECT_PROPERTY);
    }

    /** jitsi-srtp's JCE provider over its OpenSSL binding, one for the process; only when it loaded. */
    static Provider openSsl() {
        Provider p = openSsl;
        if (p == null) {
            synchronized (SrtpCryptoBackend.class) {
                p = openSsl;
                if (p == null) {
                    p = new JitsiOpenSslProvider();
                    openSsl = p;
                }
            }
        }
        return p;
    }

    /** jitsi-srtp's cipher factory backed by its OpenSSL binding (a nested class, so named by its binary name). */
    static final String OPENSSL_FACTORY = "org.jitsi.srtp.crypto.Aes$OpenSSLCipherFactory";

    private static String measure() {
        if (JitsiOpenSslProvider.isLoaded()) {
            // jitsi-srtp would otherwise time every provider for a few milliseconds and keep the fastest, and on a
            // busy machine that timing is noise: a server starting next to other work was seen to pick
            // BouncyCastle's pure-Java AES-GCM for every packet of its life. OpenSSL (AES-NI, one JNI call per
            // packet) is the fastest wherever it loads; without it the benchmark still picks among the rest.
            Aes.setFactoryClassName(OPENSSL_FACTORY);
        }
        return "OpenSSL JNI " + (JitsiOpenSslProvider.isLoaded() ? "loaded" : "not loaded")
                + "; AES-CM by " + aesProvider("AES/CTR/NoPadding")
                + ", AES-GCM by " + aesProvider("AES/GCM/NoPadding")
                + ", HMAC-SHA1 by " + hmacProvider()
                + "; AES-GCM RTP encrypted by " + (ownGcmProtect() ? "Parley on OpenSSL" : "jitsi-srtp");
    }

    private static String aesProvider(String transformation) {
        try {
            Cipher c = Aes.createCipher(transformation);
            return c.getProvider().getName();
        } catch (RuntimeException e) {
            return "none (" + e.getMessage() + ")";
        }
    }

    private static String hmacProvider() {
        try {
            return HmacSha1.createMac(CONTEXT_LOGGER).getProvider().getName();
        } catch (RuntimeException e) {
            return "none (" + e.getMessage() + ")";
        }
    }
}

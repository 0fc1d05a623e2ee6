package dev.parley.peerkit;

import java.io.IOException;
import java.util.Hashtable;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.DefaultTlsClient;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsAuthentication;
import org.bouncycastle.tls.TlsCredentials;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsServerCertificate;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCertificate;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The DTLS client side of DTLS-SRTP, as a browser with {@code a=setup:active} plays it: DTLS 1.2, ECDHE_ECDSA,
 * {@code use_srtp} offering the given profiles, its own certificate sent on request, the server's certificate
 * checked against the fingerprint from the server's SDP, and the SRTP keying material exported at the end.
 * Run it with BouncyCastle's {@code DTLSClientProtocol} over any {@code DatagramTransport}.
 *
 * <p>Tests of bad clients can leave things out: no certificate ({@code certificate} null) or no
 * {@code use_srtp} at all ({@code offeredProfiles} null).
 */
public final class DtlsSrtpClient extends DefaultTlsClient {
    /** use_srtp profile ids (RFC 5764, RFC 7714) in a browser's order of preference. */
    public static final int AEAD_AES_128_GCM = 0x0007;
    public static final int AEAD_AES_256_GCM = 0x0008;
    public static final int AES128_CM_HMAC_SHA1_80 = 0x0001;
    public static final int AES128_CM_HMAC_SHA1_32 = 0x0002;
    public static final int[] BROWSER_PROFILES = {AEAD_AES_128_GCM, AES128_CM_HMAC_SHA1_80};

    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    /** What the handshake agreed: the chosen profile and the exporter output its keys and salts come from. */
    public record ExportedKeys(int profile, byte[] material) {}

    private final PeerCertificate certificate;
    private final String expectedServerFingerprint;
    private final int[] offeredProfiles;
    private final int handshakeTimeoutMillis;
    private int profile;
    private volatile ExportedKeys keys;

    /**
     * @param certificate this peer's certificate, or null to send none when asked
     * @param expectedServerFingerprint the server's {@code a=fingerprint}, {@code "sha-256 AB:..."}
     * @param offeredProfiles use_srtp profile ids in order of preference, or null to send no use_srtp
     * @param handshakeTimeoutMillis how long the whole handshake may take, 0 for no limit
     */
    public DtlsSrtpClient(PeerCertificate certificate, String expectedServerFingerprint, int[] offeredProfiles,
                          int handshakeTimeoutMillis) {
        super(new BcTlsCrypto());
        this.certificate = certificate;
        this.expectedServerFingerprint = expectedServerFingerprint;
        this.offeredProfiles = offeredProfiles == null ? null : offeredProfiles.clone();
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** The agreed profile and keying material once the handshake completed; null before. */
    public ExportedKeys keys() {
        return keys;
    }

    @Override
    protected ProtocolVersion[] getSupportedVersions() {
        return ProtocolVersion.DTLSv12.only();
    }

    @Override
    protected int[] getSupportedCipherSuites() {
        return TlsUtils.getSupportedCipherSuites(getCrypto(), CIPHER_SUITES);
    }

    @Override
    public int getHandshakeTimeoutMillis() {
        return handshakeTimeoutMillis;
    }

    @Override
    public Hashtable getClientExtensions() throws IOException {
        Hashtable extensions = super.getClientExtensions();
        if (offeredProfiles != null) {
            TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(offeredProfiles, TlsUtils.EMPTY_BYTES));
        }
        return extensions;
    }

    @Override
    public void processServerExtensions(Hashtable serverExtensions) throws IOException {
        super.processServerExtensions(serverExtensions);
        UseSRTPData chosen = TlsSRTPUtils.getUseSRTPExtension(serverExtensions);
        if (chosen == null || chosen.getProtectionProfiles().length != 1) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server chose no single SRTP profile");
        }
        int id = chosen.getProtectionProfiles()[0];
        if (offeredProfiles == null || !contains(offeredProfiles, id) || keyAndSaltLength(id) < 0) {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter,
                    "the server chose SRTP profile " + id + ", which was not offered");
        }
        profile = id;
    }

    @Override
    public TlsAuthentication getAuthentication() {
        return new TlsAuthentication() {
            @Override
            public void notifyServerCertificate(TlsServerCertificate serverCertificate) throws IOException {
                Certificate chain = serverCertificate.getCertificate();
                if (chain == null || chain.isEmpty()) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, "the server sent no certificate");
                }
                String actual = "sha-256 " + PeerCertificate.sha256Colons(chain.getCertificateAt(0).getEncoded());
                if (!actual.equalsIgnoreCase(expectedServerFingerprint)) {
                    throw new TlsFatalAlert(AlertDescription.bad_certificate, "server certificate " + actual
                            + " does not match the SDP fingerprint " + expectedServerFingerprint);
                }
            }

            @Override
            public TlsCredentials getClientCredentials(CertificateRequest request) throws IOException {
                if (certificate == null) {
                    return null;
                }
                BcTlsCrypto crypto = (BcTlsCrypto) getCrypto();
                Certificate chain = new Certificate(new TlsCertificate[] {crypto.createCertificate(certificate.der())});
                return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), crypto,
                        certificate.privateKey(), chain, ECDSA_SHA256);
            }
        };
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        byte[] exported = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null, 2 * keyAndSaltLength(profile));
        keys = new ExportedKeys(profile, exported);
    }

    /** The master key plus master salt length of a use_srtp profile, -1 for one this client does not know. */
    static int keyAndSaltLength(int profile) {
        return switch (profile) {
            case AES128_CM_HMAC_SHA1_80, AES128_CM_HMAC_SHA1_32 -> 16 + 14;
            case AEAD_AES_128_GCM -> 16 + 12;
            case AEAD_AES_256_GCM -> 32 + 12;
            default -> -1;
        };
    }

    private static boolean contains(int[] values, int value) {
        for (int v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }
}

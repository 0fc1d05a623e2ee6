package dev.parley.loadtest;

import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import dev.parley.sfu.srtp.SrtpProfile;
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
 * {@code use_srtp} offering AES-GCM then AES-CM/HMAC-SHA1, its certificate sent on request, the server's
 * certificate checked against the fingerprint from the server's SDP, and the SRTP keys exported at the end.
 */
final class PeerDtlsClient extends DefaultTlsClient {
    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private final PeerCertificate certificate;
    private final String expectedServerFingerprint;
    private final int[] offeredProfiles;
    private final int handshakeTimeoutMillis;
    private SrtpProfile profile;
    private volatile SrtpKeyingMaterial keys;

    /**
     * @param expectedServerFingerprint the server's {@code a=fingerprint}, {@code "sha-256 AB:..."}
     * @param profiles the SRTP profiles to offer, in order of preference
     */
    PeerDtlsClient(PeerCertificate certificate, String expectedServerFingerprint, SrtpProfile[] profiles,
                   int handshakeTimeoutMillis) {
        super(new BcTlsCrypto());
        this.certificate = certificate;
        this.expectedServerFingerprint = expectedServerFingerprint;
        this.offeredProfiles = new int[profiles.length];
        for (int i = 0; i < profiles.length; i++) {
            offeredProfiles[i] = profiles[i].useSrtpId();
        }
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    /** The SRTP keys, once the handshake completed; null before. */
    SrtpKeyingMaterial keys() {
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
        TlsSRTPUtils.addUseSRTPExtension(extensions, new UseSRTPData(offeredProfiles, TlsUtils.EMPTY_BYTES));
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
        profile = SrtpProfile.forUseSrtpId(id).filter(p -> contains(offeredProfiles, p.useSrtpId()))
                .orElseThrow(() -> new TlsFatalAlert(AlertDescription.illegal_parameter,
                        "the server chose SRTP profile " + id + ", which was not offered"));
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
        byte[] exported = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                2 * (profile.keyLength() + profile.saltLength()));
        keys = SrtpKeyingMaterial.fromExporterOutput(profile, exported);
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

package dev.parley.sfu.dtls;

import dev.parley.sfu.dtls.DtlsHandshakeException.Reason;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import dev.parley.sfu.srtp.SrtpProfile;
import java.io.IOException;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.Vector;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.Certificate;
import org.bouncycastle.tls.CertificateRequest;
import org.bouncycastle.tls.CipherSuite;
import org.bouncycastle.tls.ClientCertificateType;
import org.bouncycastle.tls.DefaultTlsServer;
import org.bouncycastle.tls.ExporterLabel;
import org.bouncycastle.tls.HashAlgorithm;
import org.bouncycastle.tls.ProtocolVersion;
import org.bouncycastle.tls.SignatureAlgorithm;
import org.bouncycastle.tls.SignatureAndHashAlgorithm;
import org.bouncycastle.tls.TlsCredentialedSigner;
import org.bouncycastle.tls.TlsFatalAlert;
import org.bouncycastle.tls.TlsSRTPUtils;
import org.bouncycastle.tls.TlsUtils;
import org.bouncycastle.tls.UseSRTPData;
import org.bouncycastle.tls.crypto.TlsCryptoParameters;
import org.bouncycastle.tls.crypto.impl.bc.BcDefaultTlsCredentialedSigner;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;

/**
 * The BouncyCastle TLS peer for one DTLS-SRTP handshake: DTLS 1.2 only, ECDHE_ECDSA suites only, a client
 * certificate required and checked against the SDP fingerprint, {@code use_srtp} negotiated in our order of
 * preference, and the SRTP keys exported when the handshake completes. The handshake's deadline is kept by
 * {@link DtlsServerSession}, not by BouncyCastle, so there is one clock.
 *
 * <p>When it refuses the peer it records why ({@link #rejection()}), so the session can report that instead of
 * BouncyCastle's alert.
 */
final class SrtpDtlsServer extends DefaultTlsServer {
    private static final int[] CIPHER_SUITES = {
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    };
    private static final SignatureAndHashAlgorithm ECDSA_SHA256 =
            SignatureAndHashAlgorithm.getInstance(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa);

    private final DtlsCertificate certificate;
    private final Fingerprint expectedPeer;

    private SrtpProfile profile;
    private volatile SrtpKeyingMaterial keys;
    private volatile int minimumCiphertext;
    private volatile DtlsHandshakeException rejection;

    SrtpDtlsServer(BcTlsCrypto crypto, DtlsCertificate certificate, Fingerprint expectedPeer) {
        super(crypto);
        this.certificate = certificate;
        this.expectedPeer = expectedPeer;
    }

    /** The exported keys, once the handshake completed; otherwise null. */
    SrtpKeyingMaterial keys() {
        return keys;
    }

    /** Shortest possible encrypted record fragment under the negotiated suite, once the handshake completed. */
    int minimumCiphertext() {
        return minimumCiphertext;
    }

    /** Why this server refused the peer, if it did. */
    DtlsHandshakeException rejection() {
        return rejection;
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
    public void processClientExtensions(Hashtable clientExtensions) throws IOException {
        super.processClientExtensions(clientExtensions);
        UseSRTPData offered = TlsSRTPUtils.getUseSRTPExtension(clientExtensions);
        if (offered == null) {
            throw reject(Reason.NO_COMMON_SRTP_PROFILE, AlertDescription.handshake_failure,
                    "peer offered no use_srtp extension; DTLS-SRTP needs one");
        }
        int[] ids = offered.getProtectionProfiles();
        for (SrtpProfile candidate : SrtpProfile.values()) { // values() is in order of preference
            if (Arrays.stream(ids).anyMatch(id -> id == candidate.useSrtpId())) {
                profile = candidate;
                return;
            }
        }
        throw reject(Reason.NO_COMMON_SRTP_PROFILE, AlertDescription.handshake_failure,
                "peer offered SRTP profiles " + Arrays.toString(ids) + ", none of "
                        + Arrays.toString(SrtpProfile.values()));
    }

    @Override
    public Hashtable getServerExtensions() throws IOException {
        Hashtable extensions = super.getServerExtensions();
        TlsSRTPUtils.addUseSRTPExtension(extensions,
                new UseSRTPData(new int[] {profile.useSrtpId()}, TlsUtils.EMPTY_BYTES));
        return extensions;
    }

    @Override
    public CertificateRequest getCertificateRequest() {
        // Browsers generate ECDSA P-256 certificates; RSA ones can still be created through the WebRTC API.
        short[] types = {ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign};
        Vector signatureAlgorithms = TlsUtils.getDefaultSupportedSignatureAlgorithms(context);
        return new CertificateRequest(types, signatureAlgorithms, null);
    }

    @Override
    public void notifyClientCertificate(Certificate clientCertificate) throws IOException {
        if (clientCertificate == null || clientCertificate.isEmpty()) {
            throw reject(Reason.NO_PEER_CERTIFICATE, AlertDescription.handshake_failure,
                    "peer sent no certificate; it is needed to check the SDP fingerprint " + expectedPeer);
        }
        byte[] der = clientCertificate.getCertificateAt(0).getEncoded();
        if (!expectedPeer.matches(der)) {
            throw reject(Reason.FINGERPRINT_MISMATCH, AlertDescription.bad_certificate,
                    "peer certificate fingerprint " + Fingerprint.of(expectedPeer.hashFunction(), der)
                            + " does not match the SDP fingerprint " + expectedPeer);
        }
        // BouncyCastle itself verifies the CertificateVerify signature that proves the peer holds the key.
    }

    @Override
    protected TlsCredentialedSigner getECDSASignerCredentials() throws IOException {
        Vector clientSignatureAlgorithms = context.getSecurityParametersHandshake().getClientSigAlgs();
        if (clientSignatureAlgorithms != null && !clientSignatureAlgorithms.contains(ECDSA_SHA256)) {
            throw reject(Reason.PROTOCOL_ERROR, AlertDescription.handshake_failure,
                    "peer does not accept ECDSA with SHA-256 signatures, which our P-256 certificate makes");
        }
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(context), (BcTlsCrypto) getCrypto(),
                certificate.privateKey(), certificate.tlsChain(getCrypto()), ECDSA_SHA256);
    }

    @Override
    public void notifyHandshakeComplete() throws IOException {
        super.notifyHandshakeComplete();
        byte[] exported = context.exportKeyingMaterial(ExporterLabel.dtls_srtp, null,
                2 * (profile.keyLength() + profile.saltLength()));
        keys = SrtpKeyingMaterial.fromExporterOutput(profile, exported);
        // AES-GCM records carry an 8-byte explicit nonce before the ciphertext (RFC 5288), ChaCha20 none
        // (RFC 7905); both end in a 16-byte tag.
        int suite = context.getSecurityParametersConnection().getCipherSuite();
        minimumCiphertext = suite == CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ? 16 : 8 + 16;
    }

    private TlsFatalAlert reject(Reason reason, short alert, String message) {
        rejection = new DtlsHandshakeException(reason, message);
        return new TlsFatalAlert(alert, message);
    }
}

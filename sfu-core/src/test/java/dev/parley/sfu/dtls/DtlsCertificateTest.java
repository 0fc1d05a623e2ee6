package dev.parley.sfu.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class DtlsCertificateTest {
    @Test
    void isASelfSignedP256CertificateTheJdkAccepts() throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate();
        X509Certificate x509 = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(cert.encoded()));
        x509.verify(x509.getPublicKey()); // self-signed
        x509.checkValidity();
        assertEquals("SHA256withECDSA", x509.getSigAlgName());
        assertEquals(256, ((ECPublicKey) x509.getPublicKey()).getParams().getCurve().getField().getFieldSize());
        assertTrue(x509.getPublicKey().toString().contains("secp256r1"), "the curve is named, not spelled out");
    }

    @Test
    void fingerprintIsTheSdpFormOfTheSha256OfTheDer() throws Exception {
        DtlsCertificate cert = DtlsCertificate.generate();
        String fingerprint = cert.fingerprintSha256();
        assertTrue(fingerprint.matches("sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}"), fingerprint);
        byte[] sha256 = MessageDigest.getInstance("SHA-256").digest(cert.encoded());
        assertEquals("sha-256 " + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256), fingerprint);
        assertNotEquals(fingerprint, DtlsCertificate.generate().fingerprintSha256());
    }
}

package dev.parley.peerkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.Locale;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;

/**
 * A peer's DTLS identity: a self-signed ECDSA P-256 certificate, as a browser generates per
 * RTCPeerConnection. Made here rather than borrowed from the server's code, so the client side of a test does
 * not trust what it tests.
 */
public final class PeerCertificate {
    private final AsymmetricKeyParameter privateKey;
    private final byte[] der;
    private final String fingerprint;

    private PeerCertificate(AsymmetricKeyParameter privateKey, byte[] der) {
        this.privateKey = privateKey;
        this.der = der;
        this.fingerprint = "sha-256 " + sha256Colons(der);
    }

    public static PeerCertificate generate() {
        SecureRandom random = new SecureRandom();
        X9ECParameters p256 = CustomNamedCurves.getByOID(SECObjectIdentifiers.secp256r1);
        ECKeyPairGenerator generator = new ECKeyPairGenerator();
        generator.init(new ECKeyGenerationParameters(new ECNamedDomainParameters(SECObjectIdentifiers.secp256r1, p256),
                random));
        AsymmetricCipherKeyPair keys = generator.generateKeyPair();
        X500Name name = new X500Name("CN=parley-peer");
        Instant now = Instant.now();
        try {
            X509v3CertificateBuilder builder = new X509v3CertificateBuilder(name, new BigInteger(62, random).add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), name,
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(keys.getPublic()));
            AlgorithmIdentifier signature = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
            AlgorithmIdentifier digest = new DefaultDigestAlgorithmIdentifierFinder().find(signature);
            byte[] der = builder.build(new BcECContentSignerBuilder(signature, digest).build(keys.getPrivate())).getEncoded();
            return new PeerCertificate(keys.getPrivate(), der);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the peer certificate", e);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("BouncyCastle cannot sign with ECDSA P-256", e);
        }
    }

    /** {@code "sha-256 AB:CD:..."}, the value of {@code a=fingerprint}. */
    public String fingerprint() {
        return fingerprint;
    }

    public byte[] der() {
        return der.clone();
    }

    public AsymmetricKeyParameter privateKey() {
        return privateKey;
    }

    /** The SHA-256 of {@code der} as upper-case hex pairs joined by colons, as SDP writes fingerprints. */
    public static String sha256Colons(byte[] der) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(der);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest).toUpperCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

package dev.parley.sfu.dtls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FingerprintTest {
    private final DtlsCertificate cert = DtlsCertificate.generate();

    @Test
    void parsesWhatSdpCarriesAndMatchesTheCertificate() {
        String sdp = cert.fingerprintSha256();
        Fingerprint parsed = Fingerprint.parse(sdp);
        assertTrue(parsed.matches(cert.encoded()));
        assertEquals(sdp, parsed.toSdp());
        assertEquals(parsed, Fingerprint.parse("  SHA-256   " + sdp.substring(8).toLowerCase() + " "));
        assertFalse(parsed.matches(DtlsCertificate.generate().encoded()));
        assertTrue(Fingerprint.of("sha-512", cert.encoded()).matches(cert.encoded()));
        assertTrue(Fingerprint.parse(Fingerprint.of("sha-384", cert.encoded()).toSdp()).matches(cert.encoded()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "sha-256", "AB:CD", "sha-1 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01",
        "md5 AB:CD", "sha-256 AB:CD", "sha-256 AB:CD:ZZ", "sha-256 ABCD", "sha-256 AB:CD extra",
    })
    void rejectsMalformedFingerprintsWithAReason(String sdp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse(sdp));
        assertFalse(e.getMessage().isBlank());
    }

    @Test
    void rejectsAMissingFingerprint() {
        assertThrows(IllegalArgumentException.class, () -> Fingerprint.parse(null));
    }
}

package dev.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The Origin rule for signaling upgrades, case by case (the real upgrade is tested in the server's WebSecurityTest). */
class AllowedOriginsTest {
    private final AllowedOrigins origins = AllowedOrigins.of(List.of("https://meet.example.org", "http://localhost:3000"));

    @Test
    void theServersOwnHostIsAllowedWhateverTheProxyDidToTheScheme() {
        assertTrue(origins.permits("https://parley.internal", "parley.internal", -1));
        assertTrue(origins.permits("https://parley.internal", "parley.internal", 443));
        assertTrue(origins.permits("http://parley.internal:8080", "PARLEY.internal", 8080));
        assertTrue(origins.permits("http://[::1]:8080", "[::1]", 8080));
        assertFalse(origins.permits("http://parley.internal", "parley.internal", 8080));
        assertFalse(origins.permits("https://parley.internal.evil.example", "parley.internal", -1));
        assertFalse(origins.permits("https://evil.example", "parley.internal", -1));
        assertFalse(origins.permits("https://evil.example", null, -1));
    }

    @Test
    void listedOriginsAreAllowedExactly() {
        assertTrue(origins.permits("https://meet.example.org", "10.0.0.5", 8080));
        assertTrue(origins.permits("https://meet.example.org:443", "10.0.0.5", 8080));
        assertTrue(origins.permits("http://localhost:3000", "10.0.0.5", 8080));
        assertFalse(origins.permits("http://meet.example.org", "10.0.0.5", 8080));
        assertFalse(origins.permits("http://localhost:3001", "10.0.0.5", 8080));
        assertFalse(origins.permits("https://meet.example.org/path", "10.0.0.5", 8080));
    }

    @Test
    void browsersOpaqueAndMalformedOriginsAreRefusedNonBrowsersAllowed() {
        assertFalse(origins.permits("null", "parley.internal", -1));
        assertFalse(origins.permits("file://", "parley.internal", -1));
        assertFalse(origins.permits("https://parley.internal:99999", "parley.internal", 99999));
        assertFalse(origins.permits("", "parley.internal", -1));
        assertTrue(origins.permits(null, "parley.internal", -1), "no Origin: not a browser page, not a cross-site request");
    }

    @Test
    void aListedEntryThatIsNoOriginIsRefusedAtStart() {
        assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.of(List.of("https://x.example/")));
        assertThrows(IllegalArgumentException.class, () -> AllowedOrigins.of(List.of("*")));
    }
}

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
    void theOtherNodesOfADeploymentAreAskedAtEachUpgrade() {
        java.util.concurrent.atomic.AtomicReference<List<String>> peers = new java.util.concurrent.atomic.AtomicReference<>(List.of());
        AllowedOrigins withPeers = origins.andAlso(peers::get);
        assertFalse(withPeers.permits("https://node-2.example.org", "node-1.example.org", -1));
        peers.set(List.of("https://node-2.example.org", "not an origin", "http://10.0.0.7:8080"));
        assertTrue(withPeers.permits("https://node-2.example.org", "node-1.example.org", -1), "a node that joined");
        assertTrue(withPeers.permits("https://NODE-2.example.org:443", "node-1.example.org", -1));
        assertTrue(withPeers.permits("http://10.0.0.7:8080", "node-1.example.org", -1));
        assertFalse(withPeers.permits("http://node-2.example.org", "node-1.example.org", -1), "the scheme counts");
        assertTrue(withPeers.permits("https://meet.example.org", "node-1.example.org", -1), "listed ones still hold");
        peers.set(List.of());
        assertFalse(withPeers.permits("https://node-2.example.org", "node-1.example.org", -1), "a node that left");
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

package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSecretTest {
    @Test
    void generatedOnceOwnerOnlyAndReused(@TempDir Path dir) throws Exception {
        ControlConfig cfg = ControlConfig.local(dir.resolve("data"), "http://localhost:8080");
        byte[] first = ServerSecret.load(cfg).derive("join-token");
        Path file = dir.resolve("data").resolve(ServerSecret.FILE_NAME);
        assertTrue(Files.exists(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertArrayEquals(first, ServerSecret.load(cfg).derive("join-token"), "kept across restarts");
        assertFalse(Arrays.equals(first, ServerSecret.load(cfg).derive("access-token")), "purposes get different keys");
    }

    @Test
    void configuredSecretsMustBeLongEnough(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ControlConfig(dir, null, null, null,
                "short", false, "http://localhost:8080", null, null, null, null, ControlConfig.DEFAULT_MAX_BODY_BYTES));
        assertTrue(e.getMessage().contains("jwtSecret"), e.getMessage());
    }

    @Test
    void configurationMistakesNameTheSetting(@TempDir Path dir) {
        assertThrows(IllegalArgumentException.class, () -> ControlConfig.local(dir, "ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> new ControlConfig(dir, "postgres://x", null, null, null, false,
                "http://localhost", null, null, null, null, 65536));
        assertThrows(IllegalArgumentException.class, () -> new ControlConfig(dir, null, null, null, null, false,
                "http://localhost", null, null, "turn-secret", null, 65536));
        assertThrows(IllegalArgumentException.class, () -> new ControlConfig(dir, null, null, null, null, false,
                "http://localhost", java.util.List.of("http://stun"), null, null, null, 65536));
        assertThrows(IllegalArgumentException.class, () -> new ControlConfig(dir, null, null, null, null, false,
                "http://localhost", null, null, null, null, 10));
        assertEquals("ws://localhost:8080/ws/signaling", ControlConfig.local(dir, "http://localhost:8080/").signalingUrl());
        assertEquals("wss://meet.example.com/ws/signaling", ControlConfig.local(dir, "https://meet.example.com").signalingUrl());
    }
}

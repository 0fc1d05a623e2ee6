package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MediaThreadsSettingTest {
    private static ServerConfig config(String... args) {
        return ServerConfig.from(Settings.resolve(args, Map.of()));
    }

    @Test
    void defaultsToOnePerAvailableProcessor() {
        assertEquals(Runtime.getRuntime().availableProcessors(), config().mediaThreads());
    }

    @Test
    void takesAnyCountFromOneTo256FromTheCommandLineOrEnvironment() {
        assertEquals(1, config("--media-threads", "1").mediaThreads());
        assertEquals(256, config("--media-threads", "256").mediaThreads());
        assertEquals(3, ServerConfig.from(Settings.resolve(new String[0], Map.of("PARLEY_MEDIA_THREADS", "3")))
                .mediaThreads());
    }

    @Test
    void refusesCountsOutsideTheRangeAndNonNumbers() {
        for (String bad : new String[] {"0", "257", "-1", "two", "1.5"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> config("--media-threads", bad));
            assertTrue(e.getMessage().contains("setting media-threads (from --media-threads, value '" + bad + "')"),
                    e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config("--media-threads", "0"));
        assertTrue(e.getMessage().endsWith("must be between 1 and 256"), e.getMessage());
    }
}

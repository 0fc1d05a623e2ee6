package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The last-n setting: no limit by default, a flag or variable sets it, and anything but 0..10000 is refused at start. */
class LastNSettingTest {
    @Test
    void noLimitByDefaultAndSetByFlagOrVariable() {
        assertEquals(0, ServerConfig.from(Settings.resolve(new String[0], Map.of())).lastN());
        assertEquals(3, ServerConfig.from(Settings.resolve(new String[] {"--last-n", "3"}, Map.of())).lastN());
        assertEquals(5, ServerConfig.from(Settings.resolve(new String[0], Map.of("PARLEY_LAST_N", "5"))).lastN());
    }

    @Test
    void negativeOrNonNumericValuesAreRefusedNamingTheSetting() {
        for (String bad : new String[] {"-1", "two", "10001", ""}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ServerConfig.from(Settings.resolve(new String[] {"--last-n", bad}, Map.of())), bad);
            assertTrue(e.getMessage().contains("last-n"), e.getMessage());
        }
    }
}

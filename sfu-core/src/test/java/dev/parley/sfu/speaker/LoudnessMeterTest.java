package dev.parley.sfu.speaker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LoudnessMeterTest {
    private final LoudnessMeter meter = new LoudnessMeter(10);

    private int block(int... levels) {
        for (int i = 0; i < levels.length - 1; i++) {
            assertFalse(meter.add(levels[i]), "the block is not complete before its tenth packet");
        }
        assertTrue(meter.add(levels[levels.length - 1]));
        return meter.loudness();
    }

    @Test
    void aSteadyLevelIsItselfAndSilenceIsZero() {
        assertEquals(0, meter.loudness(), "nothing measured yet");
        assertEquals(127 - 30, block(30, 30, 30, 30, 30, 30, 30, 30, 30, 30));
        assertEquals(0, block(127, 127, 127, 127, 127, 127, 127, 127, 127, 127));
        assertEquals(127, block(0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    }

    @Test
    void shortPausesBetweenWordsHardlyLowerSpeech() {
        // 8 packets at -25 dBov and 2 silent: -26 dBov by energy (a decibel average would say -45 dBov).
        assertEquals(127 - 26, block(25, 25, 25, 127, 25, 25, 25, 127, 25, 25));
    }

    @Test
    void theVoiceActivityBitIsIgnoredAndBadBlocksRefused() {
        assertEquals(127 - 40, block(0x80 | 40, 40, 0x80 | 40, 40, 40, 40, 40, 40, 40, 0x80 | 40));
        assertThrows(IllegalArgumentException.class, () -> new LoudnessMeter(0));
    }
}

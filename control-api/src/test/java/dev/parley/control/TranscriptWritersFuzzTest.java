package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Transcript text comes from speech recognition, so from whatever people say (or a model invents): random texts
 * and names full of line breaks, arrows and markup never add, merge or break cues in WebVTT or SRT.
 */
class TranscriptWritersFuzzTest {
    private static final String ALPHABET = "ab -><&/\n\r\t\u0000\u0007\u2028é😀v:.,0123456789";
    private static final Pattern VTT_TIMING = Pattern.compile("\\d{2,}:\\d{2}:\\d{2}\\.\\d{3} --> \\d{2,}:\\d{2}:\\d{2}\\.\\d{3}");
    private static final Pattern SRT_TIMING = Pattern.compile("\\d{2,}:\\d{2}:\\d{2},\\d{3} --> \\d{2,}:\\d{2}:\\d{2},\\d{3}");

    @Test
    void randomTextsKeepOneCuePerSegment() {
        SplittableRandom random = new SplittableRandom(20261127);
        for (int round = 0; round < 3000; round++) {
            List<TranscriptStore.StoredSegment> segments = new ArrayList<>();
            int n = 1 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                long start = random.nextLong(0, 400_000_000L);
                segments.add(new TranscriptStore.StoredSegment("s" + i, "p" + i, text(random, 12) + "x",
                        start, start + random.nextLong(-1000, 60_000), text(random, 40) + "y", null, Instant.EPOCH));
            }
            check(segments);
        }
    }

    private static void check(List<TranscriptStore.StoredSegment> segments) {
        String vtt = WebVttWriter.write(segments);
        String[] vttBlocks = vtt.split("\n\n", -1);
        assertEquals(segments.size() + 1, vttBlocks.length, "header and one block per cue: " + vtt);
        assertEquals("WEBVTT", vttBlocks[0]);
        for (String block : List.of(vttBlocks).subList(1, vttBlocks.length)) {
            String[] lines = block.split("\n", 3);
            assertTrue(lines[0].matches("\\d+"), block);
            assertTrue(VTT_TIMING.matcher(lines[1]).matches(), block);
            assertFalse(lines[2].contains("-->"), "no second timing line in a cue: " + block);
            assertTrue(lines[2].startsWith("<v ") && lines[2].strip().endsWith("</v>"), block);
            assertFalse(lines[2].chars().anyMatch(c -> c == '\r' || c == 0 || c == 7), block);
        }
        String srt = SrtWriter.write(segments);
        String[] srtBlocks = srt.split("\n\n", -1);
        assertEquals(segments.size(), srtBlocks.length, "one block per cue: " + srt);
        for (int i = 0; i < srtBlocks.length; i++) {
            String[] lines = srtBlocks[i].split("\n", 3);
            assertEquals(String.valueOf(i + 1), lines[0], srtBlocks[i]);
            assertTrue(SRT_TIMING.matcher(lines[1]).matches(), srtBlocks[i]);
            assertFalse(lines[2].contains("-->"), srtBlocks[i]);
        }
    }

    private static String text(SplittableRandom random, int max) {
        StringBuilder b = new StringBuilder();
        int len = random.nextInt(max);
        int[] cps = ALPHABET.codePoints().toArray();
        for (int i = 0; i < len; i++) {
            b.appendCodePoint(cps[random.nextInt(cps.length)]);
        }
        return b.toString();
    }
}

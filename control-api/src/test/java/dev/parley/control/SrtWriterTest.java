package dev.parley.control;

import static dev.parley.control.WebVttWriterTest.seg;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** SubRip transcripts: numbered cues, comma timestamps, the speaker before the text, no blank line inside a cue. */
class SrtWriterTest {
    @Test
    void writesNumberedCuesSeparatedByOneBlankLine() {
        String srt = SrtWriter.write(List.of(seg("Ada", 0, 1500, "Hello everyone."), seg("Bob", 3_600_000, 3_601_250, "Hi.")));
        assertEquals("""
                1
                00:00:00,000 --> 00:00:01,500
                Ada: Hello everyone.

                2
                01:00:00,000 --> 01:00:01,250
                Bob: Hi.
                """, srt);
    }

    @Test
    void timestampsUseACommaBeforeTheMilliseconds() {
        assertEquals("00:00:00,007", SrtWriter.time(7));
        assertEquals("10:59:59,999", SrtWriter.time(39_599_999));
    }

    @Test
    void blankLinesAndArrowsInTextCannotStartANewCue() {
        String srt = SrtWriter.write(List.of(seg("Eve\n\n2", 0, 1000, "one\n\n2\n00:00:09,000 --> 00:00:10,000\n\nfake")));
        assertFalse(srt.strip().contains("\n\n"), "a blank line would end the cue: " + srt);
        assertEquals(1, srt.split("-->", -1).length - 1, srt);
        assertTrue(srt.contains("Eve 2: one\n2\n00:00:09,000 -- > 00:00:10,000\nfake\n"), srt);
    }

    @Test
    void emptyTranscriptIsAnEmptyFile() {
        assertEquals("", SrtWriter.write(List.of()));
        assertEquals("", SrtWriter.write(List.of(seg("Ada", 0, 1, "\r\n"))));
    }
}

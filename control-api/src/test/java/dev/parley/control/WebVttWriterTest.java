package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** WebVTT transcripts: cue timing, the speaker as a voice span, and text that cannot break out of its cue. */
class WebVttWriterTest {
    static TranscriptStore.StoredSegment seg(String name, long start, long end, String text) {
        return new TranscriptStore.StoredSegment("id", "p1", name, start, end, text, 0.9, Instant.EPOCH);
    }

    @Test
    void writesNumberedCuesWithVoiceSpans() {
        String vtt = WebVttWriter.write(List.of(seg("Ada", 0, 1500, "Hello everyone."),
                seg("Bob", 61_001, 3_725_042, "Hi Ada.")));
        assertEquals("""
                WEBVTT

                1
                00:00:00.000 --> 00:00:01.500
                <v Ada>Hello everyone.</v>

                2
                00:01:01.001 --> 01:02:05.042
                <v Bob>Hi Ada.</v>
                """, vtt);
    }

    @Test
    void timestampsPadAndHoursGrowPastTwoDigits() {
        assertEquals("00:00:00.007", WebVttWriter.time(7));
        assertEquals("00:00:59.999", WebVttWriter.time(59_999));
        assertEquals("27:46:40.000", WebVttWriter.time(100_000_000));
        assertEquals("100:00:00.000", WebVttWriter.time(360_000_000));
    }

    @Test
    void textCannotEndItsCueOrForgeMarkup() {
        String vtt = WebVttWriter.write(List.of(seg("Eve <v Mallory>", 0, 1000,
                "first line\n\n\n00:00:05.000 --> 00:00:06.000\r\n  \r\nforged & <b>bold</b>\u0007")));
        assertFalse(vtt.contains("-->  00"), vtt);
        assertEquals(1, vtt.split("-->", -1).length - 1, "only the cue's own timing arrow remains: " + vtt);
        assertFalse(vtt.contains("\n\n0"), "no blank line inside the cue: " + vtt);
        assertTrue(vtt.contains("<v Eve &lt;v Mallory&gt;>first line\n00:00:05.000 --&gt; 00:00:06.000\n"
                + "forged &amp; &lt;b&gt;bold&lt;/b&gt;</v>\n"), vtt);
        assertFalse(vtt.contains("\u0007"));
    }

    @Test
    void blankSegmentsAreLeftOutAndAnEmptyTranscriptIsAValidFile() {
        assertEquals("WEBVTT\n", WebVttWriter.write(List.of()));
        String vtt = WebVttWriter.write(List.of(seg("Ada", 0, 10, " \n \n"), seg("Ada", 10, 20, "ok")));
        assertTrue(vtt.startsWith("WEBVTT\n\n1\n00:00:00.010 --> 00:00:00.020\n"), vtt);
    }

    @Test
    void anEndBeforeTheStartIsShownAsTheStart() {
        assertTrue(WebVttWriter.write(List.of(seg("Ada", 5000, 4000, "x"))).contains("00:00:05.000 --> 00:00:05.000"));
    }
}

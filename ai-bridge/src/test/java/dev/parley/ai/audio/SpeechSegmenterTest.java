package dev.parley.ai.audio;

import static dev.parley.ai.audio.TestSignals.concat;
import static dev.parley.ai.audio.TestSignals.mix;
import static dev.parley.ai.audio.TestSignals.noise;
import static dev.parley.ai.audio.TestSignals.speechLike;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The voice activity detector and the segmenter on known audio: synthetic speech-like bursts in noise of known
 * lengths, and sentences spoken by espeak-ng. The count of segments and their start and length must match the
 * speech (with the pre-roll before and after), silence must never be sent.
 */
class SpeechSegmenterTest {
    private static final int RATE = 16_000;
    private static final VadSettings VAD = VadSettings.defaults();
    private static final int PRE_ROLL_MS = 200;

    @TempDir
    Path dir;

    private static List<SpeechSegment> segment(short[] audio, VadSettings settings) {
        List<SpeechSegment> out = new ArrayList<>();
        SpeechSegmenter s = new SpeechSegmenter(settings, out::add);
        // Fed in 20 ms pieces, as decoded Opus packets arrive.
        for (int at = 0; at < audio.length; at += 320) {
            s.push(audio, at, Math.min(320, audio.length - at));
        }
        s.flush();
        return out;
    }

    private static short[] silence(int millis, long seed) {
        return noise(-65, RATE, millis, seed); // a quiet room, not digital zero
    }

    @Test
    void threeUtterancesInAQuietRoomGiveThreeSegmentsOfTheirLength() {
        int[] speech = {1200, 800, 2000};
        short[] audio = concat(silence(1000, 1), speechLike(RATE, speech[0], 11), silence(1000, 2),
                speechLike(RATE, speech[1], 12), silence(1000, 3), speechLike(RATE, speech[2], 13), silence(1000, 4));
        List<SpeechSegment> segments = segment(audio, VAD);
        assertEquals(3, segments.size(), segments.toString());
        long start = 1000;
        for (int i = 0; i < 3; i++) {
            SpeechSegment s = segments.get(i);
            assertEquals(start - PRE_ROLL_MS, s.startMillis(), 60, "segment " + i + " starts a pre-roll before the speech");
            assertEquals(speech[i] + 2 * PRE_ROLL_MS, s.audio().durationMillis(), 120,
                    "segment " + i + " is the speech plus pre-roll and tail");
            assertFalse(s.cut());
            start += speech[i] + 1000;
        }
        long sent = segments.stream().mapToLong(s -> s.audio().length()).sum();
        assertTrue(sent < audio.length * 0.75, "the silence between is not sent: " + sent + " of " + audio.length);
    }

    @Test
    void aSteadyNoisyRoomIsLearntAndNotTakenForSpeech() {
        // A fan at -38 dBFS, far above the quiet-room floor; the speech stands about 20 dB above it.
        short[] fan = noise(-38, RATE, 9000, 5);
        short[] voice = concat(new short[RATE * 3], speechLike(RATE, 1500, 21), new short[RATE * 2],
                speechLike(RATE, 1000, 22), new short[RATE * 1]);
        List<SpeechSegment> segments = segment(mix(fan, voice), VAD);
        assertEquals(2, segments.size(), segments.toString());
        assertEquals(3000 - PRE_ROLL_MS, segments.get(0).startMillis(), 80);
        assertEquals(1500 + 2 * PRE_ROLL_MS, segments.get(0).audio().durationMillis(), 160);
        assertEquals(1000 + 2 * PRE_ROLL_MS, segments.get(1).audio().durationMillis(), 160);

        assertEquals(List.of(), segment(noise(-38, RATE, 10_000, 6), VAD), "noise alone is never speech");
    }

    @Test
    void clicksAndShortBlipsAreNotSegments() {
        short[] click = speechLike(RATE, 40, 31); // shorter than the onset
        short[] blip = speechLike(RATE, 160, 32); // an onset but less speech than the minimum
        short[] audio = concat(silence(1000, 7), click, silence(1000, 8), blip, silence(1000, 9));
        assertEquals(List.of(), segment(audio, VAD));
    }

    @Test
    void pausesShorterThanTheHangoverStayInsideOneSegment() {
        short[] audio = concat(silence(1000, 10), speechLike(RATE, 700, 41), silence(250, 11),
                speechLike(RATE, 700, 42), silence(1500, 12));
        List<SpeechSegment> segments = segment(audio, VAD);
        assertEquals(1, segments.size(), segments.toString());
        assertEquals(1650 + 2 * PRE_ROLL_MS, segments.get(0).audio().durationMillis(), 120);
    }

    @Test
    void longSpeechIsCutAtTheMaximumAndContinues() {
        VadSettings max5s = new VadSettings(10, -50, Duration.ofMillis(60), Duration.ofMillis(400),
                Duration.ofMillis(200), Duration.ofMillis(300), Duration.ofSeconds(5));
        short[] audio = concat(silence(1000, 13), speechLike(RATE, 12_000, 51), silence(1000, 14));
        List<SpeechSegment> segments = segment(audio, max5s);
        assertEquals(3, segments.size(), segments.toString());
        assertTrue(segments.get(0).cut() && segments.get(1).cut() && !segments.get(2).cut());
        assertEquals(5000, segments.get(0).audio().durationMillis());
        assertEquals(5000, segments.get(1).audio().durationMillis());
        // Back to back: no sample is lost or sent twice at a cut.
        assertEquals(segments.get(0).endSample(), segments.get(1).startSample());
        assertEquals(segments.get(1).endSample(), segments.get(2).startSample());
        long total = segments.stream().mapToLong(s -> s.audio().durationMillis()).sum();
        assertEquals(12_000 + 2 * PRE_ROLL_MS, total, 150);
    }

    @Test
    void aSkippedStretchEndsTheSegmentAndMovesTheTimeline() {
        List<SpeechSegment> out = new ArrayList<>();
        SpeechSegmenter s = new SpeechSegmenter(VAD, out::add);
        short[] first = concat(silence(1000, 15), speechLike(RATE, 1000, 61));
        s.push(first, 0, first.length);
        s.skip(RATE * 5); // muted for 5 s
        short[] second = concat(silence(600, 16), speechLike(RATE, 800, 62), silence(1000, 17));
        s.push(second, 0, second.length);
        s.flush();
        assertEquals(2, out.size(), out.toString());
        assertEquals(800, out.get(0).startMillis(), 60);
        assertEquals(2000 + 5000 + 600 - PRE_ROLL_MS, out.get(1).startMillis(), 60);
    }

    @Test
    void sentencesSpokenByEspeakGiveOneSegmentEach() {
        String[] sentences = {
            "The quick brown fox jumps over the lazy dog.",
            "Parley forwards audio and video between browsers.",
            "Captions appear a moment after each sentence ends.",
        };
        List<short[]> parts = new ArrayList<>();
        List<int[]> spans = new ArrayList<>();
        parts.add(silence(1000, 20));
        int at = RATE;
        for (int i = 0; i < sentences.length; i++) {
            short[] spoken = TestSignals.espeak(sentences[i], dir);
            int[] span = TestSignals.audibleSpan(spoken, 300);
            spans.add(new int[] {at + span[0], at + span[1]});
            parts.add(mix(spoken, silence(spoken.length * 1000 / RATE, 30 + i)));
            parts.add(silence(1500, 40 + i));
            at += spoken.length + RATE * 3 / 2;
        }
        List<SpeechSegment> segments = segment(concat(parts.toArray(short[][]::new)), VAD);
        assertEquals(sentences.length, segments.size(), segments.toString());
        for (int i = 0; i < sentences.length; i++) {
            SpeechSegment s = segments.get(i);
            long spokenFrom = spans.get(i)[0] * 1000L / RATE;
            long spokenTo = spans.get(i)[1] * 1000L / RATE;
            assertEquals(spokenFrom - PRE_ROLL_MS, s.startMillis(), 150, "sentence " + i + " start");
            assertEquals(spokenTo + PRE_ROLL_MS, s.endMillis(), 250, "sentence " + i + " end");
        }
    }
}

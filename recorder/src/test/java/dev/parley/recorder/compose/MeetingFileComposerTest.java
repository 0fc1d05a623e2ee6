package dev.parley.recorder.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.recorder.compose.TrackFile.Kind;
import dev.parley.recorder.media.Ffmpeg;
import dev.parley.recorder.media.RecordedTracks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The meeting file made by real ffmpeg from per-track files the recorder wrote: Alice talks (0-2 s) with her
 * camera on for the whole 5 s; Carol shows her camera until 1.5 s and leaves; Bob joins at 2.5 s with his camera
 * and talks from 3 s to 5 s. At most two cameras at once: two cells, and Bob takes the one Carol left.
 */
class MeetingFileComposerTest {
    private static final MeetingFileSettings SMALL = new MeetingFileSettings(160, 120, 640, 480, 15,
            Duration.ofSeconds(60), 3.0);

    @TempDir
    static Path dir;
    static List<TrackFile> meeting;
    static Path meetingFile;
    static MeetingFileOutcome outcome;

    @BeforeAll
    static void recordAndCompose() throws Exception {
        RecordedTracks recorded = new RecordedTracks(dir);
        Path aliceVoice = recorded.voice(dir.resolve("alice-audio.webm"), 0, 2000);
        recorded.camera(dir.resolve("alice-video.webm"), 0, 5000, null);
        Path bobVoice = recorded.voice(dir.resolve("bob-audio.webm"), 3000, 2000);
        recorded.camera(dir.resolve("bob-video.webm"), 2500, 2500, null);
        recorded.camera(dir.resolve("carol-video.webm"), 0, 1500, null);
        meeting = List.of(
                new TrackFile(aliceVoice, "p-alice", "Alice", Kind.AUDIO, 0, 2000, 0),
                new TrackFile(dir.resolve("alice-video.webm"), "p-alice", "Alice", Kind.VIDEO, 0, 5000, 0),
                new TrackFile(bobVoice, "p-bob", "Bob", Kind.AUDIO, 3000, 5000, 0),
                new TrackFile(dir.resolve("bob-video.webm"), "p-bob", "Bob", Kind.VIDEO, 2500, 5000, 0),
                new TrackFile(dir.resolve("carol-video.webm"), "p-carol", "Carol", Kind.VIDEO, 0, 1500, 0));
        meetingFile = dir.resolve("meeting.webm");
        outcome = new MeetingFileComposer(FfmpegTools.onPath(), SMALL).compose(meeting, meetingFile);
    }

    @Test
    void theMeetingFileHasOneAudioAndOneVideoStreamAsLongAsTheLongestTrack() throws Exception {
        MeetingFileOutcome.Made made = assertInstanceOf(MeetingFileOutcome.Made.class, outcome, outcome.describe());
        assertEquals(2, made.columns(), "two cameras were on at once: two cells side by side");
        assertEquals(1, made.rows());
        String streams = Ffmpeg.run("ffprobe", "-v", "error", "-show_entries",
                "stream=codec_type,codec_name,width,height", "-of", "csv=p=0", meetingFile.toString());
        assertEquals(List.of("vp8,video,320,120", "opus,audio"), streams.lines().map(String::strip)
                .map(l -> l.replaceAll(",+$", "")).toList());
        double duration = Double.parseDouble(Ffmpeg.probe(meetingFile).get("duration"));
        assertEquals(5.0, duration, 0.15);
        assertEquals(made.durationMillis() / 1000.0, duration, 0.01);
        assertFalse(Files.exists(dir.resolve(".meeting.webm.composing")), "no temporary file left");
    }

    @Test
    void voicesAreHeardWhenTheySpokeAndSilenceBetween() throws Exception {
        assertInstanceOf(MeetingFileOutcome.Made.class, outcome, outcome.describe());
        assertTrue(meanVolume(0.3, 1.4) > -35, "Alice speaks from 0 s to 2 s");
        assertTrue(maxVolume(2.3, 0.5) < -60, "nobody speaks between 2 s and 3 s");
        assertTrue(meanVolume(3.3, 1.4) > -35, "Bob speaks from 3 s on");
    }

    @Test
    void aParticipantWhoJoinedLateAppearsInTheirCellOnlyAfterTheJoin() throws Exception {
        assertInstanceOf(MeetingFileOutcome.Made.class, outcome, outcome.describe());
        int[] carol = cellMeans(1.0);
        assertTrue(carol[0] > 50, "Alice's picture is in the left cell: mean luma " + carol[0]);
        assertTrue(carol[1] > 50, "Carol's picture is in the right cell at 1 s: mean luma " + carol[1]);
        int[] before = cellMeans(2.0);
        assertTrue(before[0] > 50, "Alice's picture is in the left cell at 2 s: mean luma " + before[0]);
        assertTrue(before[1] < 24, "the right cell is black after Carol left, before Bob joined: " + before[1]);
        int[] after = cellMeans(4.0);
        assertTrue(after[0] > 50, "Alice still there at 4 s: " + after[0]);
        assertTrue(after[1] > 50, "Bob's picture is in the right cell after he joined: " + after[1]);
    }

    @Test
    void aMutedStretchStaysSilentAndTheSyncCorrectionMovesTheVoice() throws Exception {
        // Dave talks 0-1 s, is muted 1-3 s, talks 3-4 s; his sender reports say his voice is 0.5 s later.
        Path voice = new RecordedTracks(dir).voice(dir.resolve("dave-audio.webm"), 0, 4000, 1000, 2000);
        Path file = dir.resolve("dave-meeting.webm");
        MeetingFileOutcome o = new MeetingFileComposer(FfmpegTools.onPath(), SMALL).compose(
                List.of(new TrackFile(voice, "p-dave", "Dave", Kind.AUDIO, 0, 4000, 500)), file);
        MeetingFileOutcome.Made made = assertInstanceOf(MeetingFileOutcome.Made.class, o, o.describe());
        assertEquals(4.5, made.durationMillis() / 1000.0, 0.15);
        assertEquals(1, made.columns(), "no video: one black cell");
        assertTrue(volume(file, 0.0, 0.4, "max_volume") < -60, "nothing before the corrected start");
        assertTrue(volume(file, 0.7, 0.6, "mean_volume") > -35, "Dave's first words, 0.5 s late");
        assertTrue(volume(file, 1.7, 1.6, "max_volume") < -60, "the mute stays silence of its length");
        assertTrue(volume(file, 3.7, 0.6, "mean_volume") > -35, "Dave's words after the mute, in place");
    }

    @Test
    void withoutFfmpegTheOutcomeSaysSoAndNothingIsWritten() {
        Path target = dir.resolve("none.webm");
        MeetingFileOutcome o = new MeetingFileComposer(new FfmpegTools("/nonexistent/ffmpeg", "/nonexistent/ffprobe"),
                SMALL).compose(meeting, target);
        MeetingFileOutcome.FfmpegMissing missing = assertInstanceOf(MeetingFileOutcome.FfmpegMissing.class, o);
        assertTrue(missing.reason().startsWith("no meeting file: ffmpeg not installed"), missing.reason());
        assertFalse(Files.exists(target));
    }

    @Test
    void aCorruptTrackFailsWithFfmpegsErrorAndWritesNothing() throws Exception {
        Path corrupt = dir.resolve("corrupt.webm");
        byte[] junk = new byte[20_000];
        new Random(7).nextBytes(junk);
        Files.write(corrupt, junk);
        Path target = dir.resolve("corrupt-meeting.webm");
        MeetingFileOutcome o = new MeetingFileComposer(FfmpegTools.onPath(), SMALL).compose(List.of(meeting.get(0),
                new TrackFile(corrupt, "p-eve", "Eve", Kind.VIDEO, 0, 1000, 0)), target);
        MeetingFileOutcome.Failed failed = assertInstanceOf(MeetingFileOutcome.Failed.class, o);
        assertTrue(failed.reason().contains("ffmpeg exited with status"), failed.reason());
        assertTrue(failed.reason().contains("corrupt.webm"), "ffmpeg's error names the file: " + failed.reason());
        assertFalse(Files.exists(target));
        assertFalse(Files.exists(dir.resolve(".corrupt-meeting.webm.composing")));
    }

    @Test
    void aMissingTrackFileIsNamedAndNothingRuns() {
        Path gone = dir.resolve("gone.webm");
        MeetingFileOutcome o = new MeetingFileComposer(FfmpegTools.onPath(), SMALL).compose(
                List.of(new TrackFile(gone, "p-x", "X", Kind.AUDIO, 0, 1000, 0)), dir.resolve("x.webm"));
        MeetingFileOutcome.Failed failed = assertInstanceOf(MeetingFileOutcome.Failed.class, o);
        assertTrue(failed.reason().contains("gone.webm") && failed.reason().contains("missing"), failed.reason());
        assertInstanceOf(MeetingFileOutcome.Failed.class, new MeetingFileComposer(FfmpegTools.onPath(), SMALL)
                .compose(List.of(), dir.resolve("y.webm")));
    }

    @Test
    void aTrackThatEndsBeforeItStartsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrackFile(dir.resolve("a.webm"), "p", "P", Kind.AUDIO, 2000, 1000, 0));
        assertTrue(e.getMessage().contains("start 2000 ms and end 1000 ms"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> new TrackFile(dir.resolve("a.webm"), "p", "P", Kind.AUDIO, -1, 1000, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new TrackFile(dir.resolve("a.webm"), "p", "P", Kind.AUDIO, 0, 1000, 60_000));
    }

    private static double volume(Path file, double from, double length, String key) throws Exception {
        Ffmpeg.Result r = Ffmpeg.runAllowingFailure("ffmpeg", "-nostdin", "-v", "info", "-ss", Double.toString(from),
                "-t", Double.toString(length), "-i", file.toString(), "-vn", "-af", "volumedetect", "-f",
                "null", "-");
        assertEquals(0, r.exit(), r.stderr());
        Matcher m = Pattern.compile(key + ": (-?[0-9.]+|-inf) dB").matcher(r.stderr());
        assertTrue(m.find(), r.stderr());
        return "-inf".equals(m.group(1)) ? Double.NEGATIVE_INFINITY : Double.parseDouble(m.group(1));
    }

    private static double meanVolume(double from, double length) throws Exception {
        return volume(meetingFile, from, length, "mean_volume");
    }

    private static double maxVolume(double from, double length) throws Exception {
        return volume(meetingFile, from, length, "max_volume");
    }

    /** The mean luma of the left and right cells of the picture at {@code t} seconds. */
    private static int[] cellMeans(double t) throws Exception {
        Path frame = dir.resolve("frame-" + t + ".gray");
        Ffmpeg.run("ffmpeg", "-nostdin", "-v", "error", "-ss", Double.toString(t), "-i", meetingFile.toString(),
                "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-y", frame.toString());
        byte[] luma = Files.readAllBytes(frame);
        assertEquals(320 * 120, luma.length);
        long[] sums = new long[2];
        for (int y = 0; y < 120; y++) {
            for (int x = 0; x < 320; x++) {
                sums[x / 160] += luma[y * 320 + x] & 0xFF;
            }
        }
        return new int[] {(int) (sums[0] / (160 * 120)), (int) (sums[1] / (160 * 120))};
    }
}

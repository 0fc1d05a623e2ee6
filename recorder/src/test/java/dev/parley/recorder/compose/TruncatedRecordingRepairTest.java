package dev.parley.recorder.compose;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.recorder.media.Ffmpeg;
import dev.parley.recorder.media.RecordedTracks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files left by a crash: a copy of a camera's file taken in the middle of its recording (what {@code kill -9}
 * leaves on disk) is told from a finalized one and repaired into a finalized, seekable file.
 */
class TruncatedRecordingRepairTest {
    @TempDir
    static Path dir;
    static Path finalized;
    static Path crashed;
    static long framesWritten;
    static Path voiceCrashed;

    @BeforeAll
    static void record() throws Exception {
        RecordedTracks recorded = new RecordedTracks(dir);
        finalized = dir.resolve("camera.webm");
        crashed = dir.resolve("camera-at-crash.webm");
        framesWritten = recorded.camera(finalized, 0, 4000, crashed);
    }

    private final TruncatedRecordingRepair repair = new TruncatedRecordingRepair(FfmpegTools.onPath());

    @Test
    void theConditionTellsAFinalizedFileFromOneLeftByACrash() throws Exception {
        assertEquals(TrackFileCondition.FINALIZED, TrackFileCondition.of(finalized));
        assertEquals(TrackFileCondition.TRUNCATED, TrackFileCondition.of(crashed));
        Path empty = Files.createFile(dir.resolve("empty.webm"));
        assertEquals(TrackFileCondition.UNREADABLE, TrackFileCondition.of(empty));
    }

    @Test
    void aFileLeftByACrashIsRepairedUpToWhatWasFlushed() throws Exception {
        byte[] before = Files.readAllBytes(crashed);
        Path out = dir.resolve("camera-repaired.webm");
        RepairOutcome o = repair.repair(crashed, out);
        RepairOutcome.Repaired r = assertInstanceOf(RepairOutcome.Repaired.class, o, o.describe());
        assertTrue(r.truncated());
        double written = framesWritten / 30.0;
        Map<String, String> probe = Ffmpeg.probe(out);
        assertEquals("vp8", probe.get("codec_name"));
        double duration = Double.parseDouble(probe.get("duration"));
        assertTrue(duration <= written + 0.05 && duration >= written - 1.0,
                duration + " s recovered of " + written + " s written: at most one 1 s cluster lost");
        assertEquals(r.durationMillis() / 1000.0, duration, 0.01);
        assertEquals(TrackFileCondition.FINALIZED, TrackFileCondition.of(out));
        assertEquals(Integer.parseInt(probe.get("nb_read_packets")), Ffmpeg.decodeCleanly(out));
        // Seekable now: decoding from 2 s starts at a keyframe, cleanly.
        Ffmpeg.Result seek = Ffmpeg.runAllowingFailure("ffmpeg", "-nostdin", "-v", "error", "-ss", "2", "-i",
                out.toString(), "-f", "null", "-");
        assertEquals(0, seek.exit(), seek.stderr());
        assertEquals("", seek.stderr().strip());
        assertArrayEquals(before, Files.readAllBytes(crashed), "the crashed file is left as it was");
    }

    @Test
    void aClusterTornByTheCrashIsDroppedAndTheRestKept() throws Exception {
        byte[] whole = Files.readAllBytes(crashed);
        Path torn = dir.resolve("torn.webm");
        Files.write(torn, Arrays.copyOf(whole, whole.length - 700)); // the last cluster only partly written
        Path out = dir.resolve("torn-repaired.webm");
        RepairOutcome o = repair.repair(torn, out);
        RepairOutcome.Repaired r = assertInstanceOf(RepairOutcome.Repaired.class, o, o.describe());
        double written = framesWritten / 30.0;
        assertTrue(r.durationMillis() / 1000.0 >= written - 2.0 && r.durationMillis() / 1000.0 <= written,
                r.durationMillis() + " ms recovered of " + written + " s");
        assertEquals(Integer.parseInt(Ffmpeg.probe(out).get("nb_read_packets")), Ffmpeg.decodeCleanly(out));
    }

    @Test
    void aFinalizedFileNeedsNoRepair() {
        Path out = dir.resolve("unneeded.webm");
        assertInstanceOf(RepairOutcome.NotNeeded.class, repair.repair(finalized, out));
        assertFalse(Files.exists(out));
    }

    @Test
    void corruptInputFailsWithAReasonAndWritesNothing() throws Exception {
        byte[] junk = new byte[50_000];
        new Random(3).nextBytes(junk);
        Path noise = Files.write(dir.resolve("noise.webm"), junk);
        Path out = dir.resolve("noise-repaired.webm");
        assertEquals(TrackFileCondition.UNREADABLE, TrackFileCondition.of(noise));
        RepairOutcome.Failed failed = assertInstanceOf(RepairOutcome.Failed.class, repair.repair(noise, out));
        assertTrue(failed.reason().contains("noise.webm is not a WebM/Matroska file"), failed.reason());
        assertFalse(Files.exists(out));

        // A header whose clusters are garbage: ffmpeg finds no frame, the outcome says so.
        byte[] head = Files.readAllBytes(crashed);
        byte[] garbled = Arrays.copyOf(head, 600 + junk.length);
        System.arraycopy(junk, 0, garbled, 600, junk.length);
        Path bad = Files.write(dir.resolve("garbled.webm"), garbled);
        assertEquals(TrackFileCondition.TRUNCATED, TrackFileCondition.of(bad));
        RepairOutcome.Failed badOutcome = assertInstanceOf(RepairOutcome.Failed.class,
                repair.repair(bad, dir.resolve("garbled-repaired.webm")), () -> "garbled clusters");
        assertTrue(badOutcome.reason().startsWith("not repaired: "), badOutcome.reason());
        assertFalse(Files.exists(dir.resolve("garbled-repaired.webm")));
        assertFalse(Files.exists(dir.resolve(".garbled-repaired.webm.repairing")));
    }

    @Test
    void withoutFfmpegParleyFinalizesTheFileItself() throws Exception {
        TruncatedRecordingRepair own = new TruncatedRecordingRepair(
                new FfmpegTools("no-such-ffmpeg-here", "no-such-ffprobe"));
        Path out = dir.resolve("no-ffmpeg.webm");
        RepairOutcome o = own.repair(crashed, out);
        RepairOutcome.Repaired r = assertInstanceOf(RepairOutcome.Repaired.class, o, o.describe());
        assertTrue(r.truncated());
        assertEquals(TrackFileCondition.FINALIZED, TrackFileCondition.of(out));
        double written = framesWritten / 30.0;
        Map<String, String> probe = Ffmpeg.probe(out);
        double duration = Double.parseDouble(probe.get("duration"));
        assertTrue(duration <= written + 0.05 && duration >= written - 1.0,
                duration + " s recovered of " + written + " s written: at most one 1 s cluster lost");
        assertEquals(duration, r.durationMillis() / 1000.0, 0.04);
        assertEquals(Integer.parseInt(probe.get("nb_read_packets")), Ffmpeg.decodeCleanly(out));

        // A torn last cluster is left out.
        byte[] whole = Files.readAllBytes(crashed);
        Path torn = Files.write(dir.resolve("torn-own.webm"), Arrays.copyOf(whole, whole.length - 700));
        Path tornOut = dir.resolve("torn-own-repaired.webm");
        RepairOutcome.Repaired t = assertInstanceOf(RepairOutcome.Repaired.class, own.repair(torn, tornOut));
        assertTrue(t.durationMillis() < r.durationMillis() && t.durationMillis() >= r.durationMillis() - 1100,
                t.durationMillis() + " ms of " + r.durationMillis());
        assertEquals(TrackFileCondition.FINALIZED, TrackFileCondition.of(tornOut));
        assertEquals(Integer.parseInt(Ffmpeg.probe(tornOut).get("nb_read_packets")), Ffmpeg.decodeCleanly(tornOut));

        // Only the header: nothing to keep.
        Path headOnly = Files.write(dir.resolve("head-only.webm"), Arrays.copyOf(whole, 400));
        assertInstanceOf(RepairOutcome.Failed.class, own.repair(headOnly, dir.resolve("head-only-repaired.webm")));
        assertFalse(Files.exists(dir.resolve("head-only-repaired.webm")));
        assertInstanceOf(RepairOutcome.Failed.class, repair.repair(crashed, crashed), "never over the crashed file");
    }

    @Test
    void damagedHeadersAndClustersNeverThrow() throws Exception {
        TruncatedRecordingRepair own = new TruncatedRecordingRepair(
                new FfmpegTools("no-such-ffmpeg-here", "no-such-ffprobe"));
        byte[] whole = Files.readAllBytes(crashed);
        Random random = new Random(11);
        int repaired = 0;
        for (int i = 0; i < 300; i++) {
            byte[] damaged = Arrays.copyOf(whole, 1 + random.nextInt(whole.length));
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                int at = random.nextInt(Math.min(damaged.length, i % 2 == 0 ? 600 : damaged.length));
                damaged[at] = (byte) random.nextInt(256);
            }
            Path in = Files.write(dir.resolve("damaged.webm"), damaged);
            Path out = dir.resolve("damaged-" + i + ".webm");
            TrackFileCondition.of(in);
            RepairOutcome o = own.repair(in, out);
            if (o instanceof RepairOutcome.Repaired) {
                repaired++;
                assertEquals(TrackFileCondition.FINALIZED, TrackFileCondition.of(out), o.describe());
                Files.delete(out);
            } else {
                assertFalse(o.describe().isBlank());
                assertFalse(Files.exists(out), o.describe());
            }
        }
        assertTrue(repaired > 0, "some damage leaves complete clusters to keep");
    }
}

package dev.parley.recorder.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Running a program: a program that hangs is stopped at its timeout; a failure's reason is its error output. */
class FfmpegToolsTest {
    @Test
    void aProgramThatHangsIsStoppedAtItsTimeoutWithAReason() throws Exception {
        long start = System.nanoTime();
        FfmpegTools.Run r = FfmpegTools.run(List.of("sleep", "30"), Duration.ofMillis(300));
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "stopped, not waited for");
        assertTrue(r.timedOut());
        assertFalse(r.ok());
        assertEquals("ffmpeg did not finish in time and was stopped", r.reason("ffmpeg"));
    }

    @Test
    void aFailureReasonIsTheEndOfTheErrorOutput() throws Exception {
        FfmpegTools.Run r = FfmpegTools.run(List.of("sh", "-c",
                "i=0; while [ $i -lt 500 ]; do echo noise line $i >&2; i=$((i+1)); done; echo the real cause >&2;"
                        + " exit 3"), Duration.ofSeconds(20));
        assertEquals(3, r.exit());
        String reason = r.reason("ffmpeg");
        assertTrue(reason.startsWith("ffmpeg exited with status 3: ..."), reason);
        assertTrue(reason.endsWith("the real cause"), reason);
        assertTrue(reason.length() < 1600, "only the tail: " + reason.length());
    }

    @Test
    void missingProgramsAreNotInstalled() {
        assertFalse(new FfmpegTools("no-such-ffmpeg-here", "ffprobe").installed());
        assertFalse(new FfmpegTools("/nonexistent/ffmpeg", "/nonexistent/ffprobe").installed());
        assertFalse(new FfmpegTools("", "").installed());
    }
}

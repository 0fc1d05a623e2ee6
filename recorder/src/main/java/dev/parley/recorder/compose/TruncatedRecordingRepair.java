package dev.parley.recorder.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Turns a recording file left by a crash into a finalized one.
 *
 * <p>After {@code kill -9} a per-track file ends at its last flushed cluster (possibly with part of the next one),
 * with a Segment of unknown size and no Duration or Cues: it plays from the start but players cannot show its
 * length or seek. The repair remuxes it with {@code ffmpeg -c copy} (no re-encoding: every complete frame is kept
 * as it was, a torn last cluster is dropped), which writes the Segment size, Duration and Cues. The result is
 * written under a temporary name beside the target, checked ({@link TrackFileCondition#FINALIZED} and a duration
 * ffprobe reads), and only then moved into place; the crashed file is never changed. Blocking: call it from a
 * worker thread.
 *
 * <p>Without ffmpeg (a laptop running {@code ./start.sh}), Parley finalizes the file itself: it keeps the header
 * and the complete clusters and fills in the Segment size and the Duration, without Cues (players then seek by
 * reading the file).
 */
public final class TruncatedRecordingRepair {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final FfmpegTools tools;
    private final Duration timeout;

    /** @param timeout how long ffmpeg may take for one file (a remux reads and writes the file once) */
    public TruncatedRecordingRepair(FfmpegTools tools, Duration timeout) {
        this.tools = Objects.requireNonNull(tools, "tools");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive");
        }
    }

    /** With a timeout of ten minutes. */
    public TruncatedRecordingRepair(FfmpegTools tools) {
        this(tools, Duration.ofMinutes(10));
    }

    /**
     * Writes the repaired form of {@code crashed} at {@code repaired} (a different path; a file there is replaced
     * only on success). Never throws for a bad or unrepairable file: the outcome says what happened.
     */
    public RepairOutcome repair(Path crashed, Path repaired) {
        Objects.requireNonNull(crashed, "crashed");
        Objects.requireNonNull(repaired, "repaired");
        if (crashed.toAbsolutePath().normalize().equals(repaired.toAbsolutePath().normalize())) {
            return new RepairOutcome.Failed("not repaired: the repaired file must not replace the crashed one");
        }
        MatroskaHead head;
        try {
            head = MatroskaHead.read(crashed);
        } catch (MatroskaHead.NotMatroska e) {
            return new RepairOutcome.Failed("not repaired: " + crashed.getFileName() + " is not a WebM/Matroska"
                    + " file: " + e.getMessage());
        } catch (IOException e) {
            return new RepairOutcome.Failed("not repaired: cannot read " + crashed + ": " + e);
        }
        if (head.segmentSized && head.segmentComplete && head.hasDuration) {
            return new RepairOutcome.NotNeeded(crashed.getFileName() + " is finalized: nothing to repair");
        }
        Path temp = repaired.toAbsolutePath().resolveSibling("." + repaired.getFileName() + ".repairing");
        try {
            Files.deleteIfExists(temp);
            if (!tools.installed()) {
                return withoutFfmpeg(crashed, head, temp, repaired);
            }
            FfmpegTools.Run run = FfmpegTools.run(List.of(tools.ffmpeg(), "-nostdin", "-hide_banner", "-v", "error",
                    "-protocol_whitelist", "file", "-threads", "1", "-i", "file:" + crashed.toAbsolutePath(),
                    "-map", "0", "-c", "copy", "-threads", "1", "-f", head.docType, "-y", "file:" + temp), timeout);
            if (!run.ok() || !Files.exists(temp)) {
                return new RepairOutcome.Failed("not repaired: " + run.reason("ffmpeg"));
            }
            if (TrackFileCondition.of(temp) != TrackFileCondition.FINALIZED) {
                return new RepairOutcome.Failed("not repaired: ffmpeg's copy of " + crashed.getFileName()
                        + " is not finalized either");
            }
            long duration = tools.probeDurationMillis(temp, PROBE_TIMEOUT);
            if (duration <= 0) {
                return new RepairOutcome.Failed("not repaired: " + crashed.getFileName()
                        + " holds no complete frame");
            }
            Files.move(temp, repaired, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new RepairOutcome.Repaired(repaired, duration, true);
        } catch (IOException e) {
            return new RepairOutcome.Failed("not repaired: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RepairOutcome.Failed("not repaired: interrupted while ffmpeg was running");
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover temporary file is overwritten by the next attempt
            }
        }
    }

    /** Parley's own finalization (no Cues) for a machine without ffmpeg; the caller deletes {@code temp}. */
    private static RepairOutcome withoutFfmpeg(Path crashed, MatroskaHead head, Path temp, Path repaired)
            throws IOException {
        if (head.firstClusterAt < 0 || head.durationRoomAt < 0 || head.segmentSizeLength < 1) {
            return new RepairOutcome.FfmpegMissing("not repaired: " + FfmpegTools.NOT_INSTALLED + ", and "
                    + crashed.getFileName() + " has no room for a Duration; it plays as it is, without a duration");
        }
        FlushedClusters.Scan scan = FlushedClusters.scan(crashed, head);
        if (scan.clusters() == 0 || scan.lastTime() < 0) {
            return new RepairOutcome.Failed("not repaired: " + crashed.getFileName() + " holds no complete frame");
        }
        long duration = FlushedClusters.writeFinalized(crashed, head, scan, temp);
        Files.move(temp, repaired, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new RepairOutcome.Repaired(repaired, duration, true);
    }
}

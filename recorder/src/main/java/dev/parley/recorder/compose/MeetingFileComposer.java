package dev.parley.recorder.compose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Makes the meeting file: one WebM (VP8 + Opus) of the whole meeting from a recording's per-track files, with
 * every voice mixed and the videos in a grid that follows who was there ({@link MeetingGrid} says how).
 *
 * <p>ffmpeg does the work, as a subprocess on one thread ({@code -threads 1}), reading local files only
 * ({@code -protocol_whitelist file}), stopped after a timeout that grows with the meeting's length. Each voice
 * is delayed to its start on the recording's timeline ({@code adelay}), with gaps inside a track (mute, a
 * participant who left and came back) filled with silence; the voices are summed without normalization
 * ({@code amix}), so one speaker is as loud as in their own track. Each video is shifted to its start and
 * drawn in its cell of a black canvas while its track exists ({@code overlay ... enable=between(t,start,end)});
 * during a gap inside a track its last picture stays. The meeting file lasts until the last track ends and
 * always has one audio and one video stream (silence, a black picture when there is none of a kind).
 *
 * <p>The result is written beside the target under a temporary name and moved into place only when ffmpeg
 * succeeded, so a failure leaves nothing at the target. Blocking: call it from a worker thread, never from a
 * media or request thread. Thread-safe (it keeps no state between calls).
 */
public final class MeetingFileComposer {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(30);

    private final FfmpegTools tools;
    private final MeetingFileSettings settings;

    public MeetingFileComposer(FfmpegTools tools, MeetingFileSettings settings) {
        this.tools = Objects.requireNonNull(tools, "tools");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * Makes the meeting file of {@code tracks} at {@code target} (replacing a file there only on success).
     * Never throws for a failure of ffmpeg or of the input files: the outcome says what happened.
     */
    public MeetingFileOutcome compose(List<TrackFile> tracks, Path target) {
        Objects.requireNonNull(tracks, "tracks");
        Objects.requireNonNull(target, "target");
        if (!tools.installed()) {
            return new MeetingFileOutcome.FfmpegMissing("no meeting file: " + FfmpegTools.NOT_INSTALLED);
        }
        if (tracks.isEmpty()) {
            return new MeetingFileOutcome.Failed("no meeting file: the recording has no track files");
        }
        for (TrackFile t : tracks) {
            if (!Files.isRegularFile(t.file()) || !Files.isReadable(t.file())) {
                return new MeetingFileOutcome.Failed("no meeting file: track file " + t.file() + " of participant "
                        + t.participantId() + " is missing or unreadable");
            }
        }
        long durationMillis = 0;
        for (TrackFile t : tracks) {
            durationMillis = Math.max(durationMillis, t.placedEndMillis());
        }
        if (durationMillis == 0) {
            return new MeetingFileOutcome.Failed("no meeting file: every track is empty");
        }
        MeetingGrid grid = MeetingGrid.of(tracks);
        Path temp = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".composing");
        try {
            Files.deleteIfExists(temp);
            FfmpegTools.Run run = FfmpegTools.run(command(tracks, grid, durationMillis, temp),
                    settings.timeoutFor(durationMillis));
            if (!run.ok()) {
                return new MeetingFileOutcome.Failed("no meeting file: " + run.reason("ffmpeg"));
            }
            long made = tools.probeDurationMillis(temp, PROBE_TIMEOUT);
            if (made <= 0) {
                return new MeetingFileOutcome.Failed("no meeting file: ffprobe cannot read what ffmpeg wrote");
            }
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new MeetingFileOutcome.Made(target, made, grid.columns, grid.rows);
        } catch (IOException e) {
            return new MeetingFileOutcome.Failed("no meeting file: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new MeetingFileOutcome.Failed("no meeting file: interrupted while ffmpeg was running");
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // a leftover temporary file is overwritten by the next attempt
            }
        }
    }

    List<String> command(List<TrackFile> tracks, MeetingGrid grid, long durationMillis, Path output) {
        List<String> cmd = new ArrayList<>(List.of(tools.ffmpeg(), "-nostdin", "-hide_banner", "-v", "error",
                "-filter_complex_threads", "1"));
        for (TrackFile t : tracks) {
            // file: and an absolute path, so that no name is taken for an option or another protocol.
            cmd.addAll(List.of("-protocol_whitelist", "file", "-threads", "1", "-i",
                    "file:" + t.file().toAbsolutePath()));
        }
        cmd.addAll(List.of("-filter_complex", filterGraph(tracks, grid, durationMillis),
                "-map", "[video]", "-map", "[audio]",
                "-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8", "-b:v", videoBitrate(grid),
                "-g", Integer.toString(settings.frameRate() * 4),
                "-c:a", "libopus", "-b:a", "64k",
                "-threads", "1", "-t", seconds(durationMillis), "-f", "webm", "-y", "file:" + output));
        return cmd;
    }

    private int[] cellSize(MeetingGrid grid) {
        int w = Math.min(settings.cellWidth(), settings.maxWidth() / grid.columns);
        int h = Math.min(settings.cellHeight(), settings.maxHeight() / grid.rows);
        // Keep the cell's aspect ratio when it shrinks, and even sizes (4:2:0 chroma).
        double scale = Math.min((double) w / settings.cellWidth(), (double) h / settings.cellHeight());
        w = Math.max(2, (int) (settings.cellWidth() * scale) & ~1);
        h = Math.max(2, (int) (settings.cellHeight() * scale) & ~1);
        return new int[] {w, h};
    }

    private String videoBitrate(MeetingGrid grid) {
        int[] cell = cellSize(grid);
        long pixels = (long) cell[0] * cell[1] * grid.columns * grid.rows;
        // About 0.1 bit per pixel per frame at 30 fps, at least 200 kbit/s.
        return Math.max(200, pixels * 3 / 1000) + "k";
    }

    String filterGraph(List<TrackFile> tracks, MeetingGrid grid, long durationMillis) {
        int[] cell = cellSize(grid);
        StringBuilder g = new StringBuilder();
        g.append(String.format(Locale.ROOT, "color=c=black:s=%dx%d:r=%d:d=%s,format=yuv420p[canvas0];",
                cell[0] * grid.columns, cell[1] * grid.rows, settings.frameRate(), seconds(durationMillis)));
        int layer = 0;
        for (MeetingGrid.Placement p : grid.placements) {
            int input = p.input();
            TrackFile t = p.track();
            g.append(String.format(Locale.ROOT,
                    "[%d:v]setpts=PTS-STARTPTS+%s/TB,scale=w=%d:h=%d:force_original_aspect_ratio=decrease,"
                            + "pad=%d:%d:(ow-iw)/2:(oh-ih)/2:color=black,setsar=1,format=yuv420p[cam%d];",
                    input, seconds(t.placedStartMillis()), cell[0], cell[1], cell[0], cell[1], layer));
            g.append(String.format(Locale.ROOT,
                    "[canvas%d][cam%d]overlay=x=%d:y=%d:eof_action=pass:enable='between(t,%s,%s)'[canvas%d];",
                    layer, layer, grid.column(p.cell()) * cell[0], grid.row(p.cell()) * cell[1],
                    seconds(t.placedStartMillis()), seconds(t.placedEndMillis()), layer + 1));
            layer++;
        }
        g.append(String.format(Locale.ROOT, "[canvas%d]null[video];", layer));
        List<String> voices = new ArrayList<>();
        for (int i = 0; i < tracks.size(); i++) {
            TrackFile t = tracks.get(i);
            if (t.kind() != TrackFile.Kind.AUDIO) {
                continue;
            }
            g.append(String.format(Locale.ROOT,
                    "[%d:a]asetpts=PTS-STARTPTS,aresample=48000:async=1:first_pts=0,"
                            + "aformat=sample_fmts=fltp:channel_layouts=stereo,adelay=delays=%d:all=1[voice%d];",
                    i, t.placedStartMillis(), voices.size()));
            voices.add("[voice" + voices.size() + "]");
        }
        if (voices.isEmpty()) {
            g.append("anullsrc=r=48000:cl=stereo[mix];");
        } else {
            g.append(String.join("", voices)).append(String.format(Locale.ROOT,
                    "amix=inputs=%d:duration=longest:dropout_transition=0:normalize=0[mix];", voices.size()));
        }
        // Pad with silence to the picture's length; -t cuts both at the meeting's end.
        g.append("[mix]apad[audio]");
        return g.toString();
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%d.%03d", millis / 1000, millis % 1000);
    }
}

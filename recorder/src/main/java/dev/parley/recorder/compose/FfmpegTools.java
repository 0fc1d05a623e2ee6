package dev.parley.recorder.compose;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where Parley finds the {@code ffmpeg} and {@code ffprobe} programs (Debian package {@code ffmpeg}). They are
 * optional: without them the server still records per-track files, and the compose step says so instead of
 * failing.
 *
 * @param ffmpeg a program name looked up on {@code PATH}, or a path
 * @param ffprobe likewise
 */
public record FfmpegTools(String ffmpeg, String ffprobe) {
    /** Said when the programs are missing; the control plane offers the per-track files and manifest instead. */
    static final String NOT_INSTALLED = "ffmpeg not installed (Debian package ffmpeg)";
    private static final int STDERR_TAIL_CHARS = 1500;

    public FfmpegTools {
        Objects.requireNonNull(ffmpeg, "ffmpeg");
        Objects.requireNonNull(ffprobe, "ffprobe");
    }

    /** The programs by their usual names, looked up on {@code PATH}. */
    public static FfmpegTools onPath() {
        return new FfmpegTools("ffmpeg", "ffprobe");
    }

    /** Whether both programs exist and can be run. */
    public boolean installed() {
        return resolve(ffmpeg) != null && resolve(ffprobe) != null;
    }

    private static Path resolve(String program) {
        if (program.isEmpty()) {
            return null;
        }
        if (program.contains("/")) {
            Path p = Path.of(program);
            return Files.isExecutable(p) ? p : null;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, program);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** What a finished program run gave: its exit status, its output, and the end of its error output. */
    record Run(int exit, String stdout, String stderrTail, boolean timedOut) {
        boolean ok() {
            return exit == 0 && !timedOut;
        }

        /** A one-paragraph reason for a failed run, for a recording's {@code failed} status. */
        String reason(String what) {
            if (timedOut) {
                return what + " did not finish in time and was stopped";
            }
            String tail = stderrTail.isBlank() ? "(no error output)" : stderrTail.strip();
            return what + " exited with status " + exit + ": " + tail;
        }
    }

    /**
     * Runs a command to its end or until {@code timeout}, then kills it. Output goes to temporary files, so a
     * chatty program never blocks on a full pipe; stdin is closed.
     */
    static Run run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("parley-ffmpeg", ".out");
        Path err = Files.createTempFile("parley-ffmpeg", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(devNull()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            boolean finished;
            try {
                finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw e;
            }
            if (!finished) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            return new Run(finished ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    tail(err), !finished);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static java.io.File devNull() {
        return new java.io.File("/dev/null");
    }

    /** The end of the error output; only the end is read, however much a failing run wrote. */
    private static String tail(Path err) throws IOException {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(err)) {
            long from = Math.max(0, ch.size() - STDERR_TAIL_CHARS);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) (ch.size() - from));
            while (b.hasRemaining() && ch.read(b, from + b.position()) > 0) {
                // reads until the end
            }
            String text = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
            return from > 0 ? "..." + text : text;
        }
    }

    /**
     * The duration of a media file in milliseconds as ffprobe reads it (the format's duration), or -1 when it
     * cannot say.
     */
    public long probeDurationMillis(Path file, Duration timeout) throws IOException, InterruptedException {
        Run r = run(List.of(ffprobe, "-v", "error", "-protocol_whitelist", "file", "-show_entries",
                "format=duration", "-of", "default=nw=1:nk=1", "file:" + file.toAbsolutePath()), timeout);
        if (!r.ok()) {
            return -1;
        }
        try {
            return Math.round(Double.parseDouble(r.stdout().strip()) * 1000);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

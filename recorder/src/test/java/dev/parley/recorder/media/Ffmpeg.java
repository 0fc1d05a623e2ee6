package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import dev.parley.testkit.Required;

/**
 * Runs Debian's ffmpeg and ffprobe for the tests (the recorder's packages share it): to make real VP8, Opus and H.264 bitstreams, and to check
 * that what the recorder wrote is a file they read. Without them a test is skipped on a developer machine and
 * fails loudly under CI=true (scripts/install-test-tools.sh installs them).
 */
public final class Ffmpeg {
    private Ffmpeg() {
    }

    public static void require() {
        Required.program("ffmpeg", "ffmpeg");
        Required.program("ffprobe", "ffmpeg");
    }

    /** Runs a command; returns its stdout, fails the test with its stderr when it does not exit 0. */
    public static String run(String... command) throws IOException, InterruptedException {
        Result r = runAllowingFailure(command);
        if (r.exit != 0) {
            fail(String.join(" ", command) + " exited " + r.exit + ":\n" + r.stderr);
        }
        return r.stdout;
    }

    public record Result(int exit, String stdout, String stderr) {
    }

    public static Result runAllowingFailure(String... command) throws IOException, InterruptedException {
        Path err = Files.createTempFile("parley-ffmpeg", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 120 s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** The first stream's fields and the format's duration, as ffprobe reports them. */
    public static Map<String, String> probe(Path file) throws IOException, InterruptedException {
        String out = run("ffprobe", "-v", "error", "-count_packets", "-show_entries",
                "stream=codec_name,codec_type,width,height,sample_rate,channels,nb_read_packets:format=duration",
                "-of", "default=nw=1", file.toString());
        Map<String, String> fields = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                fields.putIfAbsent(line.substring(0, eq), line.substring(eq + 1).trim());
            }
        }
        return fields;
    }

    /** Presentation times of the packets of the first stream, in seconds. */
    public static List<Double> packetTimes(Path file) throws IOException, InterruptedException {
        String out = run("ffprobe", "-v", "error", "-select_streams", "0", "-show_entries", "packet=pts_time",
                "-of", "csv=p=0", file.toString());
        List<Double> times = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                times.add(Double.parseDouble(line.trim()));
            }
        }
        return times;
    }

    /** Decodes the whole file; fails the test on any decoding error, returns the number of frames decoded. */
    public static int decodeCleanly(Path file) throws IOException, InterruptedException {
        Result r = runAllowingFailure("ffmpeg", "-nostdin", "-v", "error", "-i", file.toString(), "-f", "null",
                "-");
        assertEquals(0, r.exit, () -> "ffmpeg could not decode " + file + ":\n" + r.stderr);
        assertEquals("", r.stderr.trim(), () -> "decoding " + file + " reported errors");
        String out = run("ffprobe", "-v", "error", "-count_frames", "-select_streams", "0", "-show_entries",
                "stream=nb_read_frames", "-of", "csv=p=0", file.toString());
        return Integer.parseInt(out.trim().split("[\\s,]")[0]);
    }
}

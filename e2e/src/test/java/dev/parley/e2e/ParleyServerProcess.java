package dev.parley.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real Parley server ({@code server/target/parley.jar}) running as a child process for a test: HTTP and
 * media on free loopback ports, a throw-away data directory, its output kept in {@code e2e/target/server-*.log}.
 * {@link #start(String)} returns once the server printed its ready line; {@link #close()} stops it.
 * Restart tests pass their own data directory (and flags) to {@link #start(String, Path, List)}, and stop the
 * process with {@link #kill()} (SIGKILL) or {@link #terminate()} (SIGTERM).
 */
public final class ParleyServerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile(
            "Parley ready at http://([^:/\\s]+):(\\d+)/ \\(media udp/(\\d+)(?:, ICE-TCP tcp/(\\d+))?\\)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path dataDir;
    private final boolean ownsDataDir;
    private final Path logFile;
    private final int httpPort;
    private final int mediaPort;
    private final int mediaTcpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ParleyServerProcess(Process process, Path dataDir, boolean ownsDataDir, Path logFile, int httpPort,
                                int mediaPort, int mediaTcpPort) {
        this.mediaTcpPort = mediaTcpPort;
        this.process = process;
        this.dataDir = dataDir;
        this.ownsDataDir = ownsDataDir;
        this.logFile = logFile;
        this.httpPort = httpPort;
        this.mediaPort = mediaPort;
    }

    /**
     * Starts the server and waits for its ready line.
     *
     * @param label names the log file ({@code server-<label>-<time>.log}), e.g. the test class
     * @throws IllegalStateException when the jar is missing, the process exits, or it is not ready in time
     */
    public static ParleyServerProcess start(String label) throws IOException {
        return start(label, null, List.of());
    }

    /**
     * Starts the server on {@code dataDir} (kept on close, so a second process can start on it; null means a
     * throw-away one) with {@code extraArgs} appended to the command line, e.g. {@code --db-url ...}.
     */
    public static ParleyServerProcess start(String label, Path dataDir, List<String> extraArgs) throws IOException {
        return start(label, dataDir, extraArgs, List.of());
    }

    /**
     * {@link #start(String, Path, List)} with {@code launcher} put before the java command, e.g. {@code ip netns
     * exec NAME} to run the server in a network namespace (this process then cannot reach its HTTP port).
     */
    public static ParleyServerProcess start(String label, Path dataDir, List<String> extraArgs, List<String> launcher)
            throws IOException {
        Path jar = E2eFiles.serverJar();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("No Parley server jar at " + jar.toAbsolutePath()
                    + ": build it first (./mvnw -pl server -am package -DskipTests), or run the whole build (./test.sh)");
        }
        boolean owns = dataDir == null;
        if (owns) {
            dataDir = Files.createTempDirectory("parley-e2e-data-");
        }
        Path logFile = E2eFiles.outputDir().resolve("server-" + label + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")) + ".log");
        Files.createDirectories(logFile.getParent());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(launcher);
        command.addAll(List.of(java.toString(), "-Djava.net.preferIPv4Stack=true", "-jar", jar.toString(),
                "--http-port", "0", "--media-port", "0", "--public-ip", "127.0.0.1", "--http-bind", "127.0.0.1", "--data-dir", dataDir.toString()));
        command.addAll(extraArgs);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Matcher> ready = new CompletableFuture<>();
        Thread pump = new Thread(() -> pumpOutput(process, logFile, ready), "parley-server-log-" + label);
        pump.setDaemon(true);
        pump.start();
        try {
            Matcher line = ready.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return new ParleyServerProcess(process, dataDir, owns, logFile,
                    Integer.parseInt(line.group(2)), Integer.parseInt(line.group(3)),
                    line.group(4) == null ? -1 : Integer.parseInt(line.group(4)));
        } catch (TimeoutException | ExecutionException | InterruptedException e) {
            process.destroyForcibly();
            if (owns) {
                deleteRecursively(dataDir);
            }
            String why = e instanceof TimeoutException ? "did not print its ready line within " + START_TIMEOUT.toSeconds() + " s"
                    : e instanceof ExecutionException ee ? ee.getCause().getMessage() : "interrupted while starting";
            throw new IllegalStateException("Parley server " + why + "; command: " + String.join(" ", command)
                    + "\n--- last lines of " + logFile + " ---\n" + tail(logFile), e);
        }
    }

    // Copies the server's output to the log file and completes `ready` on the ready line, or exceptionally on EOF.
    private static void pumpOutput(Process process, Path logFile, CompletableFuture<Matcher> ready) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                Matcher matcher = READY.matcher(line);
                if (!ready.isDone() && matcher.find()) ready.complete(matcher);
            }
            ready.completeExceptionally(new IllegalStateException("exited before it was ready (exit code "
                    + process.waitFor() + ")"));
        } catch (IOException | InterruptedException e) {
            ready.completeExceptionally(e);
        }
    }

    /** The base URL of the web client and APIs, e.g. {@code http://127.0.0.1:41234}. */
    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + httpPort);
    }

    /** The UDP port all media arrives on. */
    public int mediaPort() {
        return mediaPort;
    }

    /** The ICE-TCP port (started with {@code --media-tcp-port}), or -1. */
    public int mediaTcpPort() {
        return mediaTcpPort;
    }

    /** The file the server's stdout and stderr go to. */
    public Path logFile() {
        return logFile;
    }

    /** A GET on the server's HTTP port, with headers given as name, value, name, value, ... */
    public HttpResponse<String> get(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(baseUri().resolve(path)).timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            builder.header(headers[i], headers[i + 1]);
        }
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during GET " + path, e);
        }
    }

    /** The token /metrics asks for: the one the server generated into its data directory. */
    public String metricsToken() {
        try {
            return Files.readString(dataDir.resolve("metrics-token"), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new UncheckedIOException("the server wrote no metrics token into " + dataDir, e);
        }
    }

    /**
     * A request with a JSON body (or none when {@code json} is null) and, when not null, a bearer token, e.g.
     * {@code request("POST", "/api/v1/meetings", access, "{...}")}.
     */
    public HttpResponse<String> request(String method, String path, String bearer, String json) {
        HttpRequest.Builder b = HttpRequest.newBuilder(baseUri().resolve(path)).timeout(Duration.ofSeconds(10))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    /** The server's Prometheus metrics, parsed (fetched with the metrics token). */
    public PrometheusText metrics() {
        HttpResponse<String> response = get("/metrics", "Authorization", "Bearer " + metricsToken());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("/metrics answered " + response.statusCode() + ": " + response.body());
        }
        return PrometheusText.parse(response.body());
    }

    /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the server", e);
        }
        if (process.isAlive()) {
            throw new IllegalStateException("the server survived SIGKILL for " + STOP_TIMEOUT.toSeconds() + " s");
        }
    }

    /**
     * Sends SIGTERM (the server's ordered shutdown runs) and waits for the process to end.
     *
     * @return its exit code
     * @throws IllegalStateException when it has not exited within {@code timeout} (it is then killed)
     */
    public int terminate(Duration timeout) {
        process.destroy();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the server did not exit within " + timeout.toSeconds()
                        + " s of SIGTERM; see " + logFile);
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the server", e);
        }
    }

    /** Stops the server (gracefully, then forcibly) and deletes its data directory unless the test gave it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            if (ownsDataDir) {
                deleteRecursively(dataDir);
            }
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Deletes a directory tree, e.g. a data directory a test passed to {@link #start(String, Path, List)}. */
    public static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            List<Path> all = new ArrayList<>(paths.toList());
            all.sort(Comparator.reverseOrder());
            for (Path path : all) Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A temp directory left behind is harmless; the OS cleans /tmp.
        }
    }
}

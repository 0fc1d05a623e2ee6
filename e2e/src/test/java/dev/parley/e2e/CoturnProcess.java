package dev.parley.e2e;

import dev.parley.testkit.Eventually;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A real coturn ({@code turnserver} from Debian's coturn package) started by a test with Parley's shipped
 * {@code turn/turnserver.conf}, plus a few test lines appended after it (later lines win in coturn's file): listen
 * and relay on 127.0.0.1 only, a free port for UDP and TCP, a test secret, no TLS, and the one exception the
 * shipped file documents for a Parley on a private address, {@code allowed-peer-ip=127.0.0.1} (with
 * {@code allow-loopback-peers}, which coturn needs before it relays to loopback at all). Every other rule, the
 * denied ranges among them, is the shipped file's. Its output goes to {@code e2e/target/coturn-<label>-*.log}.
 */
final class CoturnProcess implements AutoCloseable {
    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final Path dir;
    private final int port;
    private final String secret;
    private final Path logFile;

    private CoturnProcess(Process process, Path dir, int port, String secret, Path logFile) {
        this.process = process;
        this.dir = dir;
        this.port = port;
        this.secret = secret;
        this.logFile = logFile;
    }

    /** Starts coturn with {@code secret} as its static-auth-secret; fails (never skips) when coturn is missing. */
    static CoturnProcess start(String label, String secret) throws IOException {
        if (!Files.isExecutable(TURNSERVER)) {
            throw new IllegalStateException("The TURN tests need coturn at " + TURNSERVER
                    + ": install it (as root: apt-get install -y coturn; scripts/install-test-tools.sh does this)");
        }
        Path shipped = shippedConfig();
        Path dir = Files.createTempDirectory("parley-coturn-");
        int port = freeUdpAndTcpPort();
        // A random window of relay ports, so that parallel runs rarely meet; coturn skips ports in use.
        int minPort = 50_000 + 100 * ThreadLocalRandom.current().nextInt(150);
        String overrides = String.join("\n",
                "", "# --- test overrides (CoturnProcess): loopback only",
                "listening-ip=127.0.0.1", "relay-ip=127.0.0.1",
                "listening-port=" + port, "min-port=" + minPort, "max-port=" + (minPort + 99),
                "static-auth-secret=" + secret, "realm=parley.test", "server-name=parley.test",
                "allow-loopback-peers", "allowed-peer-ip=127.0.0.1",
                "no-tls", "log-file=stdout", "pidfile=" + dir.resolve("turnserver.pid"),
                "userdb=" + dir.resolve("turndb"), "");
        Path config = dir.resolve("turnserver.conf");
        Files.writeString(config, Files.readString(shipped) + overrides);
        Path logFile = E2eFiles.outputDir().resolve("coturn-" + label + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")) + ".log");
        Files.createDirectories(logFile.getParent());
        Process process = new ProcessBuilder(TURNSERVER.toString(), "-c", config.toString())
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        CoturnProcess coturn = new CoturnProcess(process, dir, port, secret, logFile);
        try {
            Eventually.await(START_TIMEOUT, "coturn listening on 127.0.0.1:" + port + " (see " + logFile + ")",
                    () -> !process.isAlive() || coturn.acceptsTcp());
            if (!process.isAlive()) {
                throw new IllegalStateException("coturn exited with " + process.exitValue() + " at start; see " + logFile);
            }
            return coturn;
        } catch (RuntimeException | Error e) {
            coturn.close();
            throw e;
        }
    }

    /** Parley's {@code turn/turnserver.conf}: the file under test. */
    static Path shippedConfig() {
        Path file = Path.of(System.getProperty("parley.turnConf", "../turn/turnserver.conf"));
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no shipped coturn configuration at " + file.toAbsolutePath());
        }
        return file;
    }

    /** The UDP and TCP port coturn listens on (127.0.0.1). */
    int port() {
        return port;
    }

    String secret() {
        return secret;
    }

    Path logFile() {
        return logFile;
    }

    /** The URLs Parley hands to browsers for this server: TURN over UDP, and over TCP. */
    List<String> urls() {
        return List.of("turn:127.0.0.1:" + port + "?transport=udp", "turn:127.0.0.1:" + port + "?transport=tcp");
    }

    private boolean acceptsTcp() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                int candidate = udp.getLocalPort();
                try (ServerSocket tcp = new ServerSocket()) {
                    tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate));
                    return candidate;
                } catch (IOException taken) {
                    // that port is free for UDP only; try another
                }
            }
        }
        throw new IOException("no port free for both UDP and TCP on 127.0.0.1 after 50 tries");
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            ParleyServerProcess.deleteRecursively(dir);
        }
    }
}

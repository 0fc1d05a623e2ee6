package dev.parley.server;

import dev.parley.testkit.Eventually;
import dev.parley.testkit.NginxGateway;
import dev.parley.testkit.TestCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real coturn (Debian's turnserver) listening only for TURN over TLS on loopback, with the test certificate. */
final class Coturn implements AutoCloseable {
    private final Process process;
    private final Path dir;

    private Coturn(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    /** Starts coturn with TLS on {@code tlsPort} (certificate: {@link TestCertificate#writePem} in {@code dir}). */
    static Coturn startTlsOnly(Path dir, int tlsPort) throws Exception {
        String program = Files.isExecutable(Path.of("/usr/bin/turnserver")) ? "/usr/bin/turnserver" : "turnserver";
        List<String> command = List.of(program, "-n", "--no-cli", "--listening-ip", "127.0.0.1",
                "--listening-port", Integer.toString(NginxGateway.freePort()), "--tls-listening-port", Integer.toString(tlsPort),
                "--no-udp", "--no-tcp", "--no-dtls", "--cert", TestCertificate.certificateFile(dir).toString(),
                "--pkey", TestCertificate.keyFile(dir).toString(), "--realm", "parley.test", "--use-auth-secret",
                "--static-auth-secret", "gateway-test-secret", "--userdb", dir.resolve("turndb").toString(),
                "--pidfile", dir.resolve("turnserver.pid").toString(), "--log-file", "stdout", "--simple-log");
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("coturn.out").toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("coturn is not installed: run scripts/install-test-tools.sh (Debian package coturn)", e);
        }
        Coturn coturn = new Coturn(p, dir);
        try {
            Eventually.await(Duration.ofSeconds(15), "coturn listening on " + tlsPort, () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("coturn exited with " + p.exitValue() + ":\n" + coturn.log());
                }
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", tlsPort), 200);
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException | Error e) {
            coturn.close();
            throw e;
        }
        return coturn;
    }

    String log() {
        try {
            return Files.readString(dir.resolve("coturn.out"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

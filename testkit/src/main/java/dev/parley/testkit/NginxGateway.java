package dev.parley.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's, from scripts/install-test-tools.sh) running the SHIPPED gateway configuration of
 * {@code nginx/}. The shipped files read a few small site files relative to nginx's configuration directory
 * ({@code parley/upstream.conf}, {@code parley/site.conf}, and for TURN on 443 {@code parley/stream-*.conf});
 * only those are written here, with the test's ports, certificate and Parley address. The main file written here
 * includes the shipped {@code parley.conf} (and {@code turn-tls-443.conf}) from the repository as they are.
 */
public final class NginxGateway implements AutoCloseable {
    /** The repository's nginx/ directory (tests run in the module directory). */
    public static final Path SHIPPED = Path.of("../nginx").toAbsolutePath().normalize();
    private static final Path DEBIAN_STREAM_MODULE = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");

    /**
     * TURN over TLS on 443, the optional stream part: nginx's public port, the internal hop that drops the
     * PROXY header, coturn's TLS port, and the server name that means TURN.
     */
    public record TurnOn443(int publicPort, int hopPort, int coturnTlsPort, String turnName) {}

    private final Process process;
    private final Path dir;
    public final int httpsPort;

    private NginxGateway(Process process, Path dir, int httpsPort) {
        this.process = process;
        this.dir = dir;
        this.httpsPort = process == null ? -1 : httpsPort;
    }

    /** nginx's program: /usr/sbin/nginx (not on a normal user's PATH) or the one on PATH. */
    public static String program() {
        if (Files.isExecutable(Path.of("/usr/sbin/nginx"))) {
            return "/usr/sbin/nginx";
        }
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "nginx"))) {
                return Path.of(d, "nginx").toString();
            }
        }
        throw new AssertionError("nginx is not installed: run scripts/install-test-tools.sh (Debian package nginx)");
    }

    /**
     * Writes the gateway's configuration into {@code dir}: the test certificate, the site files and a main
     * {@code nginx.conf} that includes the shipped files. Returns the main file.
     *
     * @param turn null for HTTPS only; otherwise the HTTPS server takes connections from the stream part with
     *             the PROXY protocol, as turn-tls-443.conf tells operators to set it up
     */
    public static Path writeConfig(Path dir, TestCertificate cert, int parleyPort, int httpsPort, TurnOn443 turn) throws Exception {
        Path site = Files.createDirectories(dir.resolve("parley"));
        Files.createDirectories(dir.resolve("temp"));
        cert.writePem(dir);
        Files.writeString(site.resolve("upstream.conf"), """
                upstream parley {
                    server 127.0.0.1:%d;
                    keepalive 16;
                }
                """.formatted(parleyPort));
        String listen = turn == null
                ? "listen 127.0.0.1:%d ssl http2;\n".formatted(httpsPort)
                : "listen 127.0.0.1:%d ssl http2 proxy_protocol;\nset_real_ip_from 127.0.0.1;\nreal_ip_header proxy_protocol;\n"
                        .formatted(httpsPort);
        Files.writeString(site.resolve("site.conf"), listen + """
                server_name localhost;
                ssl_certificate %s;
                ssl_certificate_key %s;
                """.formatted(TestCertificate.certificateFile(dir), TestCertificate.keyFile(dir)));
        StringBuilder main = new StringBuilder();
        if (turn != null && Files.exists(DEBIAN_STREAM_MODULE)) {
            main.append("load_module ").append(DEBIAN_STREAM_MODULE).append(";\n");
        }
        if ("root".equals(System.getProperty("user.name"))) {
            // Workers otherwise run as nobody and cannot reach the temp directories under the test's 0700 dir.
            main.append("user root;\n");
        }
        Path temp = dir.resolve("temp");
        main.append("""
                worker_processes 1;
                events { worker_connections 256; }
                http {
                    access_log %1$s/access.log;
                    client_body_temp_path %2$s/body;
                    proxy_temp_path %2$s/proxy;
                    fastcgi_temp_path %2$s/fastcgi;
                    uwsgi_temp_path %2$s/uwsgi;
                    scgi_temp_path %2$s/scgi;
                    include %3$s;
                }
                """.formatted(dir, temp, SHIPPED.resolve("parley.conf")));
        if (turn != null) {
            Files.writeString(site.resolve("stream-site.conf"), """
                    upstream parley_https { server 127.0.0.1:%d; }
                    upstream parley_turn_hop { server 127.0.0.1:%d; }
                    upstream parley_coturn_tls { server 127.0.0.1:%d; }
                    map $ssl_preread_server_name $parley_by_name {
                        hostnames;
                        %s parley_turn_hop;
                        default parley_https;
                    }
                    """.formatted(httpsPort, turn.hopPort(), turn.coturnTlsPort(), turn.turnName()));
            Files.writeString(site.resolve("stream-listen.conf"), "listen 127.0.0.1:%d;\n".formatted(turn.publicPort()));
            Files.writeString(site.resolve("stream-hop-listen.conf"), "listen 127.0.0.1:%d proxy_protocol;\n".formatted(turn.hopPort()));
            main.append("include ").append(SHIPPED.resolve("turn-tls-443.conf")).append(";\n");
        }
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, main);
        return conf;
    }

    /** {@code nginx -t} on {@code conf}: the whole output, failing the test unless nginx accepts it. */
    public static String check(Path conf) throws Exception {
        Path dir = conf.getParent();
        Process p = new ProcessBuilder(command(dir, conf, "-t")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("nginx -t refused " + conf + ":\n" + out);
        }
        return out;
    }

    /** Writes the configuration into {@code dir} and starts nginx on it, in the foreground; returns once it listens. */
    public static NginxGateway start(Path dir, TestCertificate cert, int parleyPort, TurnOn443 turn) throws Exception {
        int httpsPort = freePort();
        Path conf = writeConfig(dir, cert, parleyPort, httpsPort, turn);
        check(conf);
        Process p = new ProcessBuilder(command(dir, conf, "-g", "daemon off;"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        NginxGateway gateway = new NginxGateway(p, dir, httpsPort);
        int publicPort = turn == null ? httpsPort : turn.publicPort();
        try {
            Eventually.await(Duration.ofSeconds(15), "nginx listening on " + publicPort, () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("nginx exited with " + p.exitValue() + ":\n" + gateway.log());
                }
                return accepts(publicPort);
            });
        } catch (RuntimeException | Error e) {
            gateway.close();
            throw e;
        }
        return gateway;
    }

    private static List<String> command(Path dir, Path conf, String... more) {
        List<String> c = new ArrayList<>(List.of(program(), "-p", dir + "/", "-c", conf.toString()));
        List<String> extra = new ArrayList<>(List.of(more));
        // The pid file and error log go into the test's directory, not /run and /var/log.
        String globals = "pid " + dir.resolve("nginx.pid") + "; error_log " + dir.resolve("error.log") + " info;";
        int g = extra.indexOf("-g");
        if (g >= 0) {
            extra.set(g + 1, extra.get(g + 1) + " " + globals);
        } else {
            extra.addAll(List.of("-g", globals));
        }
        c.addAll(extra);
        return c;
    }

    /** nginx's error log and console output so far, for failure messages. */
    public String log() {
        StringBuilder b = new StringBuilder();
        for (String f : new String[] {"nginx.out", "error.log"}) {
            try {
                Path file = dir.resolve(f);
                if (Files.exists(file)) {
                    b.append("--- ").append(f).append('\n').append(Files.readString(file));
                }
            } catch (IOException e) {
                b.append(e);
            }
        }
        return b.toString();
    }

    /** The access log: one line per request, beginning with the client address nginx saw. */
    public String accessLog() throws IOException {
        Path file = dir.resolve("access.log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops nginx (SIGTERM: fast shutdown) and waits for it. */
    @Override
    public void close() {
        if (process == null) {
            return;
        }
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

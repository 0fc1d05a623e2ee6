package dev.parley.server;

import dev.parley.sfu.dtls.DtlsWarmUp;
import java.util.Arrays;
import java.util.Map;

/** {@code java -jar parley.jar}: starts a meeting server from flags, environment and an optional config file. */
public final class Main {
    /** Enough for the JIT to compile the handshake's EC arithmetic (docs/performance.md, join to first frame). */
    private static final int DTLS_WARM_UP_HANDSHAKES = 20;

    private Main() {}

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
            System.out.print(Settings.help());
            return;
        }
        ServerConfig config;
        try {
            config = ServerConfig.from(Settings.resolve(args, System.getenv()));
        } catch (IllegalArgumentException e) {
            System.err.println("parley: " + e.getMessage());
            System.exit(2);
            return;
        }
        configureLogging(config.logLevel());
        ParleyServer server = new ParleyServer(config);
        try {
            server.start();
        } catch (Exception e) {
            System.err.println("parley: " + e.getMessage());
            server.close();
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "parley-shutdown"));
        // The first participants' DTLS handshakes would otherwise run BouncyCastle's EC code interpreted.
        DtlsWarmUp.startInBackground(DTLS_WARM_UP_HANDSHAKES);
        // Tests and scripts wait for exactly this line.
        System.out.println("Parley ready at " + server.url() + " (media " + server.mediaPorts() + ")");
        System.out.flush();
    }

    private static void configureLogging(String level) {
        Map<String, String> defaults = Map.of(
                "org.slf4j.simpleLogger.defaultLogLevel", level,
                "org.slf4j.simpleLogger.showDateTime", "true",
                "org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
                "org.slf4j.simpleLogger.showShortLogName", "true",
                "org.slf4j.simpleLogger.levelInBrackets", "true",
                "org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn",
                "org.slf4j.simpleLogger.log.org.ice4j", "warn",
                "org.slf4j.simpleLogger.log.io.netty", "warn",
                "org.slf4j.simpleLogger.log.org.jitsi", "warn");
        defaults.forEach((k, v) -> {
            if (System.getProperty(k) == null) {
                System.setProperty(k, v);
            }
        });
        // ice4j and jitsi-srtp log through java.util.logging: route it into the same log lines.
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
    }
}

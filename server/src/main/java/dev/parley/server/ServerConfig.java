package dev.parley.server;

import dev.parley.signaling.AllowedOrigins;
import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.MediaPortRange;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.dtls.HandshakeLimits;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** The server's validated settings. Every check names the setting and where its value came from. */
record ServerConfig(
        int httpPort,
        InetAddress httpBind,
        int mediaPort,
        InetAddress mediaBind,
        List<InetAddress> announcedAddresses,
        Path dataDir,
        Duration consentTimeout,
        int maxParticipants,
        HandshakeLimits handshakeLimits,
        List<String> stunUrls,
        List<String> turnUrls,
        String turnSecret,
        String dbUrl,
        String dbUser,
        String dbPassword,
        String jwtSecret,
        boolean authRequired,
        String publicUrl,
        String redisUrl,
        String kafkaBootstrap,
        UsageLimits limits,
        String metricsToken,
        Integer metricsPort,
        InetAddress metricsBind,
        boolean metricsUserLabels,
        List<String> allowedOrigins,
        RecordingConfig recording,
        String logLevel,
        MediaPortRange mediaPortRange,
        IceTcpConfig iceTcp,
        Duration turnTtl,
        int mediaSocketBuffer,
        NodeSettings nodes,
        AiConfig ai,
        int mediaThreads,
        int maxPublishBitrate,
        int lastN,
        Duration reconnectGrace,
        boolean simulcast) {

    static ServerConfig from(Settings s) {
        int httpPort = port(s, "http-port");
        InetAddress httpBind = address(s, "http-bind", s.get("http-bind"));
        int mediaPort = port(s, "media-port");
        List<InetAddress> publicIps = new ArrayList<>();
        for (String ip : list(s.get("public-ip"))) {
            publicIps.add(address(s, "public-ip", ip));
        }
        boolean loopbackOnly = !publicIps.isEmpty() && publicIps.stream().allMatch(InetAddress::isLoopbackAddress);
        String mediaBindSetting = s.get("media-bind");
        InetAddress mediaBind;
        if (!mediaBindSetting.isEmpty()) {
            mediaBind = address(s, "media-bind", mediaBindSetting);
        } else if (loopbackOnly) {
            mediaBind = publicIps.getFirst();
        } else {
            mediaBind = address(s, "media-bind", "0.0.0.0");
        }
        List<InetAddress> announced = new ArrayList<>(publicIps);
        if (!loopbackOnly && mediaBind.isAnyLocalAddress()) {
            for (InetAddress local : localAddresses()) {
                if (!announced.contains(local)) {
                    announced.add(local);
                }
            }
        } else if (!mediaBind.isAnyLocalAddress() && !announced.contains(mediaBind)) {
            announced.add(mediaBind);
        }
        if (announced.isEmpty()) {
            announced.add(InetAddress.getLoopbackAddress());
        }
        String logLevel = s.get("log-level").toLowerCase(Locale.ROOT);
        if (!List.of("error", "warn", "info", "debug", "trace").contains(logLevel)) {
            throw invalid(s, "log-level", "must be one of error, warn, info, debug, trace");
        }
        String dataDir = s.get("data-dir");
        if (dataDir.isBlank()) {
            throw invalid(s, "data-dir", "must not be empty");
        }
        String turnSecret = s.get("turn-secret");
        List<String> turnUrls = list(s.get("turn-urls"));
        for (String u : turnUrls) {
            String problem = turnUrlProblem(u);
            if (problem != null) {
                throw invalid(s, "turn-urls", "'" + u + "' " + problem);
            }
        }
        List<String> stunUrls = list(s.get("stun-urls"));
        for (String u : stunUrls) {
            if (!u.startsWith("stun:") && !u.startsWith("stuns:")) {
                throw invalid(s, "stun-urls", "'" + u + "' is not a stun: or stuns: URL");
            }
        }
        if (!turnUrls.isEmpty() && turnSecret.isEmpty()) {
            throw invalid(s, "turn-urls", "TURN servers need --turn-secret (coturn's static-auth-secret) so browsers get credentials");
        }
        String authRequired = s.get("auth-required").toLowerCase(Locale.ROOT);
        if (!authRequired.equals("true") && !authRequired.equals("false")) {
            throw invalid(s, "auth-required", "must be true or false");
        }
        String publicUrl = s.get("public-url");
        if (!publicUrl.isEmpty() && !publicUrl.matches("https?://[^\\s/]+(/.*)?")) {
            throw invalid(s, "public-url", "must be an http:// or https:// URL");
        }
        String dbUrl = s.get("db-url");
        if (!dbUrl.isEmpty() && !dbUrl.startsWith("jdbc:postgresql:") && !dbUrl.startsWith("jdbc:h2:")) {
            throw invalid(s, "db-url", "must be a jdbc:postgresql: (or jdbc:h2:) URL");
        }
        int handshakeThreads = positive(s, "dtls-handshake-threads", 2, 1024);
        int perSource = positive(s, "dtls-pending-per-source", 1, 1024);
        if (perSource >= handshakeThreads) {
            throw invalid(s, "dtls-pending-per-source", "must be less than dtls-handshake-threads ("
                    + handshakeThreads + "), or one address could take every handshake thread");
        }
        int perRoom = positive(s, "dtls-pending-per-room", 1, 10_000);
        HandshakeLimits defaults = HandshakeLimits.DEFAULTS;
        HandshakeLimits handshakeLimits = new HandshakeLimits(handshakeThreads, 2 * handshakeThreads, perSource,
                perRoom, defaults.firstFlightTimeout(), defaults.handshakeTimeout());
        String redisUrl = s.get("redis-url");
        if (!redisUrl.isEmpty() && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
            throw invalid(s, "redis-url", "must be a redis:// or rediss:// URL");
        }
        int tracksPerParticipant = positive(s, "max-tracks-per-participant", 1, 64);
        int tracksPerRoom = positive(s, "max-tracks-per-room", 1, 10_000);
        if (tracksPerRoom < tracksPerParticipant) {
            throw invalid(s, "max-tracks-per-room", "must not be smaller than max-tracks-per-participant (" + tracksPerParticipant + ")");
        }
        List<String> trustedProxies = new ArrayList<>();
        for (String ip : list(s.get("trusted-proxies"))) {
            trustedProxies.add(address(s, "trusted-proxies", ip).getHostAddress());
        }
        int connectionsPerAddress = positive(s, "max-connections-per-address", 1, 100_000);
        // Not tied to max-connections-per-address: a per-address cap above the total simply never bites.
        int maxConnections = positive(s, "max-connections", 1, 1_000_000);
        UsageLimits limits = new UsageLimits(tracksPerParticipant, tracksPerRoom, connectionsPerAddress,
                positive(s, "max-rooms-per-address", 1, 100_000), positive(s, "guest-joins-per-minute", 1, 100_000),
                trustedProxies, maxConnections);
        String metricsToken = s.get("metrics-token");
        if (!metricsToken.isEmpty() && !metricsToken.matches("[A-Za-z0-9._~+/=-]{16,}")) {
            throw invalid(s, "metrics-token", "must be at least 16 characters of A-Z a-z 0-9 . _ ~ + / = -");
        }
        Integer metricsPort = s.get("metrics-port").isEmpty() ? null : port(s, "metrics-port");
        if (metricsPort != null && metricsPort != 0 && metricsPort == httpPort) {
            throw invalid(s, "metrics-port", "must differ from http-port");
        }
        InetAddress metricsBind = address(s, "metrics-bind", s.get("metrics-bind"));
        boolean metricsUserLabels = bool(s, "metrics-user-labels");
        List<String> allowedOrigins = new ArrayList<>();
        for (String o : list(s.get("allowed-origins"))) {
            try {
                AllowedOrigins.of(List.of(o));
            } catch (IllegalArgumentException e) {
                throw invalid(s, "allowed-origins", "'" + o + "' is not an origin like https://app.example.org[:port] (no path, no trailing slash)");
            }
            allowedOrigins.add(o.toLowerCase(Locale.ROOT));
        }
        return new ServerConfig(httpPort, httpBind, mediaPort, mediaBind, List.copyOf(announced),
                Path.of(dataDir).toAbsolutePath().normalize(),
                Duration.ofSeconds(positive(s, "consent-timeout", 1, 3600)),
                positive(s, "max-participants", 1, 10_000), handshakeLimits,
                stunUrls, turnUrls, emptyToNull(turnSecret), emptyToNull(dbUrl), emptyToNull(s.get("db-user")),
                emptyToNull(s.get("db-password")), emptyToNull(s.get("jwt-secret")), authRequired.equals("true"),
                emptyToNull(publicUrl), emptyToNull(redisUrl), emptyToNull(s.get("kafka-bootstrap")), limits,
                emptyToNull(metricsToken), metricsPort, metricsBind, metricsUserLabels, List.copyOf(allowedOrigins),
                recording(s, Path.of(dataDir).toAbsolutePath().normalize()), logLevel,
                mediaPortRange(s, mediaPort), iceTcp(s),
                Duration.ofSeconds(positive(s, "turn-ttl", 60, 604_800)),
                positive(s, "media-socket-buffer", 65_536, 268_435_456), nodes(s),
                AiConfig.from(s), mediaThreads(s), positive(s, "max-publish-bitrate", 100_000, 100_000_000),
                positive(s, "last-n", 0, 10_000), Duration.ofSeconds(positive(s, "reconnect-grace", 0, 600)),
                bool(s, "simulcast"));
    }

    /** Media event loops: one per available processor unless set. */
    private static int mediaThreads(Settings s) {
        return s.get("media-threads").isEmpty() ? SfuConfig.DEFAULT_MEDIA_THREADS
                : positive(s, "media-threads", 1, SfuConfig.MAX_MEDIA_THREADS);
    }

    /** The UDP port range, or null for the one media port; it must not contain that port when both are set. */
    private static MediaPortRange mediaPortRange(Settings s, int mediaPort) {
        String value = s.get("media-ports");
        if (value.isEmpty()) {
            return null;
        }
        MediaPortRange range;
        try {
            range = MediaPortRange.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid(s, "media-ports", "must be FIRST-LAST, e.g. 40000-40100, with 1 <= FIRST <= LAST <= 65535");
        }
        if (range.size() < 2) {
            throw invalid(s, "media-ports", "must hold at least 2 ports (each participant uses two)");
        }
        if (!s.origin("media-port").equals("default") && range.contains(mediaPort)) {
            throw invalid(s, "media-ports", "overlaps media-port " + mediaPort
                    + " (with a range the one media port is not used: leave media-port unset or outside the range)");
        }
        return range;
    }

    private static IceTcpConfig iceTcp(Settings s) {
        int perAddress = positive(s, "media-tcp-max-per-address", 1, 100_000);
        int total = positive(s, "media-tcp-max-connections", 1, 1_000_000);
        if (total < perAddress) {
            throw invalid(s, "media-tcp-max-connections", "must not be smaller than media-tcp-max-per-address ("
                    + perAddress + ")");
        }
        if (s.get("media-tcp-port").isEmpty()) {
            return IceTcpConfig.OFF;
        }
        int port = port(s, "media-tcp-port");
        IceTcpConfig on = IceTcpConfig.on(port);
        return new IceTcpConfig(port, perAddress, total, on.firstMessageTimeout(), on.idleTimeout());
    }

    /**
     * Why a TURN URL (RFC 7065) is unusable, or null: browsers drop a malformed entry silently, so a typo
     * would only show as calls that fail behind firewalls.
     */
    static String turnUrlProblem(String url) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(turns?):(\\[[0-9A-Fa-f:.]+\\]|[^\\s:?\\[\\]/@]+)(?::(\\d{1,5}))?(?:\\?transport=(\\w+))?")
                .matcher(url);
        if (!m.matches()) {
            return "is not a TURN URL like turn:turn.example.org:3478?transport=udp or turns:turn.example.org:5349?transport=tcp";
        }
        if (m.group(3) != null && (Integer.parseInt(m.group(3)) < 1 || Integer.parseInt(m.group(3)) > 65535)) {
            return "has a port outside 1..65535";
        }
        String transport = m.group(4);
        if (transport != null && !transport.equals("udp") && !transport.equals("tcp")) {
            return "has transport=" + transport + "; browsers know udp and tcp";
        }
        if (m.group(1).equals("turns") && "udp".equals(transport)) {
            return "asks for TLS over UDP; turns: URLs take transport=tcp (browsers do not speak DTLS to TURN)";
        }
        return null;
    }

    /** The multi-node settings: they take effect only with redis-url, but are checked always. */
    private static NodeSettings nodes(Settings s) {
        String prefix = s.get("redis-key-prefix");
        if (!prefix.matches("[A-Za-z0-9._:-]{0,64}")) {
            throw invalid(s, "redis-key-prefix", "may hold only letters, digits and . _ : - (at most 64)");
        }
        int interval = positive(s, "node-report-interval", 1, 300);
        int grace = integer(s, "drain-grace");
        if (grace < 0 || grace > 86_400) {
            throw invalid(s, "drain-grace", "must be between 0 and 86400 seconds");
        }
        return new NodeSettings(prefix, Duration.ofSeconds(interval), Duration.ofSeconds(grace));
    }

    /** The recording settings; S3 settings are checked here, the bucket itself at start. */
    private static RecordingConfig recording(Settings s, Path dataDir) {
        String store = s.get("recording-store").toLowerCase(Locale.ROOT);
        if (!store.equals("local") && !store.equals("s3")) {
            throw invalid(s, "recording-store", "must be local or s3");
        }
        Path dir = s.get("recording-dir").isEmpty() ? dataDir.resolve("recordings")
                : Path.of(s.get("recording-dir")).toAbsolutePath().normalize();
        Path spool = s.get("recording-spool-dir").isEmpty() ? dataDir.resolve("recordings-spool")
                : Path.of(s.get("recording-spool-dir")).toAbsolutePath().normalize();
        long minFree;
        try {
            minFree = Long.parseLong(s.get("recording-min-free"));
        } catch (NumberFormatException e) {
            throw invalid(s, "recording-min-free", "must be a whole number of bytes");
        }
        if (minFree < 0) {
            throw invalid(s, "recording-min-free", "must not be negative");
        }
        Duration ttl = Duration.ofSeconds(positive(s, "recording-download-ttl", 1, 604_800));
        int attempts = positive(s, "recording-upload-attempts", 1, 1000);
        dev.parley.recorder.store.S3Settings s3 = null;
        if (store.equals("s3")) {
            for (String required : List.of("s3-endpoint", "s3-bucket", "s3-access-key", "s3-secret-key")) {
                if (s.get(required).isEmpty()) {
                    throw invalid(s, required, "is required with recording-store = s3");
                }
            }
            long partSize;
            try {
                partSize = Long.parseLong(s.get("s3-part-size"));
            } catch (NumberFormatException e) {
                throw invalid(s, "s3-part-size", "must be a whole number of bytes");
            }
            try {
                s3 = new dev.parley.recorder.store.S3Settings(uri(s, "s3-endpoint"),
                        s.get("s3-public-endpoint").isEmpty() ? null : uri(s, "s3-public-endpoint"),
                        s.get("s3-bucket"), s.get("s3-region"), s.get("s3-access-key"), s.get("s3-secret-key"),
                        bool(s, "s3-path-style"), partSize);
            } catch (IllegalArgumentException e) {
                // The message names the setting and never the secret key.
                throw new IllegalArgumentException("recording store settings: " + e.getMessage(), e);
            }
        }
        return new RecordingConfig(dir, spool, minFree, ttl, attempts, s3);
    }

    private static java.net.URI uri(Settings s, String name) {
        try {
            return new java.net.URI(s.get(name));
        } catch (java.net.URISyntaxException e) {
            throw invalid(s, name, "is not a URL like http://127.0.0.1:9000");
        }
    }

    private static int port(Settings s, String name) {
        int p = integer(s, name);
        if (p < 0 || p > 65535) {
            throw invalid(s, name, "must be a port number 0..65535");
        }
        return p;
    }

    private static boolean bool(Settings s, String name) {
        String v = s.get(name).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw invalid(s, name, "must be true or false");
        }
        return v.equals("true");
    }

    private static int positive(Settings s, String name, int min, int max) {
        int v = integer(s, name);
        if (v < min || v > max) {
            throw invalid(s, name, "must be between " + min + " and " + max);
        }
        return v;
    }

    private static int integer(Settings s, String name) {
        try {
            return Integer.parseInt(s.get(name));
        } catch (NumberFormatException e) {
            throw invalid(s, name, "must be a whole number");
        }
    }

    private static InetAddress address(Settings s, String name, String value) {
        if (!value.matches("[0-9A-Fa-f.:]+")) {
            throw invalid(s, name, "'" + value + "' is not an IP address (host names are not accepted here)");
        }
        try {
            return InetAddress.getByName(value);
        } catch (UnknownHostException e) {
            throw invalid(s, name, "'" + value + "' is not an IP address");
        }
    }

    private static List<String> list(String value) {
        List<String> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim());
            }
        }
        return out;
    }

    private static String emptyToNull(String v) {
        return v == null || v.isEmpty() ? null : v;
    }

    static IllegalArgumentException invalid(Settings s, String name, String why) {
        return new IllegalArgumentException("setting " + name + " (from " + s.origin(name) + ", value '" + s.get(name)
                + "'): " + why);
    }

    /** This machine's usable IPv4 addresses: up, not loopback, not link-local. */
    static List<InetAddress> localAddresses() {
        List<InetAddress> out = new ArrayList<>();
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        out.add(a);
                    }
                }
            }
        } catch (SocketException e) {
            // No interface list: the caller falls back to loopback.
        }
        return out;
    }
}

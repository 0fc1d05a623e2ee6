package dev.parley.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Raw settings from the three places a user can give them, later ones winning: a config file
 * ({@code --config FILE} or {@code PARLEY_CONFIG}), environment variables ({@code PARLEY_HTTP_PORT}),
 * and command-line flags ({@code --http-port 8080} or {@code --http-port=8080}).
 */
final class Settings {
    /** One setting: its flag name (without dashes), default, and the help line. */
    record Option(String name, String defaultValue, String help) {
        String env() {
            return "PARLEY_" + name.toUpperCase(Locale.ROOT).replace('-', '_');
        }
    }

    static final List<Option> OPTIONS = List.of(
            new Option("http-port", "8080", "HTTP port for the web client, REST API, signaling, /health and /metrics (0 = any free port)"),
            new Option("http-bind", "0.0.0.0", "address the HTTP server binds"),
            new Option("media-port", "40000", "the one UDP port all media uses (0 = any free port)"),
            new Option("media-bind", "", "address the media socket binds (default: all interfaces, or the public IP when it is a loopback address)"),
            new Option("public-ip", "", "address(es) announced in ICE candidates, comma-separated: the public address behind 1:1 NAT; 127.0.0.1 makes a loopback-only server (default: this machine's addresses)"),
            new Option("data-dir", "./data", "directory for the database, secrets and recordings"),
            new Option("consent-timeout", "15", "seconds without ICE consent before a participant is dropped"),
            new Option("reconnect-grace", "20", "seconds a participant whose signaling connection dropped keeps its seat for its page to resume (0 = removed at once)"),
            new Option("max-participants", "100", "participants allowed per room"),
            new Option("stun-urls", "", "STUN servers given to browsers, comma-separated (e.g. stun:stun.example.org:3478); none by default"),
            new Option("turn-urls", "", "TURN servers given to browsers, comma-separated (e.g. turn:turn.example.org:3478?transport=udp)"),
            new Option("turn-secret", "", "coturn static-auth-secret: browsers get time-limited TURN credentials (TURN REST API)"),
            new Option("db-url", "", "JDBC URL of PostgreSQL (default: an embedded H2 database in the data directory)"),
            new Option("db-user", "", "database user"),
            new Option("db-password", "", "database password"),
            new Option("jwt-secret", "", "secret signing access and join tokens (default: generated once, kept in the data directory)"),
            new Option("auth-required", "false", "true: joining a room needs a join token; false: anyone with the link joins open rooms"),
            new Option("public-url", "", "the URL browsers use to reach this server, for links in API answers (default: http://localhost:<http-port>)"),
            new Option("redis-url", "", "Redis for state shared between nodes (rate limits, revocations, live participants), e.g. redis://127.0.0.1:6379/0"),
            new Option("kafka-bootstrap", "", "Kafka bootstrap servers for events (default: in-process event bus)"),
            new Option("max-tracks-per-participant", "8", "tracks one participant may publish at once; a bigger publish is refused (too_many_tracks)"),
            new Option("max-tracks-per-room", "256", "tracks a room may carry in all; a publish beyond it is refused (too_many_tracks)"),
            new Option("max-connections-per-address", "100", "signaling connections open at once from one client address"),
            new Option("max-rooms-per-address", "20", "rooms the connections from one client address may be in at once"),
            new Option("guest-joins-per-minute", "60", "joins without a join token allowed per client address per minute"),
            new Option("trusted-proxies", "", "IP addresses of reverse proxies in front of Parley, comma-separated: for their connections the client address comes from X-Forwarded-For"),
            new Option("metrics-token", "", "bearer token Prometheus sends for /metrics (Authorization: Bearer ...); at least 16 characters (default: generated once into <data-dir>/metrics-token)"),
            new Option("metrics-port", "", "serve /metrics (and /health) on this port, on a listener of its own, and not on the HTTP port (default: /metrics on the HTTP port)"),
            new Option("metrics-bind", "127.0.0.1", "address the metrics listener binds (with metrics-port)"),
            new Option("metrics-user-labels", "false", "true: per-participant metrics also carry room_name and name (user-chosen text); false: only server-made ids"),
            new Option("simulcast", "true", "true (default): the web client publishes its camera as three simulcast layers and each subscriber gets the one that fits its bandwidth and tile; false: one layer"),
            new Option("allowed-origins", "", "other web origins whose pages may open signaling WebSockets, comma-separated (e.g. https://app.example.org); this server's own origin is always allowed"),
            new Option("dtls-handshake-threads", "32", "threads for DTLS handshakes; twice as many more may wait for one, beyond that a ClientHello is refused (the browser retries it)"),
            new Option("dtls-pending-per-source", "4", "DTLS handshakes pending at once from one IPv4 address or IPv6 /64; more are refused until one ends (raise it for many users behind one NAT)"),
            new Option("dtls-pending-per-room", "8", "DTLS handshakes pending at once in one room; more are refused until one ends"),
            new Option("max-connections", "10000", "signaling connections open at once on the whole server, from all addresses; more are refused (too_many_connections)"),
            new Option("recording-store", "local", "where recordings go: local (recording-dir on this server) or s3 (the s3-* settings)"),
            new Option("recording-dir", "", "the local recording store's directory (default: <data-dir>/recordings)"),
            new Option("recording-spool-dir", "", "recording files waiting for their upload; needs room for the recordings in flight (default: <data-dir>/recordings-spool)"),
            new Option("recording-min-free", "1073741824", "bytes the local recording store leaves free on its disk; a file that would go below fails the recording"),
            new Option("recording-download-ttl", "900", "seconds a presigned recording download URL stays valid (1 to 604800)"),
            new Option("recording-upload-attempts", "12", "attempts per recording file upload before the recording is marked failed (1-1000)"),
            new Option("s3-endpoint", "", "http(s)://host[:port] of the S3 API for recordings (recording-store = s3)"),
            new Option("s3-public-endpoint", "", "the endpoint written into presigned download URLs (default: s3-endpoint)"),
            new Option("s3-bucket", "", "an existing bucket for recordings"),
            new Option("s3-region", "us-east-1", "the bucket's region"),
            new Option("s3-access-key", "", "S3 access key id"),
            new Option("s3-secret-key", "", "S3 secret key; prefer the variable or the config file to a flag (flags show in ps)"),
            new Option("s3-path-style", "true", "true: endpoint/bucket/key URLs (MinIO, most self-hosted stores); false: bucket.endpoint/key"),
            new Option("s3-part-size", "16777216", "bytes per multipart upload part, 5 MiB to 512 MiB"),
            new Option("log-level", "info", "log level: error, warn, info, debug, trace"),
            // ICE over TCP and the media port range
            new Option("media-ports", "", "a UDP port range such as 40000-40100: each peer connection (two per participant) gets a port of its own, instead of the one media-port (default: the one media-port)"),
            new Option("media-tcp-port", "", "TCP port for ICE over TCP (RFC 6544), for browsers that cannot send UDP, e.g. 40000 (0 = any free port; default: off)"),
            new Option("media-tcp-max-per-address", "8", "ICE-TCP connections open at once from one client IP address; more are refused"),
            new Option("media-tcp-max-connections", "4096", "ICE-TCP connections open at once in all; more are refused"),
            // TURN and the media socket (docs/tuning.md)
            new Option("turn-ttl", "21600", "seconds a TURN credential handed out at join stays valid (60 to 604800); coturn refuses its refreshes after that, so make it longer than the longest call"),
            new Option("media-socket-buffer", "4194304", "bytes asked of the kernel for the media UDP socket's receive and send buffers (65536 to 268435456); Linux caps them at net.core.rmem_max / wmem_max"),
            new Option("media-threads", "", "media event loops (threads), 1 to 256; each room runs on one (default: the number of available processors)"),
            new Option("max-publish-bitrate", "2500000", "bits per second a publisher is allowed (REMB) per video stream at most, whatever its subscribers could take (100000 to 100000000)"),
            new Option("last-n", "0", "each participant receives video from at most this many others, the most recent speakers; the rest is paused (audio never is); 0 = no limit (0 to 10000)"),
            // more than one node (docs/multi-node.md)
            new Option("redis-key-prefix", "parley:", "prefix of every key Parley writes to Redis, so several deployments can share one Redis (letters, digits and . _ : -, at most 64)"),
            new Option("node-report-interval", "5", "seconds between this node's load reports to Redis (with redis-url); a node silent for 3 intervals counts as gone and its rooms move on their next join (1-300)"),
            new Option("drain-grace", "60", "seconds a node stopping on SIGTERM (with redis-url) keeps its calls going while taking no new rooms, before it closes them (0 = close them at once; at most 86400)"),
            // AI captions, transcripts and emotion through Triton (docs/ai.md)
            new Option("ai-endpoints", "", "Triton gRPC endpoints, comma-separated host:port (e.g. triton:8001); empty: no AI (captions and /api/v1/ai/* off)"),
            new Option("ai-captions", "meeting", "which rooms are captioned: meeting (those whose meeting setting or host turns captions on) or all (every room as it opens)"),
            new Option("ai-asr-model", "asr", "speech recognition model name on Triton"),
            new Option("ai-asr-version", "", "speech recognition model version (empty: Triton chooses)"),
            new Option("ai-asr-input", "AUDIO", "speech recognition audio input tensor"),
            new Option("ai-asr-datatype", "FP32", "speech recognition input datatype: FP32, INT16 or BYTES (a WAV file)"),
            new Option("ai-asr-shape", "[1,-1]", "speech recognition input shape; -1 is the sample axis"),
            new Option("ai-asr-sample-rate-input", "", "name of an INT32 [1] input that receives 16000 (empty: none)"),
            new Option("ai-asr-text-output", "TEXT", "speech recognition text output tensor (BYTES)"),
            new Option("ai-asr-confidence-output", "", "speech recognition confidence output tensor (FP32; empty: none)"),
            new Option("ai-emotion-model", "", "emotion model name on Triton (empty: no emotion)"),
            new Option("ai-emotion-version", "", "emotion model version (empty: Triton chooses)"),
            new Option("ai-emotion-input", "AUDIO", "emotion audio input tensor"),
            new Option("ai-emotion-datatype", "FP32", "emotion input datatype: FP32, INT16 or BYTES"),
            new Option("ai-emotion-shape", "[1,-1]", "emotion input shape; -1 is the sample axis"),
            new Option("ai-emotion-sample-rate-input", "", "name of an INT32 [1] emotion input that receives 16000 (empty: none)"),
            new Option("ai-emotion-labels-output", "LABELS", "emotion labels output tensor (BYTES)"),
            new Option("ai-emotion-scores-output", "SCORES", "emotion scores output tensor (FP32)"),
            new Option("ai-deadline", "5s", "deadline of one inference call, retries included (50ms to 120s)"),
            new Option("ai-health-interval", "2s", "how often each Triton endpoint's readiness is checked (100ms to 10m)"),
            new Option("ai-breaker-failures", "3", "consecutive failed calls that open an endpoint's circuit breaker (1-1000)"),
            new Option("ai-breaker-open", "5s", "how long an open circuit breaker refuses calls (100ms to 10m)"),
            new Option("ai-max-in-flight", "4", "inference calls at once over all endpoints (1-256)"),
            new Option("ai-queue-segments", "32", "speech segments waiting for a call; more are dropped (1-10000)"),
            new Option("ai-tap-queue-packets", "1024", "packets each captioned room's tap holds between the media loop and the bridge"),
            new Option("ai-vad-threshold-db", "10", "level above the noise floor that counts as speech (1-40 dB)"),
            new Option("ai-vad-min-level-dbfs", "-50", "nothing quieter is speech (-90 to -10 dBFS)"),
            new Option("ai-vad-onset", "60ms", "speech must last this long to open a segment"),
            new Option("ai-vad-hangover", "400ms", "a pause this long ends a speech segment"),
            new Option("ai-vad-pre-roll", "200ms", "audio kept before the onset and after the last speech"),
            new Option("ai-segment-min", "300ms", "segments with less speech are not sent"),
            new Option("ai-segment-max", "15s", "longer speech is cut into segments of this length"),
            new Option("ai-upload-max-bytes", "10485760", "largest file POST /api/v1/ai/asr and /emotion accept, bytes"),
            new Option("ai-upload-max-duration", "60s", "longest audio POST /api/v1/ai/asr and /emotion accept"));

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private Settings(Map<String, String> values, Map<String, String> origins) {
        this.values = values;
        this.origins = origins;
    }

    /** Resolves all settings; throws {@link IllegalArgumentException} with a message fit for the user. */
    static Settings resolve(String[] args, Map<String, String> env) {
        Map<String, String> cli = parseArgs(args);
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (Option o : OPTIONS) {
            values.put(o.name(), o.defaultValue());
            origins.put(o.name(), "default");
        }
        String configFile = cli.containsKey("config") ? cli.remove("config") : env.get("PARLEY_CONFIG");
        if (configFile != null && !configFile.isBlank()) {
            for (Map.Entry<String, String> e : readFile(Path.of(configFile)).entrySet()) {
                values.put(e.getKey(), e.getValue());
                origins.put(e.getKey(), configFile);
            }
        }
        for (Option o : OPTIONS) {
            String v = env.get(o.env());
            if (v != null) {
                values.put(o.name(), v.trim());
                origins.put(o.name(), "$" + o.env());
            }
        }
        for (Map.Entry<String, String> e : cli.entrySet()) {
            values.put(e.getKey(), e.getValue());
            origins.put(e.getKey(), "--" + e.getKey());
        }
        return new Settings(values, origins);
    }

    String get(String name) {
        return values.get(name);
    }

    /** Where a setting came from, for error messages: a flag, a variable, the file, or the default. */
    String origin(String name) {
        return origins.get(name);
    }

    private static Map<String, String> parseArgs(String[] args) {
        Map<String, String> cli = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (settings are given as --name value; see --help)");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!name.equals("config") && !known(name)) {
                throw new IllegalArgumentException("unknown setting --" + name + " (see --help)");
            }
            cli.put(name, value.trim());
        }
        return cli;
    }

    private static Map<String, String> readFile(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the config file " + file + ": " + e.getMessage());
        }
        Map<String, String> values = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String key : p.stringPropertyNames()) {
            if (known(key)) {
                values.put(key, p.getProperty(key).trim());
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting(s) in " + file + ": " + String.join(", ", unknown) + " (see --help)");
        }
        return values;
    }

    private static boolean known(String name) {
        for (Option o : OPTIONS) {
            if (o.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    static String help() {
        StringBuilder sb = new StringBuilder();
        sb.append("Parley: a self-hosted video meeting server.\n\n");
        sb.append("Usage: java -jar parley.jar [--config FILE] [--name value ...]\n\n");
        sb.append("Every setting can also be given as an environment variable (PARLEY_<NAME>) or in a config file\n");
        sb.append("of name = value lines (--config FILE or PARLEY_CONFIG). Flags beat variables, variables beat the file.\n\n");
        for (Option o : OPTIONS) {
            sb.append(String.format("  --%-18s %s%n", o.name() + " ", o.help()));
            sb.append(String.format("  %-20s %s%s%n", "", o.env(), o.defaultValue().isEmpty() ? "" : "  (default " + o.defaultValue() + ")"));
        }
        sb.append("\n  --help               print this and exit\n");
        return sb.toString();
    }
}

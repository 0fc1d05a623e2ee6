package dev.parley.ai;

import dev.parley.ai.audio.VadSettings;
import dev.parley.sfu.tap.TapOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Everything the bridge is configured with. The messages of the checks name the server setting each value comes
 * from (see docs/ai.md).
 *
 * @param endpoints Triton gRPC endpoints as {@code host:port}, balanced round robin over the healthy ones
 *     ({@code ai-endpoints})
 * @param asr the speech recognition model's contract ({@code ai-asr-*})
 * @param emotion the emotion model's contract, or null for no emotion ({@code ai-emotion-*})
 * @param callDeadline the deadline of one inference call, retries on another endpoint included ({@code ai-deadline})
 * @param healthInterval how often each endpoint's ServerReady and ModelReady are asked ({@code ai-health-interval})
 * @param breakerFailures consecutive failed calls that open an endpoint's circuit breaker ({@code ai-breaker-failures})
 * @param breakerOpen how long an open breaker refuses calls before letting one probe through ({@code ai-breaker-open})
 * @param maxInFlight inference calls at once, over all endpoints ({@code ai-max-in-flight})
 * @param queueSegments speech segments waiting for a call; more are dropped and counted ({@code ai-queue-segments})
 * @param tapQueuePackets packets each meeting's tap holds between the media loop and the bridge
 *     ({@code ai-tap-queue-packets})
 * @param vad how speech is found and cut ({@code ai-vad-*}, {@code ai-segment-*})
 */
public record AiSettings(List<Endpoint> endpoints, ModelContract asr, ModelContract emotion, Duration callDeadline,
                         Duration healthInterval, int breakerFailures, Duration breakerOpen, int maxInFlight,
                         int queueSegments, int tapQueuePackets, VadSettings vad) {

    /** One Triton gRPC endpoint. */
    public record Endpoint(String host, int port) {
        public Endpoint {
            if (host == null || host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c == '@')) {
                throw new IllegalArgumentException("ai-endpoints: '" + host + "' is not a host name or address");
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("ai-endpoints: port must be 1 to 65535, got " + port);
            }
        }

        /** Parses {@code host:port} or {@code [ipv6]:port}. */
        public static Endpoint parse(String text) {
            String t = text == null ? "" : text.strip();
            int colon = t.lastIndexOf(':');
            if (colon <= 0 || colon == t.length() - 1) {
                throw new IllegalArgumentException("ai-endpoints: '" + text + "' is not host:port (e.g. triton:8001)");
            }
            String host = t.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            } else if (host.contains(":")) {
                throw new IllegalArgumentException("ai-endpoints: write an IPv6 address in brackets, e.g. [::1]:8001, got '" + text + "'");
            }
            int port;
            try {
                port = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ai-endpoints: '" + text + "' has no numeric port");
            }
            return new Endpoint(host, port);
        }

        /** Parses a comma-separated list such as {@code triton-a:8001,triton-b:8001}. */
        public static List<Endpoint> parseList(String text) {
            List<Endpoint> list = new ArrayList<>();
            for (String part : (text == null ? "" : text).split(",")) {
                if (!part.isBlank()) {
                    list.add(parse(part));
                }
            }
            return list;
        }

        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public AiSettings {
        Objects.requireNonNull(asr, "ai-asr: the speech recognition model contract is missing");
        Objects.requireNonNull(vad, "the VAD settings are missing");
        if (endpoints == null || endpoints.isEmpty()) {
            throw new IllegalArgumentException("ai-endpoints: at least one Triton endpoint (host:port) is needed");
        }
        endpoints = List.copyOf(endpoints);
        if (endpoints.stream().distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("ai-endpoints: an endpoint is listed twice: " + endpoints);
        }
        if (endpoints.size() > 64) {
            throw new IllegalArgumentException("ai-endpoints: at most 64 endpoints, got " + endpoints.size());
        }
        millis("ai-deadline", callDeadline, 50, 120_000);
        millis("ai-health-interval", healthInterval, 100, 600_000);
        millis("ai-breaker-open", breakerOpen, 100, 600_000);
        range("ai-breaker-failures", breakerFailures, 1, 1000);
        range("ai-max-in-flight", maxInFlight, 1, 256);
        range("ai-queue-segments", queueSegments, 1, 10_000);
        range("ai-tap-queue-packets", tapQueuePackets, TapOptions.MIN_QUEUE_PACKETS, TapOptions.MAX_QUEUE_PACKETS);
        if (emotion != null && emotion.scoreOutput().isEmpty()) {
            throw new IllegalArgumentException("ai-emotion-scores-output: the emotion model needs a scores output"
                    + " beside its labels output");
        }
        if (emotion != null && emotion.name().equals(asr.name()) && emotion.version().equals(asr.version())) {
            throw new IllegalArgumentException("ai-emotion-model: the emotion model must differ from the ASR model ("
                    + asr.name() + ")");
        }
    }

    /**
     * Defaults around the given endpoints and ASR contract, no emotion: deadline 5 s, health every 2 s, breaker
     * opens after 3 failures for 5 s, 4 calls in flight, 32 queued segments, tap queue 1024 packets, default VAD.
     */
    public static AiSettings defaults(List<Endpoint> endpoints, ModelContract asr) {
        return new AiSettings(endpoints, asr, null, Duration.ofSeconds(5), Duration.ofSeconds(2), 3,
                Duration.ofSeconds(5), 4, 32, TapOptions.DEFAULT_QUEUE_PACKETS, VadSettings.defaults());
    }

    public AiSettings withEmotion(ModelContract emotion) {
        return new AiSettings(endpoints, asr, emotion, callDeadline, healthInterval, breakerFailures, breakerOpen,
                maxInFlight, queueSegments, tapQueuePackets, vad);
    }

    public AiSettings withDeadline(Duration callDeadline) {
        return new AiSettings(endpoints, asr, emotion, callDeadline, healthInterval, breakerFailures, breakerOpen,
                maxInFlight, queueSegments, tapQueuePackets, vad);
    }

    public AiSettings withHealthInterval(Duration healthInterval) {
        return new AiSettings(endpoints, asr, emotion, callDeadline, healthInterval, breakerFailures, breakerOpen,
                maxInFlight, queueSegments, tapQueuePackets, vad);
    }

    public AiSettings withBreaker(int breakerFailures, Duration breakerOpen) {
        return new AiSettings(endpoints, asr, emotion, callDeadline, healthInterval, breakerFailures, breakerOpen,
                maxInFlight, queueSegments, tapQueuePackets, vad);
    }

    public AiSettings withQueues(int maxInFlight, int queueSegments) {
        return new AiSettings(endpoints, asr, emotion, callDeadline, healthInterval, breakerFailures, breakerOpen,
                maxInFlight, queueSegments, tapQueuePackets, vad);
    }

    public AiSettings withVad(VadSettings vad) {
        return new AiSettings(endpoints, asr, emotion, callDeadline, healthInterval, breakerFailures, breakerOpen,
                maxInFlight, queueSegments, tapQueuePackets, vad);
    }

    private static void millis(String name, Duration d, long min, long max) {
        if (d == null || d.toMillis() < min || d.toMillis() > max) {
            throw new IllegalArgumentException(name + " must be " + min + " ms to " + max / 1000 + " s, got " + d);
        }
    }

    private static void range(String name, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + " must be " + min + " to " + max + ", got " + v);
        }
    }
}

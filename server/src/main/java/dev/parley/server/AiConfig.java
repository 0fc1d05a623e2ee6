package dev.parley.server;

import dev.parley.ai.AiSettings;
import dev.parley.ai.ModelContract;
import dev.parley.ai.TensorType;
import dev.parley.ai.audio.AudioLimits;
import dev.parley.ai.audio.VadSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The AI settings ({@code ai-*}, docs/ai.md): off unless {@code ai-endpoints} is set.
 *
 * @param bridge what the AI bridge is started with, or null when AI is off
 * @param uploads limits of the one-shot endpoints' uploads
 * @param allRooms true: every room is captioned as it opens; false: only rooms whose meeting setting or host asks
 */
record AiConfig(AiSettings bridge, AudioLimits uploads, boolean allRooms) {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(ms|s|m)");

    boolean enabled() {
        return bridge != null;
    }

    static AiConfig from(Settings s) {
        String captions = s.get("ai-captions").strip().toLowerCase(Locale.ROOT);
        if (!captions.equals("meeting") && !captions.equals("all")) {
            throw ServerConfig.invalid(s, "ai-captions", "must be meeting or all");
        }
        AudioLimits uploads;
        long maxBytes;
        try {
            maxBytes = Long.parseLong(s.get("ai-upload-max-bytes").strip());
        } catch (NumberFormatException e) {
            throw ServerConfig.invalid(s, "ai-upload-max-bytes", "must be a whole number of bytes");
        }
        try {
            uploads = new AudioLimits(maxBytes, duration(s, "ai-upload-max-duration"),
                    AudioLimits.defaults().silencePeakDbfs());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setting " + e.getMessage(), e);
        }
        // Checked even when AI is off, so a typo shows at once and not on the day the endpoints are set.
        VadSettings vad;
        ModelContract asr;
        ModelContract emotion;
        try {
            vad = new VadSettings(number(s, "ai-vad-threshold-db"), number(s, "ai-vad-min-level-dbfs"),
                    duration(s, "ai-vad-onset"), duration(s, "ai-vad-hangover"), duration(s, "ai-vad-pre-roll"),
                    duration(s, "ai-segment-min"), duration(s, "ai-segment-max"));
            asr = contract(s, "ai-asr", s.get("ai-asr-model"), s.get("ai-asr-text-output"),
                    s.get("ai-asr-confidence-output"));
            emotion = s.get("ai-emotion-model").isBlank() ? null : contract(s, "ai-emotion", s.get("ai-emotion-model"),
                    s.get("ai-emotion-labels-output"), s.get("ai-emotion-scores-output"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("setting ") ? e : new IllegalArgumentException("setting " + e.getMessage(), e);
        }
        List<AiSettings.Endpoint> endpoints;
        try {
            endpoints = AiSettings.Endpoint.parseList(s.get("ai-endpoints"));
        } catch (IllegalArgumentException e) {
            throw ServerConfig.invalid(s, "ai-endpoints", e.getMessage().replaceFirst("^ai-endpoints: ", ""));
        }
        if (endpoints.isEmpty()) {
            return new AiConfig(null, uploads, captions.equals("all"));
        }
        try {
            AiSettings bridge = new AiSettings(endpoints, asr, emotion, duration(s, "ai-deadline"),
                    duration(s, "ai-health-interval"), integer(s, "ai-breaker-failures"), duration(s, "ai-breaker-open"),
                    integer(s, "ai-max-in-flight"), integer(s, "ai-queue-segments"), integer(s, "ai-tap-queue-packets"),
                    vad);
            return new AiConfig(bridge, uploads, captions.equals("all"));
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("setting ") ? e : new IllegalArgumentException("setting " + e.getMessage(), e);
        }
    }

    private static ModelContract contract(Settings s, String prefix, String model, String output, String scoreOutput) {
        TensorType type;
        try {
            type = TensorType.parse(s.get(prefix + "-datatype"));
        } catch (IllegalArgumentException e) {
            throw ServerConfig.invalid(s, prefix + "-datatype", "must be FP32, INT16 or BYTES");
        }
        try {
            return new ModelContract(model.strip(), s.get(prefix + "-version"), s.get(prefix + "-input").strip(), type,
                    shape(s, prefix + "-shape"), s.get(prefix + "-sample-rate-input"), output.strip(), scoreOutput);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("setting " + prefix + "-*: " + e.getMessage(), e);
        }
    }

    /** {@code [1,-1]} (brackets optional). */
    private static List<Long> shape(Settings s, String name) {
        String v = s.get(name).strip();
        if (v.startsWith("[") && v.endsWith("]")) {
            v = v.substring(1, v.length() - 1);
        }
        List<Long> dims = new ArrayList<>();
        for (String d : v.split(",")) {
            try {
                dims.add(Long.parseLong(d.strip()));
            } catch (NumberFormatException e) {
                throw ServerConfig.invalid(s, name, "must be a list of dimensions like [1,-1]");
            }
        }
        return dims;
    }

    /** {@code 250ms}, {@code 5s} or {@code 2m}. */
    static Duration duration(Settings s, String name) {
        Matcher m = DURATION.matcher(s.get(name).strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw ServerConfig.invalid(s, name, "must be a duration such as 400ms, 5s or 2m");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            default -> Duration.ofMinutes(n);
        };
    }

    private static double number(Settings s, String name) {
        try {
            double d = Double.parseDouble(s.get(name).strip());
            if (!Double.isFinite(d)) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw ServerConfig.invalid(s, name, "must be a number");
        }
    }

    private static int integer(Settings s, String name) {
        try {
            return Integer.parseInt(s.get(name).strip());
        } catch (NumberFormatException e) {
            throw ServerConfig.invalid(s, name, "must be a whole number");
        }
    }
}

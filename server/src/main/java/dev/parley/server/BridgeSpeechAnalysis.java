package dev.parley.server;

import dev.parley.ai.AiBridge;
import dev.parley.ai.AiInfo;
import dev.parley.ai.AsrResult;
import dev.parley.ai.EmotionResult;
import dev.parley.ai.EmotionScore;
import dev.parley.ai.EndpointHealth;
import dev.parley.ai.ModelContract;
import dev.parley.ai.audio.AudioFile;
import dev.parley.ai.audio.AudioFileException;
import dev.parley.ai.audio.AudioLimits;
import dev.parley.ai.audio.Pcm16k;
import dev.parley.control.SpeechAnalysis;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /api/v1/ai/asr}, {@code /emotion}, {@code /info} and {@code /health} over the AI bridge: the upload is read
 * and checked here (WAV or Ogg/Opus, decoded to 16 kHz mono), and only audio that passes goes to Triton.
 */
final class BridgeSpeechAnalysis implements SpeechAnalysis {
    private final AiBridge bridge;
    private final AudioLimits limits;
    private final Duration retryAfter;

    BridgeSpeechAnalysis(AiBridge bridge, AudioLimits limits, Duration retryAfter) {
        this.bridge = bridge;
        this.limits = limits;
        this.retryAfter = retryAfter;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public int maxUploadBytes() {
        return (int) Math.min(Integer.MAX_VALUE, limits.maxBytes());
    }

    @Override
    public AsrAnswer recognize(byte[] file, String contentType) throws BadAudioException, AiUnavailableException {
        Pcm16k audio = read(file);
        try {
            AsrResult r = bridge.recognize(audio);
            return new AsrAnswer(r.text(), Double.isNaN(r.confidence()) ? -1 : r.confidence(), audio.durationMillis(),
                    r.model());
        } catch (dev.parley.ai.AiUnavailableException e) {
            throw unavailable(e);
        }
    }

    @Override
    public EmotionAnswer emotion(byte[] file, String contentType) throws BadAudioException, AiUnavailableException {
        if (bridge.info().emotion() == null) {
            throw new AiUnavailableException("no emotion model is configured (ai-emotion-model)", Duration.ofHours(1));
        }
        Pcm16k audio = read(file);
        try {
            EmotionResult r = bridge.emotion(audio);
            if (r.scores().isEmpty()) {
                throw new AiUnavailableException("the emotion model answered no labels", retryAfter);
            }
            Map<String, Double> scores = new LinkedHashMap<>();
            for (EmotionScore s : r.scores()) {
                scores.putIfAbsent(s.label(), s.score());
            }
            EmotionScore top = r.scores().getFirst();
            return new EmotionAnswer(top.label(), top.score(), scores, audio.durationMillis(), r.model());
        } catch (dev.parley.ai.AiUnavailableException e) {
            throw unavailable(e);
        }
    }

    private Pcm16k read(byte[] file) throws BadAudioException {
        try {
            return AudioFile.read(file, limits);
        } catch (AudioFileException e) {
            BadAudioException.Reason reason = switch (e.reason()) {
                case NOT_AUDIO -> BadAudioException.Reason.NOT_AUDIO;
                case TRUNCATED, MALFORMED -> BadAudioException.Reason.MALFORMED;
                case UNSUPPORTED_FORMAT -> BadAudioException.Reason.UNSUPPORTED_FORMAT;
                case TOO_LARGE -> BadAudioException.Reason.TOO_LONG;
                case SILENT -> BadAudioException.Reason.SILENT;
            };
            throw new BadAudioException(reason, e.getMessage());
        }
    }

    private AiUnavailableException unavailable(dev.parley.ai.AiUnavailableException e) {
        return new AiUnavailableException("the speech service is unavailable ("
                + e.reason().name().toLowerCase(java.util.Locale.ROOT) + "): " + e.getMessage(), retryAfter);
    }

    @Override
    public Map<String, Object> info() {
        AiInfo i = bridge.info();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("endpoints", i.endpoints());
        out.put("sampleRate", i.sampleRate());
        out.put("deadlineMillis", i.deadlineMillis());
        out.put("asr", contract(i.asr()));
        if (i.emotion() != null) {
            out.put("emotion", contract(i.emotion()));
        }
        out.put("maxUploadBytes", limits.maxBytes());
        out.put("maxUploadMillis", limits.maxDuration().toMillis());
        return out;
    }

    private static Map<String, Object> contract(ModelContract c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", c.name());
        m.put("version", c.version());
        m.put("input", c.input());
        m.put("datatype", c.datatype().name());
        m.put("shape", c.shape());
        if (!c.sampleRateInput().isEmpty()) {
            m.put("sampleRateInput", c.sampleRateInput());
        }
        m.put("output", c.output());
        if (!c.scoreOutput().isEmpty()) {
            m.put("scoreOutput", c.scoreOutput());
        }
        return m;
    }

    @Override
    public Health health() {
        List<String> details = new ArrayList<>();
        boolean ready = false;
        for (EndpointHealth e : bridge.health().endpoints()) {
            ready |= e.usable();
            details.add(e.endpoint() + ": " + (e.usable() ? "ready" : !e.checked() ? "not checked yet"
                    : !e.ready() ? "not ready" : "models " + e.modelsReady()) + ", breaker "
                    + e.breaker().name().toLowerCase(java.util.Locale.ROOT)
                    + (e.lastError().isEmpty() ? "" : ", last error: " + e.lastError()));
        }
        return new Health(ready, details);
    }
}

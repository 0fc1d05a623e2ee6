package dev.parley.control;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One-shot speech recognition and emotion detection of an uploaded audio file, behind {@code /api/v1/ai/*} (the
 * server wires this to the AI bridge). Methods are called on HTTP worker threads and may block up to their own
 * deadline; they never see a file larger than {@link #maxUploadBytes()}.
 */
public interface SpeechAnalysis {

    /** What was said: the text, the model's confidence (0..1, or -1 when it gives none) and the audio's length. */
    record AsrAnswer(String text, double confidence, long audioMillis, String model) {}

    /** The strongest emotion heard, its score, every label's score, and the audio's length. */
    record EmotionAnswer(String label, double score, Map<String, Double> scores, long audioMillis, String model) {
        public EmotionAnswer {
            scores = Map.copyOf(scores);
        }
    }

    /** Whether recognition can be served now, with one line per endpoint or model for operators. */
    record Health(boolean ready, List<String> details) {
        public Health {
            details = List.copyOf(details);
        }
    }

    /** The upload is not audio this server can use; nothing was sent to the speech service. */
    final class BadAudioException extends Exception {
        /** Why: each maps to its own HTTP status (docs/api.md). */
        public enum Reason {
            /** Not a WAV or Ogg/Opus file at all (415). */
            NOT_AUDIO,
            /** Truncated or inconsistent headers or pages (400). */
            MALFORMED,
            /** A sample format, channel count or rate the reader does not take (422). */
            UNSUPPORTED_FORMAT,
            /** Longer than the service accepts (413). */
            TOO_LONG,
            /** Only silence: no speech to send (422). */
            SILENT
        }

        private final Reason reason;

        public BadAudioException(Reason reason, String message) {
            super(message);
            this.reason = reason;
        }

        public Reason reason() {
            return reason;
        }
    }

    /** The speech service is down, overloaded or too slow; the caller may retry after {@link #retryAfter()}. */
    final class AiUnavailableException extends Exception {
        private final Duration retryAfter;

        public AiUnavailableException(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    /** Whether an AI service is configured; when not, {@code /api/v1/ai/*} answers 503 {@code ai-disabled}. */
    boolean available();

    /**
     * Recognizes the speech in {@code file}.
     *
     * @param contentType the upload's media type without parameters: {@code audio/wav}, {@code audio/x-wav},
     *     {@code audio/wave} or {@code audio/ogg}
     */
    AsrAnswer recognize(byte[] file, String contentType) throws BadAudioException, AiUnavailableException;

    /** Detects the emotion in the speech of {@code file} (content types as for {@link #recognize}). */
    EmotionAnswer emotion(byte[] file, String contentType) throws BadAudioException, AiUnavailableException;

    /** What is served: models, their tensors, endpoints; shown as is by {@code GET /api/v1/ai/info}. */
    Map<String, Object> info();

    /** Whether the service answers now. */
    Health health();

    /** The largest upload accepted; larger ones are refused with 413 while they are read. */
    default int maxUploadBytes() {
        return 16 * 1024 * 1024;
    }

    /** No AI on this server. */
    SpeechAnalysis NONE = new SpeechAnalysis() {
        @Override
        public boolean available() {
            return false;
        }

        @Override
        public AsrAnswer recognize(byte[] file, String contentType) throws AiUnavailableException {
            throw new AiUnavailableException("no AI service is configured", Duration.ofMinutes(5));
        }

        @Override
        public EmotionAnswer emotion(byte[] file, String contentType) throws AiUnavailableException {
            throw new AiUnavailableException("no AI service is configured", Duration.ofMinutes(5));
        }

        @Override
        public Map<String, Object> info() {
            return Map.of();
        }

        @Override
        public Health health() {
            return new Health(false, List.of("no AI service is configured"));
        }
    };
}

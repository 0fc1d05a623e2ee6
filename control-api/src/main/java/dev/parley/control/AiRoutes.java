package dev.parley.control;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code /ai/*}: one-shot speech recognition and emotion detection of an uploaded WAV or Ogg/Opus file, and what
 * the AI service serves and whether it answers, for accounts (access token) and integrators (HTTP Basic with an
 * API key's id and secret). A server without AI answers 503 {@code ai-disabled}. Bad uploads are refused here or
 * by the {@link SpeechAnalysis} before anything reaches the speech service.
 */
final class AiRoutes {
    static final Set<String> AUDIO_TYPES = Set.of("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave", "audio/ogg");

    private final SpeechAnalysis speech;
    private final Authenticator auth;
    private final ApiKeyStore apiKeys;

    AiRoutes(SpeechAnalysis speech, Authenticator auth, ApiKeyStore apiKeys) {
        this.speech = speech;
        this.auth = auth;
        this.apiKeys = apiKeys;
    }

    void register(Router router) {
        int max = speech.maxUploadBytes();
        router.add("POST", "/api/v1/ai/asr", new ApiHandler.Upload(max, AUDIO_TYPES, this::mayUpload, this::asr));
        router.add("POST", "/api/v1/ai/emotion", new ApiHandler.Upload(max, AUDIO_TYPES, this::mayUpload, this::emotion));
        router.add("GET", "/api/v1/ai/info", this::info);
        router.add("GET", "/api/v1/ai/health", this::health);
    }

    private ApiResponse asr(ApiRequest req) {
        byte[] file = upload(req);
        try {
            SpeechAnalysis.AsrAnswer a = speech.recognize(file, req.mediaType());
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("text", a.text());
            v.put("confidence", a.confidence() < 0 ? null : a.confidence());
            v.put("durationMs", a.audioMillis());
            v.put("model", a.model());
            return ApiResponse.ok(v);
        } catch (SpeechAnalysis.BadAudioException e) {
            throw problem(e);
        } catch (SpeechAnalysis.AiUnavailableException e) {
            throw unavailable(e);
        }
    }

    private ApiResponse emotion(ApiRequest req) {
        byte[] file = upload(req);
        try {
            SpeechAnalysis.EmotionAnswer a = speech.emotion(file, req.mediaType());
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("label", a.label());
            v.put("score", a.score());
            v.put("scores", a.scores());
            v.put("durationMs", a.audioMillis());
            v.put("model", a.model());
            return ApiResponse.ok(v);
        } catch (SpeechAnalysis.BadAudioException e) {
            throw problem(e);
        } catch (SpeechAnalysis.AiUnavailableException e) {
            throw unavailable(e);
        }
    }

    private ApiResponse info(ApiRequest req) {
        authorize(req);
        requireEnabled();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("enabled", true);
        v.put("maxUploadBytes", speech.maxUploadBytes());
        v.put("contentTypes", AUDIO_TYPES.stream().sorted().toList());
        v.putAll(speech.info());
        return ApiResponse.ok(v);
    }

    private ApiResponse health(ApiRequest req) {
        authorize(req);
        requireEnabled();
        SpeechAnalysis.Health h = speech.health();
        if (!h.ready()) {
            throw new ApiProblem(ProblemType.AI_UNAVAILABLE, "the AI service is not ready: " + String.join("; ", h.details()),
                    List.of(), Map.of("Retry-After", "5"));
        }
        return ApiResponse.ok(Map.of("ready", true, "details", h.details()));
    }

    /** Checked on the headers, before the body is read. */
    private void mayUpload(ApiRequest req) {
        authorize(req);
        requireEnabled();
    }

    /** The uploaded file, once {@link #mayUpload} let it be read. */
    private static byte[] upload(ApiRequest req) {
        if (req.body().length == 0) {
            throw new ApiProblem(ProblemType.BAD_AUDIO, "the request body is empty; send the audio file as the body");
        }
        return req.body();
    }

    private void requireEnabled() {
        if (!speech.available()) {
            throw new ApiProblem(ProblemType.AI_DISABLED, "this server has no AI service configured",
                    List.of(), Map.of("Retry-After", "300"));
        }
    }

    /** An account's access token, or an active API key as HTTP Basic credentials ({@code keyId:secret}). */
    private void authorize(ApiRequest req) {
        String header = req.authorization();
        String basic = "Basic ";
        if (header == null || !header.regionMatches(true, 0, basic, 0, basic.length())) {
            auth.require(req);
            return;
        }
        String pair;
        try {
            pair = new String(Base64.getDecoder().decode(header.substring(basic.length()).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(ProblemType.UNAUTHORIZED, "the Basic credentials are not valid base64");
        }
        int colon = pair.indexOf(':');
        ApiProblem refused = new ApiProblem(ProblemType.UNAUTHORIZED,
                "the API key is unknown or revoked, or its secret is wrong", List.of(),
                Map.of("WWW-Authenticate", "Basic realm=\"parley\""));
        if (colon <= 0 || colon > 100) {
            throw refused;
        }
        String id = pair.substring(0, colon);
        byte[] secret = pair.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        ApiKeyStore.KeyState state = apiKeys.state(id).orElseThrow(() -> refused);
        if (state.revoked() || state.secret() == null
                || !MessageDigest.isEqual(state.secret().getBytes(StandardCharsets.UTF_8), secret)) {
            throw refused;
        }
    }

    static ApiProblem problem(SpeechAnalysis.BadAudioException e) {
        ProblemType type = switch (e.reason()) {
            case NOT_AUDIO -> ProblemType.NOT_AUDIO;
            case MALFORMED -> ProblemType.BAD_AUDIO;
            case UNSUPPORTED_FORMAT -> ProblemType.UNSUPPORTED_AUDIO_FORMAT;
            case TOO_LONG -> ProblemType.PAYLOAD_TOO_LARGE;
            case SILENT -> ProblemType.NO_SPEECH;
        };
        return new ApiProblem(type, e.getMessage() == null ? type.title : e.getMessage());
    }

    private static ApiProblem unavailable(SpeechAnalysis.AiUnavailableException e) {
        long seconds = Math.max(1, e.retryAfter() == null ? 5 : (e.retryAfter().toMillis() + 999) / 1000);
        return new ApiProblem(ProblemType.AI_UNAVAILABLE, e.getMessage(), List.of(),
                Map.of("Retry-After", Long.toString(seconds)));
    }
}

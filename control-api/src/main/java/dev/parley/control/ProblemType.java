package dev.parley.control;

import java.net.URI;

/**
 * Every kind of error the API reports. Each has a stable {@code type} URI (clients switch on it), an HTTP
 * status and a short human title; the per-occurrence explanation goes in the problem's {@code detail}.
 */
enum ProblemType {
    VALIDATION(400, "validation", "The request has invalid fields"),
    MALFORMED_JSON(400, "malformed-json", "The request body is not valid JSON"),
    UNAUTHORIZED(401, "unauthorized", "Authentication is required"),
    INVALID_TOKEN(401, "invalid-token", "The access token is invalid"),
    TOKEN_EXPIRED(401, "token-expired", "The access token has expired"),
    INVALID_CREDENTIALS(401, "invalid-credentials", "Wrong email or password"),
    INVALID_REFRESH_TOKEN(401, "invalid-refresh-token", "The refresh token is invalid or expired"),
    REFRESH_TOKEN_REUSED(401, "refresh-token-reused", "The refresh token was already used; its session is revoked"),
    FORBIDDEN(403, "forbidden", "Not allowed"),
    ACCOUNT_DISABLED(403, "account-disabled", "The account is disabled"),
    GUESTS_NOT_ALLOWED(403, "guests-not-allowed", "This meeting does not admit guests"),
    WRONG_MEETING_PASSWORD(403, "wrong-meeting-password", "The meeting password is missing or wrong"),
    RECORDING_NOT_ALLOWED(403, "recording-not-allowed", "This meeting may not be recorded"),
    NOT_FOUND(404, "not-found", "Not found"),
    METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
    EMAIL_TAKEN(409, "email-taken", "The email address is already registered"),
    CONFLICT(409, "conflict", "The request conflicts with the current state"),
    MEETING_ENDED(409, "meeting-ended", "The meeting has ended"),
    MEETING_FULL(409, "meeting-full", "The meeting is full"),
    RECORDING_IN_PROGRESS(409, "recording-in-progress", "The meeting is already being recorded"),
    RECORDING_NOT_ACTIVE(409, "recording-not-active", "The recording is not running"),
    PAYLOAD_TOO_LARGE(413, "payload-too-large", "The request body is too large"),
    UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "The request body must be application/json"),
    TOO_MANY_REQUESTS(429, "too-many-requests", "Too many attempts; try again later"),
    INTERNAL(500, "internal", "Internal server error"),
    RECORDING_UNAVAILABLE(503, "recording-unavailable", "Recording is not available on this server"),
    BAD_AUDIO(400, "bad-audio", "The audio file is malformed or truncated"),
    NOT_AUDIO(415, "not-audio", "The upload is not an audio file this server reads"),
    UNSUPPORTED_AUDIO_FORMAT(422, "unsupported-audio-format", "The audio's sample format is not supported"),
    NO_SPEECH(422, "no-speech", "The audio holds no speech"),
    AI_DISABLED(503, "ai-disabled", "No AI service is configured on this server"),
    AI_UNAVAILABLE(503, "ai-unavailable", "The AI service is not answering now");

    static final String BASE = "https://parley.dev/problems/";

    final int status;
    final String slug;
    final String title;

    ProblemType(int status, String slug, String title) {
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    URI uri() {
        return URI.create(BASE + slug);
    }
}

package dev.parley.control;

/** A recording may not be started or stopped now; {@link #code()} is the signaling error code to send. */
public final class RecordingRefused extends Exception {
    private final String code;

    private RecordingRefused(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The problem the REST API would answer, as a signaling refusal. */
    static RecordingRefused of(ApiProblem p) {
        // Written out (not derived from the slug) so that the protocol document's test sees every code sent.
        return switch (p.type) {
            // NOT_FOUND: a room with no meeting; only meetings are recorded.
            case RECORDING_NOT_ALLOWED, NOT_FOUND -> new RecordingRefused("recording_not_allowed", p.detail);
            case RECORDING_IN_PROGRESS -> new RecordingRefused("recording_in_progress", p.detail);
            case RECORDING_NOT_ACTIVE -> new RecordingRefused("recording_not_active", p.detail);
            case RECORDING_UNAVAILABLE -> new RecordingRefused("recording_unavailable", p.detail);
            case MEETING_ENDED -> new RecordingRefused("meeting_ended", p.detail);
            case FORBIDDEN -> new RecordingRefused("forbidden", p.detail);
            default -> new RecordingRefused("internal", p.detail);
        };
    }

    /**
     * {@code recording_not_allowed}, {@code recording_in_progress}, {@code recording_not_active},
     * {@code recording_unavailable}, {@code meeting_ended}, {@code forbidden} or {@code internal}.
     */
    public String code() {
        return code;
    }
}

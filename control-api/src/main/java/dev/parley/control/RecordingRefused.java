package dev.parley.control;

import java.util.Locale;

/** A recording may not be started or stopped now; {@link #code()} is the signaling error code to send. */
public final class RecordingRefused extends Exception {
    private final String code;

    private RecordingRefused(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The problem the REST API would answer, as a signaling refusal. */
    static RecordingRefused of(ApiProblem p) {
        String code = switch (p.type) {
            case RECORDING_NOT_ALLOWED, RECORDING_IN_PROGRESS, RECORDING_NOT_ACTIVE, RECORDING_UNAVAILABLE,
                 MEETING_ENDED, FORBIDDEN -> p.type.slug.replace('-', '_').toLowerCase(Locale.ROOT);
            case NOT_FOUND -> "recording_not_allowed"; // a room with no meeting: only meetings are recorded
            default -> "internal";
        };
        return new RecordingRefused(code, p.detail);
    }

    /**
     * {@code recording_not_allowed}, {@code recording_in_progress}, {@code recording_not_active},
     * {@code recording_unavailable}, {@code meeting_ended}, {@code forbidden} or {@code internal}.
     */
    public String code() {
        return code;
    }
}

package dev.parley.control;

/** Captions may not be turned on or off now; {@link #code()} is the signaling error code to send. */
public final class CaptionsRefused extends Exception {
    private final String code;

    private CaptionsRefused(String code, String message) {
        super(message);
        this.code = code;
    }

    /** The problem the REST API would answer, as a signaling refusal. */
    static CaptionsRefused of(ApiProblem p) {
        // Written out so that the protocol document's test sees every code sent.
        return switch (p.type) {
            case AI_DISABLED -> new CaptionsRefused("captions_unavailable", p.detail);
            case MEETING_ENDED -> new CaptionsRefused("meeting_ended", p.detail);
            case FORBIDDEN -> new CaptionsRefused("forbidden", p.detail);
            default -> new CaptionsRefused("internal", p.detail);
        };
    }

    /** {@code captions_unavailable}, {@code meeting_ended}, {@code forbidden} or {@code internal}. */
    public String code() {
        return code;
    }
}

package dev.parley.control;

/** Someone may not enter a room now; {@link #code()} is the signaling error code (docs/protocol.md) to send. */
public final class AdmissionRefused extends Exception {
    private final String code;

    AdmissionRefused(String code, String message) {
        super(message);
        this.code = code;
    }

    /**
     * {@code auth} (token missing, invalid, or needed for this meeting), {@code meeting_ended},
     * {@code account_disabled}, {@code account_deleted}, {@code guests_not_allowed} or {@code password_required}.
     */
    public String code() {
        return code;
    }
}

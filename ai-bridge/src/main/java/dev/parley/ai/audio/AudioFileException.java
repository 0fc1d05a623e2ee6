package dev.parley.ai.audio;

/**
 * An uploaded audio file that cannot be used, with a {@link Reason} a REST layer maps to its answer (e.g. 413 for
 * {@link Reason#TOO_LARGE}, 415 for {@link Reason#UNSUPPORTED_FORMAT}, 422 for the others) and a message meant for
 * the person who sent the file.
 */
public final class AudioFileException extends Exception {
    /** Why the file was refused. */
    public enum Reason {
        /** Neither a RIFF/WAVE nor an Ogg file (by its first bytes). */
        NOT_AUDIO,
        /** The file ends inside a header, a chunk, a page or a packet. */
        TRUNCATED,
        /** Structurally wrong: a bad chunk or page, an undecodable Opus packet. */
        MALFORMED,
        /** A real audio file in an encoding Parley does not read (e.g. compressed WAV, Ogg Vorbis, odd rates). */
        UNSUPPORTED_FORMAT,
        /** More bytes or a longer duration than the configured limit. */
        TOO_LARGE,
        /** No samples, or nothing above the silence level. */
        SILENT
    }

    private final Reason reason;

    public AudioFileException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

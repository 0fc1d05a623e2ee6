package dev.parley.sfu;

/** A publish refused because it would exceed the tracks allowed per participant or per room; nothing changed. */
public final class TooManyTracksException extends Exception {
    TooManyTracksException(String message) {
        super(message);
    }
}

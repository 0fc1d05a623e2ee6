package dev.parley.sfu;

/** A publish refused because it would share more than one screen for the participant; nothing changed. */
public final class TooManyScreensException extends Exception {
    TooManyScreensException(String message) {
        super(message);
    }
}

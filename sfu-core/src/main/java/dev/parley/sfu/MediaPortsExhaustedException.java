package dev.parley.sfu;

/** A join or publish needed a media port from the {@link MediaPortRange} and every port was taken. */
public final class MediaPortsExhaustedException extends RuntimeException {
    public MediaPortsExhaustedException(String message) {
        super(message);
    }
}

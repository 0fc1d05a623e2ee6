package dev.parley.sfu;

import java.util.Locale;

/**
 * What a published track carries: a microphone, a camera, or a shared screen. Subscribers lay a screen out
 * differently (large, on a stage) and the publisher encodes it differently (detail over frame rate), so the
 * source travels with the track from the publisher's {@code publish} to every subscriber offer.
 */
public enum TrackSource {
    MICROPHONE, CAMERA, SCREEN;

    /** The source as the signaling protocol names it: {@code microphone}, {@code camera}, {@code screen}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The source with that wire name, or null for a string that is not one of them. */
    public static TrackSource ofWireName(String name) {
        for (TrackSource s : values()) {
            if (s.wireName().equals(name)) {
                return s;
            }
        }
        return null;
    }

    /** The source of a track nobody said anything about: what a browser sends by default. */
    public static TrackSource defaultFor(MediaKind kind) {
        return kind == MediaKind.AUDIO ? MICROPHONE : CAMERA;
    }
}

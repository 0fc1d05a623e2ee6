package dev.parley.sfu.media;

/**
 * What a tap's feed is handed of the published stream it copies: the way back up for the tap's keyframe requests
 * and for taking the feed down. Implemented inside {@link PublishedStream}, like {@link ForwardSource} for a
 * subscriber's forward, so that a feed never holds the stream itself. Loop only.
 */
interface TapSource {
    /** The tap starts (a recording begins on a keyframe) or its consumer asks: a keyframe from the publisher. */
    void requestKeyframe(long now);

    /** The tap detached or closed: stop copying to {@code feed}. */
    void removeTap(TapFeed feed);
}

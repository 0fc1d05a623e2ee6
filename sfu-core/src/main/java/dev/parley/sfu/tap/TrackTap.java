package dev.parley.sfu.tap;

/**
 * A tap on a room: every track published in the room, delivered to a {@link TrackTapListener} on the tap's own
 * thread. Obtained from {@link dev.parley.sfu.Room#addTap}. Methods are safe to call from any thread, including the
 * listener's.
 */
public interface TrackTap extends AutoCloseable {
    /**
     * Asks the publisher of a tapped video track for a keyframe. The request goes through the same throttle as
     * subscribers' PLIs, so it may be merged with theirs; a tap does not need to repeat it quickly.
     *
     * @return false when the tap does not (or no longer) receive a video track with this id
     */
    boolean requestKeyframe(String trackId);

    /** Packets and sender reports the media loop could not queue because the tap's queue was full. */
    long droppedPackets();

    /** Packets and sender reports handed to the listener so far. */
    long deliveredPackets();

    /**
     * Detaches the tap from the room and stops its thread after the listener's current call returns; queued
     * packets are discarded and {@link TrackTapListener#onClosed()} is the last call. Closing twice is harmless.
     */
    @Override
    void close();
}

package dev.parley.sfu.tap;

/**
 * Receives what a {@link TrackTap} sees, one call at a time on the tap's thread, never on a media thread.
 *
 * <p>Order: {@link #onTrackAdded} comes before the track's first packet, {@link #onTrackRemoved} after its last;
 * packets and sender reports of all tracks come in the order they reached Parley. A slow listener only makes its
 * own tap drop packets. An exception thrown by a method is logged and counted, and delivery goes on.
 */
public interface TrackTapListener {
    /** A track is now tapped: one already published when the tap opened, or a new one. */
    void onTrackAdded(TappedTrack track);

    /** A decrypted RTP packet of {@code track}; {@code packet} is valid during this call only. */
    void onRtp(TappedTrack track, TapPacket packet);

    /** The track's publisher sent an RTCP sender report (about once a second per track, from browsers). */
    default void onSenderReport(TappedTrack track, TapSenderReport report) {}

    /** The publisher muted or unmuted the microphone (audio tracks) or turned the camera off or on (video). */
    default void onTrackMuted(TappedTrack track, boolean muted) {}

    /** The track ended; no more packets of it follow. */
    void onTrackRemoved(TappedTrack track, TrackRemoval reason);

    /** The tap was closed (by {@link TrackTap#close()} or the server shutting down); the last call. */
    default void onClosed() {}
}

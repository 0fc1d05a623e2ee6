/**
 * Track taps: server-side subscribers that receive a room's published tracks as decrypted RTP, for recording,
 * transcription or any other processing an embedder does next to the meeting.
 *
 * <p>Open one with {@link dev.parley.sfu.Room#addTap}. The media loop only copies each packet into the tap's
 * bounded queue (preallocated, no allocation per packet); the {@link TrackTapListener} is called on the tap's own
 * thread. A tap that falls behind loses packets ({@link TrackTap#droppedPackets()}), never delays forwarding. Of a
 * simulcast track a tap receives the best layer that flows, as one continuous stream ({@link TapPacket}).
 */
package dev.parley.sfu.tap;

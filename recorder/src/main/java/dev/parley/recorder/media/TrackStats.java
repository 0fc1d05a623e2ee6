package dev.parley.recorder.media;

/**
 * What a track recorder has done so far.
 *
 * @param frames frames written to the file
 * @param bytes bytes of the file on disk
 * @param durationMillis time of the last frame written (plus its duration), on the file's timeline
 * @param packets RTP packets taken
 * @param packetsLost sequence numbers given up on after the jitter deadline
 * @param packetsLate packets that arrived after their place had been given up on
 * @param duplicates packets received twice
 * @param refused inputs that were not RTP packets the recorder keeps
 * @param malformed payloads that broke the codec's payload format
 * @param framesDropped frames not written: incomplete, malformed, too large, or waiting for a keyframe
 * @param keyframeRequests keyframe requests made to the sender
 * @param senders times a new sender (SSRC) started, the first included
 * @param width current picture width (video), 0 before the first keyframe
 * @param height current picture height (video)
 * @param resolutionChanges times the picture size changed after the first keyframe
 * @param synced whether a sender report of the current sender has given {@code syncCorrectionMillis}
 * @param syncCorrectionMillis what to add to this file's times to put it on the capture timeline shared by all
 *     the tracks recorded with the same {@link SenderClock} (from the last frame written; 0 until synced)
 * @param failure why writing stopped (an I/O error such as a full disk), or null
 * @param firstFrameMillis time of the first frame written, on the file's timeline (the recording's), -1 before it
 */
public record TrackStats(long frames, long bytes, long durationMillis, long packets, long packetsLost,
        long packetsLate, long duplicates, long refused, long malformed, long framesDropped, long keyframeRequests,
        long senders, int width, int height, long resolutionChanges, boolean synced,
        long syncCorrectionMillis, String failure, long firstFrameMillis) {
}

package dev.parley.recorder;

import dev.parley.recorder.store.ObjectKey;
import dev.parley.sfu.MediaKind;

/**
 * One track of a finished recording: whose it was, when it was in the recording, and its file.
 *
 * @param trackId Parley's id of the track
 * @param participantId the publisher
 * @param participantName the publisher's display name when the track was tapped
 * @param kind audio or video
 * @param codec the codec name as negotiated ({@code opus}, {@code VP8}, {@code H264})
 * @param startMillis when the track joined the recording, in milliseconds since the recording started
 * @param endMillis when it left the recording (unpublished, publisher gone, or the recording stopped)
 * @param fileKey where its file is stored, or null when it has none (it never sent a frame that could be
 *     written, or the file could not be kept)
 * @param bytes the file's size, 0 without a file
 * @param truncated whether the file ends early: writing stopped on an error (see {@code failure})
 * @param failure why writing or storing the file failed, or null
 */
public record RecordedTrack(String trackId, String participantId, String participantName, MediaKind kind,
        String codec, long startMillis, long endMillis, ObjectKey fileKey, long bytes, boolean truncated,
        String failure) {
}

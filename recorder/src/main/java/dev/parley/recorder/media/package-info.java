/**
 * The recorder's media pipeline: RTP packets of one track in, one WebM (or Matroska, for H.264) file out.
 *
 * <p>{@link dev.parley.recorder.media.TrackRecorder} is the entry point: it puts packets back in order in a
 * jitter buffer with a deadline, depacketizes them into frames (Opus, VP8, H.264), starts video on a keyframe
 * and writes the frames with a crash-safe EBML writer whose clusters are flushed as they close. Everything here
 * runs on the recorder's own thread, never on a media event loop; none of it is thread-safe.
 */
package dev.parley.recorder.media;

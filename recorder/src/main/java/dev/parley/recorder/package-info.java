/**
 * Records meetings through sfu-core's track taps: {@link dev.parley.recorder.MeetingRecorder} starts a
 * {@link dev.parley.recorder.MeetingRecording} on a room, which writes one file per track
 * ({@link dev.parley.recorder.media}) and, when stopped, hands them to the uploader ({@link dev.parley.recorder.store})
 * and returns a {@link dev.parley.recorder.RecordingManifest}.
 */
package dev.parley.recorder;

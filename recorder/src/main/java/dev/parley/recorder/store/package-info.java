/**
 * Where finished recording files go: a local directory (the default) or an S3-compatible object store, and the
 * durable upload spool in front of either.
 *
 * <p>The recorder hands each finished file to {@link dev.parley.recorder.store.RecordingUploader#submit}; the
 * file moves into the spool, a small record of the pending upload is written atomically beside it, and the
 * upload runs in the background with bounded exponential backoff. The spool file is removed only once the store
 * has confirmed the object; after a restart, {@link dev.parley.recorder.store.RecordingUploader#start} resumes
 * every pending record (a multipart upload continues from the parts the object store already holds). Outcomes
 * arrive as {@link dev.parley.recorder.store.UploadEvent}s, failures carry a
 * {@link dev.parley.recorder.store.StoreFailure} the control plane can turn into a {@code failed} recording.
 *
 * <p>No HTTP server, SQL or JSON here: metadata and REST belong to the control plane.
 */
package dev.parley.recorder.store;

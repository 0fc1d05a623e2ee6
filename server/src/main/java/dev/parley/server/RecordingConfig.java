package dev.parley.server;

import dev.parley.recorder.store.S3Settings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where recordings go (settings {@code recording-*} and {@code s3-*}).
 *
 * @param dir the local store's directory (used when {@code s3} is null)
 * @param spoolDir files waiting for their upload; the per-track files are written beside it while recording
 * @param minFree bytes the local store leaves free on its disk
 * @param downloadTtl how long a presigned download URL stays valid
 * @param uploadAttempts attempts per file upload before the recording is marked failed
 * @param s3 the object store, or null for the local directory
 */
record RecordingConfig(Path dir, Path spoolDir, long minFree, Duration downloadTtl, int uploadAttempts,
                       S3Settings s3) {
    /** Where the recorder writes per-track files while recording: beside the spool, so handing over is a rename. */
    Path workDir() {
        return spoolDir.resolveSibling(spoolDir.getFileName() + "-work");
    }
}

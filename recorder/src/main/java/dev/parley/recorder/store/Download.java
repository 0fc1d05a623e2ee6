package dev.parley.recorder.store;

import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;

/** How to hand a stored file to someone who may download it. */
public sealed interface Download {

    /** The file is on this server's disk; the control plane streams it. */
    record LocalFile(Path path, long size) implements Download {
    }

    /** A time-limited URL the browser fetches straight from the object store. */
    record PresignedUrl(URI url, Instant expiresAt) implements Download {
    }
}

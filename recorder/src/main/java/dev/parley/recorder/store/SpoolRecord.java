package dev.parley.recorder.store;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * One pending upload as kept on disk in the spool: a few {@code name=value} lines beside the data file.
 *
 * @param id the upload's identity, also the spool file names and the tag stored with the object
 * @param key where the file goes
 * @param size the file's length, checked before upload
 * @param source where the file was before it moved into the spool (used only if a crash came in between)
 * @param multipartUploadId the multipart upload under way, or null
 * @param created when the recorder handed the file over
 */
record SpoolRecord(String id, ObjectKey key, long size, Path source, String multipartUploadId, Instant created) {
    private static final int VERSION = 1;
    private static final Pattern ID = Pattern.compile("[a-f0-9-]{36}");

    SpoolRecord {
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("spool record id must be a UUID, got '" + id + "'");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
    }

    SpoolRecord withMultipartUploadId(String uploadId) {
        return new SpoolRecord(id, key, size, source, uploadId, created);
    }

    byte[] encode() {
        Properties p = new Properties();
        p.setProperty("version", Integer.toString(VERSION));
        p.setProperty("id", id);
        p.setProperty("key", key.value());
        p.setProperty("size", Long.toString(size));
        p.setProperty("source", source.toString());
        p.setProperty("created", created.toString());
        if (multipartUploadId != null) {
            p.setProperty("multipart-upload-id", multipartUploadId);
        }
        StringWriter out = new StringWriter();
        try {
            p.store(out, "Parley pending recording upload");
        } catch (IOException e) {
            throw new IllegalStateException(e); // a StringWriter does not fail
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a record; anything missing or malformed is an IllegalArgumentException naming the field. */
    static SpoolRecord decode(byte[] bytes) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a spool record: " + e.getMessage(), e);
        }
        if (!Integer.toString(VERSION).equals(p.getProperty("version"))) {
            throw new IllegalArgumentException("unknown spool record version '" + p.getProperty("version") + "'");
        }
        try {
            return new SpoolRecord(required(p, "id"), new ObjectKey(required(p, "key")),
                    Long.parseLong(required(p, "size")), Path.of(required(p, "source")),
                    p.getProperty("multipart-upload-id"), Instant.parse(required(p, "created")));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("malformed spool record: " + e.getMessage(), e);
        }
    }

    private static String required(Properties p, String name) {
        String value = p.getProperty(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("field '" + name + "' is missing");
        }
        return value;
    }
}

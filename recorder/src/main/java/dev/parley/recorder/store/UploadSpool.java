package dev.parley.recorder.store;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The spool directory: for each pending upload, {@code <id>.upload} (the record, always written atomically)
 * and {@code <id>.data} (the file). The record is written before the file moves in and removed after the file
 * is gone, so after a crash at any point a record names everything that still has to happen.
 */
final class UploadSpool {
    private static final Logger LOG = LoggerFactory.getLogger(UploadSpool.class);
    static final String RECORD_SUFFIX = ".upload";
    static final String DATA_SUFFIX = ".data";

    private final Path dir;

    UploadSpool(Path dir) throws IOException {
        this.dir = dir.toAbsolutePath().normalize();
        Files.createDirectories(this.dir);
    }

    Path dir() {
        return dir;
    }

    /** Takes {@code file} into the spool; once this returns, the upload survives a crash. */
    SpoolRecord add(ObjectKey key, Path file) throws IOException {
        Path source = file.toAbsolutePath().normalize();
        SpoolRecord record = new SpoolRecord(UUID.randomUUID().toString(), key, Files.size(source), source, null,
                Instant.now());
        save(record);
        try {
            DurableFiles.move(source, dataOf(record));
        } catch (IOException e) {
            Files.deleteIfExists(recordOf(record));
            throw e;
        }
        return record;
    }

    void save(SpoolRecord record) throws IOException {
        DurableFiles.writeAtomically(recordOf(record), record.encode());
    }

    /**
     * The data file of a record, moving it in from its source if a crash came between the record and the move;
     * null when the file is nowhere.
     */
    Path data(SpoolRecord record) throws IOException {
        Path data = dataOf(record);
        if (!Files.exists(data) && Files.isRegularFile(record.source()) && Files.size(record.source()) == record.size()) {
            DurableFiles.move(record.source(), data);
        }
        return Files.exists(data) ? data : null;
    }

    /** Forgets an upload the store has confirmed: the file first, then the record. */
    void remove(SpoolRecord record) throws IOException {
        Files.deleteIfExists(dataOf(record));
        DurableFiles.syncDirectory(dir);
        Files.deleteIfExists(recordOf(record));
        DurableFiles.syncDirectory(dir);
    }

    /** Every readable record, oldest first. Unreadable ones are logged and left in place for an operator. */
    List<SpoolRecord> load() throws IOException {
        List<SpoolRecord> records = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") && name.contains(".tmp-")) {
                    Files.deleteIfExists(file); // a record or copy cut short by a crash; its rename never happened
                    continue;
                }
                if (!name.endsWith(RECORD_SUFFIX)) {
                    continue;
                }
                try {
                    SpoolRecord record = SpoolRecord.decode(Files.readAllBytes(file));
                    if (!name.equals(record.id() + RECORD_SUFFIX)) {
                        throw new IllegalArgumentException("its id " + record.id() + " does not match its name");
                    }
                    records.add(record);
                } catch (IllegalArgumentException e) {
                    LOG.warn("Skipping unreadable recording upload record {}: {}", file, e.getMessage());
                }
            }
        }
        records.sort(Comparator.comparing(SpoolRecord::created));
        return records;
    }

    private Path recordOf(SpoolRecord record) {
        return dir.resolve(record.id() + RECORD_SUFFIX);
    }

    private Path dataOf(SpoolRecord record) {
        return dir.resolve(record.id() + DATA_SUFFIX);
    }
}

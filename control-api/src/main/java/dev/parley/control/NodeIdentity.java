package dev.parley.control;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * This node's lasting id, kept in {@code dataDir/node-id}: presence rows carry it, so a node that restarts
 * after a crash closes exactly the rows it left open, and never those of other nodes sharing the database.
 */
final class NodeIdentity {
    static final String FILE_NAME = "node-id";

    private NodeIdentity() {}

    /** The id in {@code dataDir/node-id}, created on first start. */
    static String load(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (!Files.exists(file)) {
                try {
                    Files.writeString(Files.createFile(file), UUID.randomUUID() + "\n", StandardCharsets.UTF_8);
                } catch (FileAlreadyExistsException raced) {
                    // Another process created it first; use theirs.
                }
            }
            String id = Files.readString(file, StandardCharsets.UTF_8).trim();
            UUID.fromString(id);
            return id;
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(file + " does not hold a UUID; delete it to have a new node id made", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the node id " + file, e);
        }
    }
}

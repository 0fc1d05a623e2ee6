package dev.parley.control;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * A secret kept in a file of the data directory, generated on first use: 32 random bytes, base64url, readable
 * by the owner only. Parley's server secret and its metrics token live this way.
 */
public final class SecretFile {
    private SecretFile() {}

    /** The file's text, trimmed; when the file does not exist yet, a new random secret is written first. */
    public static String readOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            generate(file);
        }
        return Files.readString(file, StandardCharsets.UTF_8).trim();
    }

    private static void generate(Path file) throws IOException {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String text = Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n";
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } else {
                Files.createFile(file);
            }
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException raced) {
            // Another process created it first; use theirs.
        }
    }
}

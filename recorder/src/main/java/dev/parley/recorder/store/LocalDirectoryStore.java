package dev.parley.recorder.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Recording files in a directory on this server (by default {@code <data-dir>/recordings}), one file per key.
 * A file appears complete or not at all (hard link or copy to a temporary name, fsync, rename).
 */
public final class LocalDirectoryStore extends RecordingStore {
    /** Free space left on the disk unless configured otherwise: 1 GiB. */
    public static final long DEFAULT_RESERVE_BYTES = 1L << 30;
    private final Path root;
    private final long reserveBytes;

    /**
     * @param root the directory (created if missing)
     * @param reserveBytes free space to leave on the disk: a file that would go below it fails with
     *     {@link StoreFailure#DISK_FULL} instead of filling the disk the database and the spool share
     */
    public LocalDirectoryStore(Path root, long reserveBytes) {
        if (reserveBytes < 0) {
            throw new IllegalArgumentException("reserve must not be negative, got " + reserveBytes);
        }
        this.root = root.toAbsolutePath().normalize();
        this.reserveBytes = reserveBytes;
    }

    public Path root() {
        return root;
    }

    @Override
    public void check() throws StoreException {
        try {
            Files.createDirectories(root);
            Path probe = root.resolve(".probe-" + UUID.randomUUID());
            Files.write(probe, new byte[0]);
            Files.delete(probe);
        } catch (IOException e) {
            throw DurableFiles.failure("recording directory " + root + " is not writable", e);
        }
    }

    @Override
    StoredObject upload(ObjectKey key, Path file, UploadProgress progress) throws StoreException {
        Path target = pathOf(key);
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw DurableFiles.failure("cannot read " + file, e);
        }
        try {
            Files.createDirectories(target.getParent());
            // Checked even when a hard link would take no room: a disk this full refuses new recordings.
            long usable = Files.getFileStore(target.getParent()).getUsableSpace();
            if (usable - size < reserveBytes) {
                throw new StoreException(StoreFailure.DISK_FULL, "storing " + size + " bytes under " + key
                        + " would leave " + (usable - size) + " bytes free in " + root + ", below the reserve of "
                        + reserveBytes + " bytes");
            }
            if (!linkInto(file, target)) {
                DurableFiles.copyAtomically(file, target);
            }
        } catch (IOException e) {
            throw DurableFiles.failure("cannot store " + key + " in " + root, e);
        }
        return new StoredObject(key, size, target.toString());
    }

    /** Hard-links the file into place when it is on the same file system: no copy, no extra space. */
    private boolean linkInto(Path file, Path target) throws IOException {
        Path temp = target.resolveSibling("." + target.getFileName() + ".link-" + UUID.randomUUID());
        try {
            Files.createLink(temp, file);
        } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (DurableFiles.isDiskFull(e) || e instanceof NoSuchFileException) {
                throw e;
            }
            return false; // a different file system (EXDEV) or no hard links there: copy instead
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.syncDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(temp);
        }
        return true;
    }

    @Override
    public Optional<StoredObject> stat(ObjectKey key) throws StoreException {
        Path path = pathOf(key);
        try {
            return Files.isRegularFile(path)
                    ? Optional.of(new StoredObject(key, Files.size(path), path.toString()))
                    : Optional.empty();
        } catch (IOException e) {
            throw DurableFiles.failure("cannot read " + path, e);
        }
    }

    @Override
    public Download download(ObjectKey key, Duration validity) throws StoreException {
        checkValidity(validity);
        StoredObject stored = stat(key).orElseThrow(
                () -> new StoreException(StoreFailure.NOT_FOUND, key + " is not in " + root));
        return new Download.LocalFile(Path.of(stored.location()), stored.size());
    }

    @Override
    public void delete(ObjectKey key) throws StoreException {
        try {
            Files.deleteIfExists(pathOf(key));
        } catch (IOException e) {
            throw DurableFiles.failure("cannot delete " + key, e);
        }
    }

    @Override
    public String describe() {
        return "local directory " + root;
    }

    private Path pathOf(ObjectKey key) {
        Path path = root.resolve(key.value()).normalize();
        if (!path.startsWith(root) || path.equals(root)) { // ObjectKey already forbids this; belt and braces
            throw new IllegalArgumentException("object key " + key + " leaves the recording directory");
        }
        return path;
    }
}

package dev.parley.recorder.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** Collects an uploader's events and waits for one with a deadline; test files with known content. */
final class RecordedEvents implements Consumer<UploadEvent> {
    private final List<UploadEvent> events = new CopyOnWriteArrayList<>();
    private volatile Consumer<UploadEvent> hook = e -> { };

    @Override
    public void accept(UploadEvent event) {
        events.add(event);
        hook.accept(event);
    }

    /** Runs {@code action} on the uploader's thread as each event arrives (after it is recorded). */
    void onEvent(Consumer<UploadEvent> action) {
        hook = action;
    }

    List<UploadEvent> all() {
        return List.copyOf(events);
    }

    <T extends UploadEvent> List<T> of(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends UploadEvent> T await(Class<T> type, Duration timeout) throws InterruptedException {
        return await(type, e -> true, timeout);
    }

    <T extends UploadEvent> T await(Class<T> type, Predicate<T> matching, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (UploadEvent event : events) {
                if (type.isInstance(event) && matching.test(type.cast(event))) {
                    return type.cast(event);
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + timeout + "; events: " + events);
    }

    static byte[] content(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    static Path file(Path dir, String name, byte[] content) throws IOException {
        Files.createDirectories(dir);
        return Files.write(dir.resolve(name), content);
    }

    /** Files (and directories) left in the spool directory. */
    static List<String> spoolContents(Path spool) throws IOException {
        try (var files = Files.list(spool)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}

package dev.parley.bench.recording;

import dev.parley.bench.RoomLoad;
import dev.parley.recorder.MeetingRecorder;
import dev.parley.recorder.MeetingRecording;
import dev.parley.recorder.RecordedTrack;
import dev.parley.recorder.RecordingManifest;
import dev.parley.recorder.media.MediaSettings;
import dev.parley.recorder.store.LocalDirectoryStore;
import dev.parley.recorder.store.RecordingUploader;
import dev.parley.recorder.store.RetryPolicy;
import dev.parley.sfu.Room;
import dev.parley.sfu.tap.TapOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark's {@code --record} load: a real {@link MeetingRecorder} records the room into a local store in a
 * temporary directory, as a server with the default (local) storage does, and everything is deleted afterwards.
 */
public final class RecordingLoad implements RoomLoad {

    @Override
    public String label() {
        return "recording";
    }

    @Override
    public AutoCloseable attach(Room room) throws Exception {
        Path dir = Files.createTempDirectory("parley-bench-recording");
        LocalDirectoryStore store = new LocalDirectoryStore(dir.resolve("store"), 0);
        RecordingUploader uploader = RecordingUploader.start(dir.resolve("spool"), store, RetryPolicy.DEFAULT, event -> {});
        MeetingRecorder recorder = new MeetingRecorder(dir.resolve("work"), uploader, MediaSettings.defaults(),
                TapOptions.defaults());
        MeetingRecording recording = recorder.start(room, "bench").get(10, TimeUnit.SECONDS);
        return () -> {
            try {
                report(recording, recording.stop().get(30, TimeUnit.SECONDS));
            } finally {
                recorder.close();
                uploader.close();
                delete(dir);
            }
        };
    }

    /** Shows that the recorder wrote frames (the payloads parsed), not only counted packets. */
    private static void report(MeetingRecording recording, RecordingManifest manifest) {
        StringBuilder files = new StringBuilder();
        for (RecordedTrack t : manifest.tracks()) {
            files.append(String.format(" %s %s %,d bytes%s;", t.kind(), t.codec(), t.bytes(),
                    t.failure() == null ? "" : " (" + t.failure() + ")"));
        }
        System.out.printf("  recording: %,d packets delivered to the recorder, %,d dropped by its tap queue;%s%n",
                recording.deliveredPackets(), manifest.droppedPackets(), files);
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

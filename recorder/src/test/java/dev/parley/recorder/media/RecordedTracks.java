package dev.parley.recorder.media;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Per-track files as the recorder writes them, for tests of what is made from them (the meeting file, crash
 * repair): real ffmpeg-made Opus and VP8 sent through {@link TrackRecorder} as RTP packets arriving in time.
 */
public final class RecordedTracks {
    private static final long MS = 1_000_000L;
    private final Path media;
    private List<byte[]> opus;
    private List<byte[]> vp8;
    private int nextSsrc = 0x5000;

    /** Makes (once) 6 s of a tone and of a 160x120 test picture in {@code media}. */
    public RecordedTracks(Path media) throws IOException, InterruptedException {
        Ffmpeg.require();
        this.media = media;
    }

    private List<byte[]> opus() throws IOException, InterruptedException {
        if (opus == null) {
            opus = TestMedia.opus(media, 6);
        }
        return opus;
    }

    private List<byte[]> vp8() throws IOException, InterruptedException {
        if (vp8 == null) {
            vp8 = TestMedia.vp8(media, 160, 120, 6, 30);
        }
        return vp8;
    }

    /** A voice whose first packet arrives {@code startMillis} after the recording's start, lasting {@code millis}. */
    public Path voice(Path file, long startMillis, long millis) throws IOException, InterruptedException {
        return voice(file, startMillis, millis, millis, 0);
    }

    /**
     * A voice as {@link #voice(Path, long, long)}, muted (nothing sent, the RTP clock going on) from {@code muteAt}
     * for {@code muteMillis} milliseconds of its {@code millis}.
     */
    public Path voice(Path file, long startMillis, long millis, long muteAt, long muteMillis)
            throws IOException, InterruptedException {
        List<byte[]> frames = opus();
        RtpStream s = new RtpStream(nextSsrc++, 100);
        try (TrackRecorder r = new TrackRecorder(file, CodecInfo.opus(), 0, () -> { }, MediaSettings.defaults())) {
            for (int i = 0; i < millis / 20; i++) {
                if (i * 20L >= muteAt && i * 20L < muteAt + muteMillis) {
                    continue;
                }
                byte[] p = s.opus(frames.get(i % frames.size()), i * 960);
                long at = (startMillis + i * 20L) * MS;
                r.packet(p, 0, p.length, at);
                r.tick(at);
            }
        }
        return file;
    }

    /**
     * A camera (160x120, 30 fps, a keyframe each second) whose first packet arrives {@code startMillis} after the
     * recording's start, lasting {@code millis}. With {@code crashCopy} not null, a copy of the file is taken after
     * three quarters of the frames, as {@code kill -9} would leave it; the return value is then the number of frames
     * the recorder had written by then.
     */
    public long camera(Path file, long startMillis, long millis, Path crashCopy)
            throws IOException, InterruptedException {
        List<byte[]> frames = vp8();
        RtpStream s = new RtpStream(nextSsrc++, 200);
        int count = (int) (millis * 30 / 1000);
        long written = count;
        try (TrackRecorder r = new TrackRecorder(file, CodecInfo.vp8(), 0, () -> { }, MediaSettings.defaults())) {
            for (int i = 0; i < count; i++) {
                long at = (startMillis + i * 1000L / 30) * MS;
                for (byte[] p : s.vp8(frames.get(i % frames.size()), i * 3000)) {
                    r.packet(p, 0, p.length, at);
                }
                r.tick(at);
                if (crashCopy != null && i == count * 3 / 4) {
                    written = r.stats().frames();
                    Files.copy(file, crashCopy);
                }
            }
        }
        return written;
    }
}

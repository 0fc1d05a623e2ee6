package dev.parley.recorder.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Real bitstreams made by ffmpeg at test time: VP8 frames (IVF), Opus packets (Ogg), H.264 access units. */
public final class TestMedia {
    private TestMedia() {
    }

    /** VP8 frames of a test picture, {@code seconds} long at 30 fps, a keyframe every {@code gop} frames. */
    public static List<byte[]> vp8(Path dir, int width, int height, int seconds, int gop)
            throws IOException, InterruptedException {
        Path ivf = dir.resolve("vp8-" + width + "x" + height + ".ivf");
        Ffmpeg.run("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc=size=" + width + "x" + height + ":rate=30", "-t", Integer.toString(seconds), "-c:v",
                "libvpx", "-b:v", "400k", "-g", Integer.toString(gop), "-keyint_min", Integer.toString(gop),
                "-f", "ivf", ivf.toString());
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(ivf)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(b.getShort(6) & 0xFFFF);
        List<byte[]> frames = new ArrayList<>();
        while (b.remaining() >= 12) {
            int size = b.getInt();
            b.getLong();
            byte[] f = new byte[size];
            b.get(f);
            frames.add(f);
        }
        return frames;
    }

    /** Opus packets (20 ms each) of a sine tone, {@code seconds} long. */
    public static List<byte[]> opus(Path dir, int seconds) throws IOException, InterruptedException {
        Path ogg = dir.resolve("tone.ogg");
        Ffmpeg.run("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "sine=frequency=440:sample_rate=48000",
                "-t", Integer.toString(seconds), "-c:a", "libopus", "-b:a", "48k", "-frame_duration", "20",
                "-f", "ogg", ogg.toString());
        byte[] data = Files.readAllBytes(ogg);
        List<byte[]> packets = new ArrayList<>();
        java.io.ByteArrayOutputStream current = new java.io.ByteArrayOutputStream();
        int at = 0;
        while (at + 27 <= data.length) {
            int segments = data[at + 26] & 0xFF;
            int body = at + 27 + segments;
            for (int i = 0; i < segments; i++) {
                int lace = data[at + 27 + i] & 0xFF;
                current.write(data, body, lace);
                body += lace;
                if (lace < 255) {
                    packets.add(current.toByteArray());
                    current.reset();
                }
            }
            at = body;
        }
        // The first two Ogg packets are the OpusHead and OpusTags headers, not audio.
        return packets.subList(2, packets.size());
    }

    /** H.264 access units (Annex-B, start codes removed: a list of NAL units each) of a test picture. */
    static List<List<byte[]>> h264(Path dir, int width, int height, int seconds)
            throws IOException, InterruptedException {
        Path raw = dir.resolve("h264-" + width + "x" + height + ".h264");
        Ffmpeg.run("ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                "testsrc=size=" + width + "x" + height + ":rate=30", "-t", Integer.toString(seconds), "-c:v",
                "libx264", "-profile:v", "baseline", "-pix_fmt", "yuv420p", "-g", "30", "-x264-params",
                "aud=1", "-f", "h264", raw.toString());
        byte[] d = Files.readAllBytes(raw);
        List<byte[]> nals = new ArrayList<>();
        int start = -1;
        for (int i = 0; i + 3 <= d.length; i++) {
            if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1) {
                if (start >= 0) {
                    int end = i > 0 && d[i - 1] == 0 ? i - 1 : i;
                    nals.add(Arrays.copyOfRange(d, start, end));
                }
                start = i + 3;
                i += 2;
            }
        }
        nals.add(Arrays.copyOfRange(d, start, d.length));
        List<List<byte[]>> units = new ArrayList<>();
        for (byte[] nal : nals) {
            if ((nal[0] & 0x1F) == 9) { // access unit delimiter: a new access unit begins
                units.add(new ArrayList<>());
            } else if (!units.isEmpty()) {
                units.get(units.size() - 1).add(nal);
            }
        }
        return units;
    }
}

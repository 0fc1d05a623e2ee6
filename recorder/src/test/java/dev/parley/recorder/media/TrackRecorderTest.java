package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole tracks through the recorder, from RTP packets of real ffmpeg bitstreams to a file that ffprobe and
 * ffmpeg read: timing, loss, reordering, wrap-around, resolution changes, pauses, a publisher who comes back,
 * a crash in the middle of a recording, and a file that cannot be written.
 */
class TrackRecorderTest {
    private static final long MS = 1_000_000L;

    @TempDir
    static Path media;
    static List<byte[]> opus;
    static List<byte[]> vp8Small;
    static List<byte[]> vp8Large;

    @TempDir
    Path dir;
    private int keyframeRequests;

    @BeforeAll
    static void makeMedia() throws Exception {
        Ffmpeg.require();
        opus = TestMedia.opus(media, 3);
        vp8Small = TestMedia.vp8(media, 320, 240, 4, 30);
        vp8Large = TestMedia.vp8(media, 640, 360, 1, 30);
    }

    /** A packet and when it arrives. */
    record Arrival(byte[] packet, long nanos) {
    }

    private TrackRecorder recorder(Path file, CodecInfo codec) {
        return new TrackRecorder(file, codec, 0, () -> keyframeRequests++, MediaSettings.defaults());
    }

    private static void feed(TrackRecorder r, List<Arrival> arrivals) {
        for (Arrival a : arrivals) {
            r.packet(a.packet(), 0, a.packet().length, a.nanos());
            r.tick(a.nanos());
        }
    }

    private static List<Arrival> opusArrivals(RtpStream s, List<byte[]> frames, int firstTimestamp, long startNanos) {
        List<Arrival> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            out.add(new Arrival(s.opus(frames.get(i), firstTimestamp + i * 960), startNanos + i * 20 * MS));
        }
        return out;
    }

    private static List<Arrival> vp8Arrivals(RtpStream s, List<byte[]> frames, int firstTimestamp, long startNanos) {
        List<Arrival> out = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            for (byte[] p : s.vp8(frames.get(i), firstTimestamp + i * 3000)) {
                out.add(new Arrival(p, startNanos + i * 33 * MS));
            }
        }
        return out;
    }

    /** Swaps neighbours here and there (arrival times stay in push order), as a network that reorders. */
    private static List<Arrival> reorder(List<Arrival> in, long seed) {
        List<byte[]> packets = new ArrayList<>(in.stream().map(Arrival::packet).toList());
        Random random = new Random(seed);
        for (int i = 0; i + 2 < packets.size(); i += 3) {
            if (random.nextInt(3) == 0) {
                Collections.swap(packets, i, i + 2);
            }
        }
        List<Arrival> out = new ArrayList<>();
        for (int i = 0; i < packets.size(); i++) {
            out.add(new Arrival(packets.get(i), in.get(i).nanos()));
        }
        return out;
    }

    private static double maxStep(List<Double> times) {
        double max = 0;
        for (int i = 1; i < times.size(); i++) {
            max = Math.max(max, times.get(i) - times.get(i - 1));
        }
        return max;
    }

    @Test
    void opusThroughTimestampAndSequenceWrapAroundIsSeamless() throws Exception {
        Path file = dir.resolve("opus.webm");
        RtpStream s = new RtpStream(0x1111, 65_500);
        List<Arrival> arrivals = reorder(opusArrivals(s, opus, 0xFFFF_FFFF - 960 * 40, 0), 1);
        try (TrackRecorder r = recorder(file, CodecInfo.opus())) {
            feed(r, arrivals);
            r.close();
            TrackStats stats = r.stats();
            assertEquals(opus.size(), stats.frames());
            assertEquals(0, stats.packetsLost());
            assertEquals(Files.size(file), stats.bytes());
        }
        Map<String, String> probe = Ffmpeg.probe(file);
        assertEquals("opus", probe.get("codec_name"));
        assertEquals("48000", probe.get("sample_rate"));
        assertEquals(opus.size(), Integer.parseInt(probe.get("nb_read_packets")));
        assertEquals(3.0, Double.parseDouble(probe.get("duration")), 0.1);
        List<Double> times = Ffmpeg.packetTimes(file);
        assertEquals(0.020, maxStep(times), 0.0015, "no jump where the timestamp wrapped");
        assertTrue(Ffmpeg.decodeCleanly(file) > 0);
    }

    @Test
    void vp8WithLossAndReorderingStartsAgainAtTheNextKeyframe() throws Exception {
        Path file = dir.resolve("vp8.webm");
        RtpStream s = new RtpStream(0x2222, 100);
        List<Arrival> arrivals = new ArrayList<>(vp8Arrivals(s, vp8Small, 12345, 0));
        // Lose the first packet of frame 40 (mid-GOP; keyframes at 0, 30, 60, 90).
        int frame40 = 0;
        int seen = 0;
        for (int i = 0; i < arrivals.size(); i++) {
            byte[] p = arrivals.get(i).packet();
            if ((p[12] & 0x10) != 0 && seen++ == 40) {
                frame40 = i;
                break;
            }
        }
        arrivals.remove(frame40);
        try (TrackRecorder r = recorder(file, CodecInfo.vp8())) {
            feed(r, reorder(arrivals, 2));
            r.close();
            TrackStats stats = r.stats();
            assertEquals(vp8Small.size() - 20, stats.frames(), "frames 40..59 dropped, the rest written");
            assertEquals(1, stats.packetsLost());
            assertEquals(320, stats.width());
            assertTrue(keyframeRequests >= 1 && stats.keyframeRequests() == keyframeRequests);
        }
        Map<String, String> probe = Ffmpeg.probe(file);
        assertEquals("vp8", probe.get("codec_name"));
        assertEquals("320", probe.get("width"));
        assertEquals("240", probe.get("height"));
        assertEquals(vp8Small.size() - 20, Integer.parseInt(probe.get("nb_read_packets")));
        List<Double> times = Ffmpeg.packetTimes(file);
        assertEquals(0.0, times.get(0), 1e-9);
        assertEquals(21 / 30.0, maxStep(times), 0.002, "the dropped frames leave a gap of their length");
        assertEquals(vp8Small.size() - 20, Ffmpeg.decodeCleanly(file));
    }

    @Test
    void aCrashLeavesAFileThatPlaysUpToTheLastFlushedCluster() throws Exception {
        Path file = dir.resolve("crash.webm");
        Path copy = dir.resolve("crash-copy.webm");
        RtpStream s = new RtpStream(0x3333, 0);
        TrackRecorder r = recorder(file, CodecInfo.vp8());
        List<Arrival> arrivals = vp8Arrivals(s, vp8Small, 0, 0);
        feed(r, arrivals.subList(0, arrivals.size() * 3 / 4));
        long written = r.stats().frames();
        Files.copy(file, copy); // what a kill -9 now would leave on disk
        long onDisk = Files.size(copy);
        assertEquals(r.stats().bytes(), onDisk);

        Map<String, String> crashed = Ffmpeg.probe(copy);
        assertEquals("vp8", crashed.get("codec_name"));
        int packets = Integer.parseInt(crashed.get("nb_read_packets"));
        assertTrue(packets <= written && packets >= written - 31,
                packets + " frames readable of " + written + " written: at most one 1 s cluster lost");
        assertEquals(packets, Ffmpeg.decodeCleanly(copy));

        r.close();
        Map<String, String> finished = Ffmpeg.probe(file);
        assertEquals(written, Integer.parseInt(finished.get("nb_read_packets")));
        assertEquals(written / 30.0, Double.parseDouble(finished.get("duration")), 0.05);
        // Cues make the finalized file seekable: decoding from 2 s on starts at a keyframe cleanly.
        Ffmpeg.Result seek = Ffmpeg.runAllowingFailure("ffmpeg", "-nostdin", "-v", "error", "-ss", "2", "-i",
                file.toString(), "-f", "null", "-");
        assertEquals(0, seek.exit(), seek.stderr());
    }

    @Test
    void aResolutionChangeIsCountedAndEveryFrameStillDecodes() throws Exception {
        Path file = dir.resolve("resize.webm");
        RtpStream s = new RtpStream(0x4444, 65_000);
        List<byte[]> frames = new ArrayList<>(vp8Small.subList(0, 30));
        frames.addAll(vp8Large);
        try (TrackRecorder r = recorder(file, CodecInfo.vp8())) {
            feed(r, vp8Arrivals(s, frames, 0, 0));
            r.close();
            TrackStats stats = r.stats();
            assertEquals(frames.size(), stats.frames());
            assertEquals(1, stats.resolutionChanges());
            assertEquals(640, stats.width());
            assertEquals(360, stats.height());
        }
        assertEquals(frames.size(), Ffmpeg.decodeCleanly(file));
    }

    @Test
    void aPublisherWhoLeavesAndComesBackKeepsTheGapOnTheTimeline() throws Exception {
        Path file = dir.resolve("rejoin.webm");
        List<byte[]> second = opus.subList(0, 50);
        try (TrackRecorder r = recorder(file, CodecInfo.opus())) {
            feed(r, opusArrivals(new RtpStream(0xAAAA, 40_000), opus.subList(0, 50), 777, 500 * MS));
            // Two seconds of nothing, then a new sender with other sequence numbers. Its timestamps happen to go
            // on from the old sender's: only the new SSRC says that time passed in between.
            feed(r, opusArrivals(new RtpStream(0xBBBB, 3), second, 777 + 50 * 960, 3500 * MS));
            r.close();
            assertEquals(2, r.stats().senders());
            assertEquals(100, r.stats().frames());
        }
        List<Double> times = Ffmpeg.packetTimes(file);
        assertEquals(0.5, times.get(0), 0.002, "the track starts when its first packet arrived");
        assertEquals(2.02, maxStep(times), 0.01, "the absence stays a gap");
        assertEquals(4.5, times.get(times.size() - 1), 0.03);
        assertTrue(Ffmpeg.decodeCleanly(file) > 0);
    }

    @Test
    void aMuteGapWithinOneSenderFollowsTheRtpTimestamps() throws Exception {
        Path file = dir.resolve("mute.webm");
        RtpStream s = new RtpStream(0xCCCC, 9);
        try (TrackRecorder r = recorder(file, CodecInfo.opus())) {
            feed(r, opusArrivals(s, opus.subList(0, 25), 0, 0));
            // Muted for 3 s: nothing sent, the timestamps move on with the clock.
            feed(r, opusArrivals(s, opus.subList(25, 50), 25 * 960 + 3 * 48_000, 3500 * MS));
            r.close();
        }
        List<Double> times = Ffmpeg.packetTimes(file);
        assertEquals(3.02, maxStep(times), 0.002);
        assertEquals(50, times.size());
    }

    @Test
    void h264IsWrittenAsMatroskaWithItsParameterSets() throws Exception {
        Path file = dir.resolve("h264.mkv");
        List<List<byte[]>> units = TestMedia.h264(media, 320, 180, 2);
        RtpStream s = new RtpStream(0x6666, 65_000);
        List<Arrival> arrivals = new ArrayList<>();
        for (int i = 0; i < units.size(); i++) {
            for (byte[] p : s.h264(units.get(i), 5000 + i * 3000)) {
                arrivals.add(new Arrival(p, i * 33 * MS));
            }
        }
        try (TrackRecorder r = recorder(file, CodecInfo.h264())) {
            feed(r, reorder(arrivals, 3));
            r.close();
            assertEquals(units.size(), r.stats().frames());
            assertEquals(320, r.stats().width());
            assertEquals(180, r.stats().height());
        }
        Map<String, String> probe = Ffmpeg.probe(file);
        assertEquals("h264", probe.get("codec_name"));
        assertEquals("320", probe.get("width"));
        assertEquals("180", probe.get("height"));
        assertEquals(units.size(), Ffmpeg.decodeCleanly(file));
    }

    private static long ntp(long millis) {
        return (3_900_000_000L + millis / 1000) << 32 | ((millis % 1000) << 32) / 1000;
    }

    @Test
    void senderReportsLineUpAudioWithVideoThatArrivesLater() throws Exception {
        SenderClock publisher = new SenderClock();
        int audioBase = 0x1234_0000;
        int videoBase = 0x7FFF_0000;
        TrackRecorder audio = new TrackRecorder(dir.resolve("a.webm"), CodecInfo.opus(), 0, () -> { },
                MediaSettings.defaults(), publisher);
        TrackRecorder video = new TrackRecorder(dir.resolve("v.webm"), CodecInfo.vp8(), 0, () -> { },
                MediaSettings.defaults(), publisher);
        RtpStream a = new RtpStream(0xA0A0, 1);
        RtpStream v = new RtpStream(0xB0B0, 1);
        // Captured at the same moments; audio arrives 20 ms after capture, video 170 ms (encoder, pacing).
        for (int ms = 0; ms < 2000; ms++) {
            if (ms % 500 == 0) { // sender reports of both streams, 20 ms on the way
                audio.senderReport(a.ssrc, ntp(ms), audioBase + ms * 48, (ms + 20) * MS);
                video.senderReport(v.ssrc, ntp(ms), videoBase + ms * 90, (ms + 20) * MS);
            }
            if (ms % 20 == 0) {
                byte[] p = a.opus(opus.get(ms / 20), audioBase + ms * 48);
                audio.packet(p, 0, p.length, (ms + 20) * MS);
            }
            if (ms % 100 == 0) { // 10 fps: frame ms/100 every 100 ms
                for (byte[] p : v.vp8(vp8Small.get(ms / 100 * 30 % vp8Small.size()), videoBase + ms * 90)) {
                    video.packet(p, 0, p.length, (ms + 170) * MS);
                }
            }
            audio.tick((ms + 20) * MS);
            video.tick((ms + 170) * MS);
        }
        audio.close();
        video.close();
        TrackStats as = audio.stats();
        TrackStats vs = video.stats();
        assertTrue(as.synced() && vs.synced(), as + " / " + vs);
        assertEquals(0, as.syncCorrectionMillis(), 1);
        assertEquals(-150, vs.syncCorrectionMillis(), 1, "video was placed 150 ms late by its arrival");

        TrackRecorder other = new TrackRecorder(dir.resolve("o.webm"), CodecInfo.opus(), 0, () -> { },
                MediaSettings.defaults(), new SenderClock());
        other.senderReport(0x9999, ntp(0), 0, 0); // another stream's report says nothing about this one
        RtpStream o = new RtpStream(0xC0C0, 1);
        for (int i = 0; i < 30; i++) {
            byte[] p = o.opus(opus.get(i), i * 960);
            other.packet(p, 0, p.length, i * 20 * MS);
        }
        other.close();
        assertFalse(other.stats().synced());
    }

    @Test
    void aQuietTrackHasItsMediaOnDiskOnceAClusterDurationPassed() throws Exception {
        Path file = dir.resolve("quiet.webm");
        Path copy = dir.resolve("quiet-copy.webm");
        RtpStream s = new RtpStream(0x5555, 0);
        TrackRecorder r = recorder(file, CodecInfo.opus());
        for (Arrival a : opusArrivals(s, opus.subList(0, 30), 0, 0)) {
            java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(a.packet().length + 8);
            direct.position(8);
            direct.put(a.packet()).flip().position(8);
            r.packet(direct, a.nanos());
        }
        r.tick(3_000 * MS); // then silence (muted): nothing more arrives
        Files.copy(file, copy);
        assertEquals(30, Integer.parseInt(Ffmpeg.probe(copy).get("nb_read_packets")),
                "every frame is on disk although the cluster was not full and the file is still open");
        r.close();
    }

    @Test
    void aFileThatCannotBeWrittenFailsTheTrackWithAReasonAndNothingThrows() throws Exception {
        Path file = dir.resolve("missing-directory").resolve("t.webm");
        RtpStream s = new RtpStream(0xDDDD, 0);
        TrackRecorder r = recorder(file, CodecInfo.opus());
        feed(r, opusArrivals(s, opus.subList(0, 20), 0, 0));
        assertNotNull(r.stats().failure());
        assertTrue(r.stats().failure().contains("NoSuchFileException"), r.stats().failure());
        feed(r, opusArrivals(s, opus.subList(20, 30), 20 * 960, 400 * MS));
        r.close();
        assertFalse(Files.exists(file));
        assertEquals(0, r.stats().frames());
    }

    @Test
    void aTrackWithoutAKeyframeCreatesNoFile() throws Exception {
        Path file = dir.resolve("never.webm");
        RtpStream s = new RtpStream(0xEEEE, 0);
        try (TrackRecorder r = recorder(file, CodecInfo.vp8())) {
            feed(r, vp8Arrivals(s, vp8Small.subList(1, 29), 0, 0));
            r.close();
            assertFalse(r.hasFile());
            assertNull(r.stats().failure());
            assertEquals(28, r.stats().framesDropped());
            assertTrue(r.stats().keyframeRequests() >= 1);
        }
        assertFalse(Files.exists(file));
    }
}

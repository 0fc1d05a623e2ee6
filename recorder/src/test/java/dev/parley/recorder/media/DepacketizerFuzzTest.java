package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feeds the depacketizers, the SPS reader and a whole track recorder random and mutated input: nothing may
 * throw (the depacketizers document no exception at all), and no frame may outgrow the configured limit, however
 * many packets of one timestamp arrive without a marker bit.
 */
class DepacketizerFuzzTest {
    private static final int ROUNDS = 60_000;
    private static final int MAX_FRAME = 64 << 10;

    private static final byte[][] VP8_VALID = {
        ByteVectors.of(0x90, 0x80, 0x81, 0x23, 0x10, 0x02, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00, 0x11),
        ByteVectors.of(0x80, 0x80, 0x81, 0x23, 0x55, 0x66, 0x77),
        ByteVectors.of(0xB0, 0xF0, 0x05, 0x11, 0x40, 0x11, 0x22, 0x33),
    };
    private static final byte[][] H264_VALID = {
        ByteVectors.of(0x78, 0x00, 0x06, 0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00, 0x00, 0x04, 0x68, 0xCE, 0x3C, 0x80),
        ByteVectors.of(0x7C, 0x85, 0x88, 0x84, 0x00),
        ByteVectors.of(0x7C, 0x05, 0x11, 0x22),
        ByteVectors.of(0x7C, 0x45, 0x33, 0x44),
        ByteVectors.of(0x41, 0x9A, 0x01, 0x02),
    };

    @TempDir
    Path dir;

    /** Checks every frame handed out, and that nothing throws. */
    private static final class BoundedSink implements FrameSink {
        long frames;

        @Override
        public void frame(byte[] data, int offset, int length, long timestamp, boolean keyframe, long arrival) {
            assertTrue(length > 0 && length <= MAX_FRAME + 8, "frame of " + length + " bytes");
            assertTrue(offset >= 0 && offset + length <= data.length);
            frames++;
        }
    }

    private static void fuzz(Depacketizer d, byte[][] valid, long seed) {
        Random random = new Random(seed);
        long ts = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] payload = random.nextInt(3) == 0 ? randomBytes(random, 40)
                    : mutate(random, valid[random.nextInt(valid.length)]);
            if (random.nextInt(8) == 0) {
                ts += 3000;
            }
            byte[] embedded = new byte[payload.length + 16];
            random.nextBytes(embedded);
            int offset = random.nextInt(8);
            System.arraycopy(payload, 0, embedded, offset, payload.length);
            OrderedPacket p = OrderedPacket.of(embedded, round, ts, random.nextInt(5) == 0, random.nextInt(20) == 0);
            p.payloadOffset = offset;
            p.payloadLength = payload.length;
            d.push(p);
            if (random.nextInt(1000) == 0) {
                d.reset();
            }
        }
    }

    @Test
    void vp8SurvivesHostilePayloads() {
        BoundedSink sink = new BoundedSink();
        Vp8Depacketizer d = new Vp8Depacketizer(sink, MAX_FRAME);
        fuzz(d, VP8_VALID, 0x5EED_0801L);
        assertTrue(d.malformed() > 0 && sink.frames > 0, "both paths taken: " + d.malformed() + "/" + sink.frames);
    }

    @Test
    void h264SurvivesHostilePayloadsInBothFormats() {
        for (H264Depacketizer.Format format : H264Depacketizer.Format.values()) {
            BoundedSink sink = new BoundedSink();
            H264Depacketizer d = new H264Depacketizer(sink, MAX_FRAME, format);
            fuzz(d, H264_VALID, 0x5EED_0264L + format.ordinal());
            assertTrue(d.malformed() > 0 && sink.frames > 0, format + ": " + d.malformed() + "/" + sink.frames);
        }
    }

    @Test
    void opusSurvivesHostilePayloads() {
        BoundedSink sink = new BoundedSink();
        fuzz(new OpusDepacketizer(sink), new byte[][] {ByteVectors.of(0x78, 1, 2)}, 0x5EED_0051L);
        assertTrue(sink.frames > 0);
    }

    @Test
    void framesWithoutEndAreDroppedAtTheLimitNotGrown() {
        BoundedSink sink = new BoundedSink();
        Vp8Depacketizer vp8 = new Vp8Depacketizer(sink, MAX_FRAME);
        H264Depacketizer h264 = new H264Depacketizer(sink, MAX_FRAME, H264Depacketizer.Format.AVCC);
        byte[] vp8Start = ByteVectors.of(0x10, 0x00, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x40, 0x01, 0xF0, 0x00);
        byte[] vp8More = new byte[1200];
        byte[] fuStart = ByteVectors.of(0x7C, 0x85, 1, 2, 3);
        byte[] fuMore = new byte[1200];
        fuMore[0] = 0x7C;
        fuMore[1] = 0x05;
        vp8.push(OrderedPacket.of(vp8Start, 0, 0, false, false));
        h264.push(OrderedPacket.of(fuStart, 0, 0, false, false));
        for (int i = 1; i < 1000; i++) { // 1.2 MB of one frame, twenty times the limit
            vp8.push(OrderedPacket.of(vp8More, i, 0, false, false));
            h264.push(OrderedPacket.of(fuMore, i, 0, false, false));
        }
        assertTrue(vp8.dropped() >= 1 && h264.malformed() >= 1);
        assertTrue(sink.frames == 0);
    }

    @Test
    void spsReaderSurvivesHostileInput() {
        Random random = new Random(0x5EED_0567L);
        byte[] sps = ByteVectors.of(0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9, 0x40, 0x50, 0x05, 0xBB, 0x01, 0x10, 0x00,
                0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xC0, 0xF1, 0x83, 0x19, 0x60);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] b = round % 2 == 0 ? randomBytes(random, 40) : mutate(random, sps);
            long size = H264Sps.pictureSize(b, 0, b.length);
            assertTrue(size == -1 || (size >>> 32) > 0 && (int) size > 0);
        }
    }

    @Test
    void aTrackRecorderSurvivesHostilePackets() throws Exception {
        Random random = new Random(0x5EED_7AC7L);
        for (CodecInfo codec : new CodecInfo[] {CodecInfo.vp8(), CodecInfo.h264(), CodecInfo.opus()}) {
            int[] requests = {0};
            Path file = dir.resolve(codec.codec() + ".webm");
            try (TrackRecorder r = new TrackRecorder(file, codec, 0, () -> requests[0]++, MediaSettings.defaults())) {
                byte[][] valid = codec.codec() == MediaCodec.VP8 ? VP8_VALID
                        : codec.codec() == MediaCodec.H264 ? H264_VALID : new byte[][] {ByteVectors.of(0x78, 1)};
                for (int round = 0; round < 20_000; round++) {
                    byte[] packet = random.nextInt(4) == 0 ? randomBytes(random, 60)
                            : mutate(random, RtpStream.packet(round + random.nextInt(3), round / 3 * 3000,
                                    random.nextInt(50) == 0 ? 9 : 8, random.nextBoolean(),
                                    valid[random.nextInt(valid.length)]));
                    r.packet(packet, 0, packet.length, round * 1_000_000L);
                    if (round % 100 == 0) {
                        r.tick(round * 1_000_000L);
                    }
                }
                TrackStats stats = r.stats();
                assertTrue(stats.refused() > 0 && stats.packets() > 0, stats.toString());
                assertTrue(stats.failure() == null, stats.failure());
            }
        }
    }

    private static byte[] randomBytes(Random random, int max) {
        byte[] b = new byte[random.nextInt(max + 1)];
        random.nextBytes(b);
        return b;
    }

    /** One to three flips, truncations, extensions or overwritten bytes of a copy of a valid input. */
    private static byte[] mutate(Random random, byte[] valid) {
        byte[] b = valid.clone();
        for (int r = 1 + random.nextInt(3); r > 0; r--) {
            switch (random.nextInt(4)) {
                case 0 -> {
                    if (b.length > 0) {
                        b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> b = Arrays.copyOf(b, b.length == 0 ? 0 : random.nextInt(b.length + 1));
                case 2 -> b = Arrays.copyOf(b, b.length + 1 + random.nextInt(8));
                default -> {
                    if (b.length > 0) {
                        b[random.nextInt(b.length)] = (byte) (random.nextBoolean() ? 0xFF : random.nextInt(256));
                    }
                }
            }
        }
        return b;
    }
}

package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H264DepacketizerTest {
    @TempDir
    Path dir;

    private final FrameLog log = new FrameLog();
    private long seq;

    private static final byte[] SPS = ByteVectors.of(0x67, 0x42, 0xC0, 0x1E, 0xD9, 0x00);
    private static final byte[] PPS = ByteVectors.of(0x68, 0xCE, 0x3C, 0x80);
    private static final byte[] IDR = ByteVectors.of(0x65, 0x88, 0x84, 0x00, 0x33, 0xFF);

    private void push(H264Depacketizer d, byte[] payload, long ts, boolean marker, boolean gap) {
        d.push(OrderedPacket.of(payload, seq++, ts, marker, gap));
    }

    private static byte[] annexB(byte[]... nals) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            b.writeBytes(new byte[] {0, 0, 0, 1});
            b.writeBytes(n);
        }
        return b.toByteArray();
    }

    private static byte[] avcc(byte[]... nals) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] n : nals) {
            b.writeBytes(new byte[] {0, 0, (byte) (n.length >>> 8), (byte) n.length});
            b.writeBytes(n);
        }
        return b.toByteArray();
    }

    @Test
    void stapAThenFuAMakeOneKeyframeAccessUnitInEitherFormat() {
        byte[] stap = ByteVectors.of(0x78, 0x00, SPS.length);
        stap = concat(stap, SPS, ByteVectors.of(0x00, PPS.length), PPS);
        byte[] fuStart = concat(ByteVectors.of(0x7C, 0x85), java.util.Arrays.copyOfRange(IDR, 1, 3));
        byte[] fuEnd = concat(ByteVectors.of(0x7C, 0x45), java.util.Arrays.copyOfRange(IDR, 3, 6));
        for (H264Depacketizer.Format format : H264Depacketizer.Format.values()) {
            log.frames.clear();
            H264Depacketizer d = new H264Depacketizer(log, 1 << 20, format);
            push(d, stap, 9000, false, false);
            push(d, fuStart, 9000, false, false);
            push(d, fuEnd, 9000, true, false);
            assertEquals(1, log.frames.size(), format.toString());
            byte[] expected = format == H264Depacketizer.Format.ANNEX_B ? annexB(SPS, PPS, IDR) : avcc(SPS, PPS, IDR);
            assertArrayEquals(expected, log.frames.get(0).data(), format.toString());
            assertTrue(log.frames.get(0).keyframe());
            assertArrayEquals(SPS, d.sps());
            assertArrayEquals(PPS, d.pps());
        }
    }

    @Test
    void singleNalUnitsOfOneTimestampFormOneAccessUnit() {
        H264Depacketizer d = new H264Depacketizer(log, 1 << 20, H264Depacketizer.Format.ANNEX_B);
        byte[] slice = ByteVectors.of(0x41, 0x9A, 0x01);
        push(d, IDR, 0, true, false);
        push(d, slice, 3000, false, false);
        push(d, slice, 3000, true, false);
        assertEquals(2, log.frames.size());
        assertArrayEquals(annexB(slice, slice), log.frames.get(1).data());
        assertEquals(false, log.frames.get(1).keyframe());
    }

    @Test
    void aLostFragmentDropsTheAccessUnitAndWaitsForAKeyframe() {
        H264Depacketizer d = new H264Depacketizer(log, 1 << 20, H264Depacketizer.Format.AVCC);
        push(d, IDR, 0, true, false);
        push(d, ByteVectors.of(0x5C, 0x81, 1, 2), 3000, false, false); // FU-A start of a non-IDR slice
        push(d, ByteVectors.of(0x5C, 0x41, 3, 4), 3000, true, true); // its middle was lost
        push(d, ByteVectors.of(0x41, 0x9A, 0x02), 6000, true, false); // depends on the lost one
        push(d, IDR, 9000, true, false);
        assertEquals(2, log.frames.size());
        assertTrue(log.frames.get(1).keyframe());
        assertEquals(9000, log.frames.get(1).timestamp());
        assertTrue(log.keyframeRequests > 0);
        assertEquals(2, d.dropped());
    }

    @Test
    void refusesInterleavedModeAndBrokenAggregates() {
        H264Depacketizer d = new H264Depacketizer(log, 1 << 20, H264Depacketizer.Format.AVCC);
        push(d, ByteVectors.of(0x19, 0, 0, 0), 0, true, false); // STAP-B
        push(d, ByteVectors.of(0x78, 0x00, 0x09, 0x65), 3000, true, false); // STAP-A size past the end
        push(d, ByteVectors.of(0x7C, 0xC5, 0x88), 6000, true, false); // FU-A with both S and E
        push(d, ByteVectors.of(0xE5, 0x88), 9000, true, false); // forbidden_zero_bit set
        assertTrue(log.frames.isEmpty());
        assertEquals(4, d.malformed());
    }

    @Test
    void realX264StreamRoundTripsAndGivesItsCroppedSize() throws Exception {
        Ffmpeg.require();
        List<List<byte[]>> units = TestMedia.h264(dir, 320, 180, 1);
        H264Depacketizer d = new H264Depacketizer(log, 1 << 20, H264Depacketizer.Format.ANNEX_B);
        RtpStream stream = new RtpStream(3, 65_500); // wraps around within the stream
        for (int i = 0; i < units.size(); i++) {
            for (byte[] p : stream.h264(units.get(i), i * 3000)) {
                push(d, RtpStream.payloadOf(p), i * 3000L, (p[1] & 0x80) != 0, false);
            }
        }
        assertEquals(units.size(), log.frames.size());
        for (int i = 0; i < units.size(); i++) {
            assertArrayEquals(annexB(units.get(i).toArray(byte[][]::new)), log.frames.get(i).data(), "unit " + i);
        }
        assertTrue(log.frames.get(0).keyframe());
        // 180 is not a multiple of 16: the SPS crops 192 lines to 180.
        assertArrayEquals(new int[] {320, 180}, log.resolutions.get(0));
        assertEquals(0, d.malformed());
    }

    @Test
    void spsParserRefusesWhatIsNotAWholeSps() {
        assertEquals(-1, H264Sps.pictureSize(PPS, 0, PPS.length));
        assertEquals(-1, H264Sps.pictureSize(SPS, 0, 3));
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            b.writeBytes(p);
        }
        return b.toByteArray();
    }
}

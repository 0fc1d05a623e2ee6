package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RembTest {

    @Test
    void writesTheDraftsLayoutByteForByte() {
        byte[] out = new byte[24];
        int n = Remb.write(out, 0, 0x01020304, 1_000_000, new int[] {0x11223344}, 1);
        assertEquals(24, n);
        assertArrayEquals(RtcpTest.REMB, out, "1 Mbit/s as exponent 2, mantissa 250000");
    }

    @Test
    void roundTripsBitratesWithinTheMantissasPrecision() {
        byte[] out = new byte[64];
        for (long bps : new long[] {0, 1, 262_143, 262_144, 2_500_000, 123_456_789, 10_000_000_000L}) {
            int n = Remb.write(out, 4, 7, bps, new int[] {1, 2, 3}, 3);
            assertTrue(Remb.isValid(out, 4, n));
            long read = Remb.bitrate(out, 4);
            assertTrue(read <= bps && read > bps - bps / 100_000 - 1, bps + " read as " + read);
            assertEquals(3, Remb.ssrcCount(out, 4));
            assertEquals(3, Remb.ssrc(out, 4, 2));
            RtcpIterator it = new RtcpIterator();
            assertTrue(it.reset(out, 4, n), "a well-formed RTCP packet");
        }
    }

    @Test
    void rejectsWhatNoRembCarries() {
        byte[] out = new byte[64];
        byte[] before = out.clone();
        assertThrows(IllegalArgumentException.class, () -> Remb.write(out, 0, 1, -1, new int[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> Remb.write(out, 0, 1, 5, new int[] {1}, 0));
        assertThrows(IllegalArgumentException.class, () -> Remb.write(out, 0, 1, 5, new int[] {1}, 2));
        assertThrows(IllegalArgumentException.class, () -> Remb.write(new byte[20], 0, 1, 5, new int[] {1}, 1));
        assertEquals(Arrays.toString(before), Arrays.toString(out));
    }
}

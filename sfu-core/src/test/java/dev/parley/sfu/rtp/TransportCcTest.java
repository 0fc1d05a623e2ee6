package dev.parley.sfu.rtp;

import static dev.parley.sfu.rtp.RtpPacketBuilder.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TransportCcTest {
    private final TransportCcIterator it = new TransportCcIterator();
    private final TransportCcWriter writer = new TransportCcWriter();

    /**
     * Base 100, six packets, reference time 16 (1.024 s), feedback count 7. One two-bit vector chunk: small,
     * lost, small, large, small, lost (and one unused symbol). Deltas 4 (+1 ms), 0x80 (+32 ms), -4 (-1 ms), 0.
     */
    static final byte[] MIXED = bytes(
            0x8F, 205, 0x00, 0x06,
            0x01, 0x02, 0x03, 0x04,             // sender SSRC
            0x0A, 0x0B, 0x0C, 0x0D,             // media SSRC
            0x00, 0x64, 0x00, 0x06,             // base 100, count 6
            0x00, 0x00, 0x10, 0x07,             // reference 16, feedback count 7
            0xD1, 0x90,                         // 2-bit vector: 1 0 1 2 1 0 0
            0x04, 0x80, 0xFF, 0xFC, 0x00,       // deltas
            0x00);                              // padding to the word

    @Test
    void readsAHandBuiltTwoBitVector() {
        assertTrue(it.reset(MIXED, 0, MIXED.length));
        assertEquals(100, it.baseSequenceNumber());
        assertEquals(6, it.packetStatusCount());
        assertEquals(1_024_000, it.referenceMicros());
        assertEquals(7, it.feedbackCount());
        int[] seqs = {100, 101, 102, 103, 104, 105};
        boolean[] received = {true, false, true, true, true, false};
        long[] arrivals = {1_025_000, 0, 1_057_000, 1_056_000, 1_056_000, 0};
        for (int i = 0; i < 6; i++) {
            assertTrue(it.next(), "packet " + i);
            assertEquals(seqs[i], it.sequenceNumber());
            assertEquals(received[i], it.received(), "packet " + i);
            if (received[i]) {
                assertEquals(arrivals[i], it.arrivalMicros(), "packet " + i);
            }
        }
        assertFalse(it.next());
    }

    @Test
    void readsARunLengthChunkAcrossTheSequenceWrap() {
        byte[] b = new byte[44];
        System.arraycopy(bytes(0x8F, 205, 0x00, 0x0A, 1, 2, 3, 4, 0, 0, 0, 0,
                0xFF, 0xFE, 0x00, 0x14,                 // base 65534, count 20
                0xFF, 0xFF, 0xFF, 0x00,                 // reference -1 (-64 ms)
                0x20, 0x14), 0, b, 0, 22);              // run: 20 x small delta
        for (int i = 0; i < 20; i++) {
            b[22 + i] = 1;                              // +250 µs each
        }
        assertTrue(it.reset(b, 0, b.length));
        assertEquals(-64_000, it.referenceMicros(), "the reference time is signed");
        for (int i = 0; i < 20; i++) {
            assertTrue(it.next());
            assertEquals((65534 + i) & 0xFFFF, it.sequenceNumber());
            assertTrue(it.received());
            assertEquals(-64_000 + 250L * (i + 1), it.arrivalMicros());
        }
        assertFalse(it.next());
    }

    @Test
    void readsAOneBitVector() {
        byte[] b = bytes(0x8F, 205, 0x00, 0x05, 1, 2, 3, 4, 0, 0, 0, 0,
                0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x01, 0x00,
                0xA8, 0x00,                             // 1-bit vector: 1 0 1 then unused
                0x08, 0x10);                            // +2 ms, +4 ms
        assertTrue(it.reset(b, 0, b.length));
        assertTrue(it.next());
        assertEquals(64_000 + 2_000, it.arrivalMicros());
        assertTrue(it.next());
        assertFalse(it.received());
        assertTrue(it.next());
        assertEquals(64_000 + 6_000, it.arrivalMicros());
        assertFalse(it.next());
    }

    @Test
    void rejectsMalformedFeedbackWhole() {
        assertFalse(it.reset(MIXED, 0, MIXED.length - 2), "deltas cut off");
        assertFalse(it.next());
        byte[] reserved = MIXED.clone();
        reserved[20] = (byte) 0xFF; // 2-bit vector whose first symbol is the reserved 3
        assertFalse(it.reset(reserved, 0, reserved.length));
        byte[] nack = MIXED.clone();
        nack[0] = (byte) 0x81;
        assertFalse(it.reset(nack, 0, nack.length), "a NACK is not transport-cc");
        byte[] tooMany = MIXED.clone();
        tooMany[15] = 9; // count 9: the one chunk covers 7
        assertFalse(it.reset(tooMany, 0, tooMany.length));
        assertFalse(it.reset(MIXED, 4, MIXED.length), "window outside the array");
        assertFalse(it.reset(null, 0, 0));
    }

    @Test
    void writesTheHandBuiltPacketByteForByte() {
        writer.begin(100, 7);
        assertTrue(writer.add(true, 1_025_000));
        assertTrue(writer.add(false, 0));
        assertTrue(writer.add(true, 1_057_000));
        assertTrue(writer.add(true, 1_056_000));
        assertTrue(writer.add(true, 1_056_000));
        assertTrue(writer.add(false, 0));
        byte[] out = new byte[64];
        int n = writer.write(out, 4, 0x01020304, 0x0A0B0C0D);
        assertEquals(MIXED.length, n);
        assertEquals(java.util.Arrays.toString(MIXED), java.util.Arrays.toString(java.util.Arrays.copyOfRange(out, 4, 4 + n)));
    }

    @Test
    void roundTripsRandomFeedbackThroughEveryChunkKind() {
        Random r = new Random(42);
        byte[] out = new byte[1500];
        for (int round = 0; round < 2000; round++) {
            int base = r.nextInt(0x10000);
            int count = 1 + r.nextInt(TransportCcWriter.MAX_PACKETS);
            boolean[] received = new boolean[count];
            long[] arrival = new long[count];
            long t = 5_000_000 + r.nextInt(1_000_000);
            int mode = round % 3; // runs, sparse loss, jittery with reordering
            writer.begin(base, round);
            int added = 0;
            for (int i = 0; i < count; i++) {
                received[i] = switch (mode) {
                    case 0 -> (i / 50) % 2 == 0;
                    case 1 -> r.nextInt(10) != 0;
                    default -> r.nextBoolean();
                };
                t += mode == 2 ? r.nextInt(200_000) - 60_000 : r.nextInt(3_000);
                arrival[i] = t;
                if (!writer.add(received[i], arrival[i])) {
                    break;
                }
                added++;
            }
            int n = writer.write(out, 0, 1, 2);
            assertEquals(0, n % 4);
            assertTrue(it.reset(out, 0, n), "round " + round);
            assertEquals(added, it.packetStatusCount());
            for (int i = 0; i < added; i++) {
                assertTrue(it.next());
                assertEquals((base + i) & 0xFFFF, it.sequenceNumber());
                assertEquals(received[i], it.received(), "round " + round + " packet " + i);
                if (received[i]) {
                    long error = arrival[i] - it.arrivalMicros();
                    assertTrue(error >= 0 && error < TransportCcIterator.DELTA_MICROS,
                            "round " + round + " packet " + i + " off by " + error);
                }
            }
            assertFalse(it.next());
        }
    }

    @Test
    void aDeltaBeyondSixteenBitsEndsTheFeedback() {
        writer.begin(0, 0);
        assertTrue(writer.add(true, 1_000_000));
        assertFalse(writer.add(true, 1_000_000 + 9_000_000), "9 s later does not fit");
        assertEquals(1, writer.count());
        assertTrue(writer.add(true, 1_000_000 - 8_000_000), "8 s earlier still fits");
    }

    @Test
    void writerRejectsEmptyFeedbackAndSmallBuffers() {
        writer.begin(0, 0);
        assertThrows(IllegalArgumentException.class, () -> writer.write(new byte[64], 0, 1, 2));
        writer.add(true, 0);
        assertThrows(IllegalArgumentException.class, () -> writer.write(new byte[16], 0, 1, 2));
    }

    @Test
    void theFeedbackFitsTheCompoundWalker() {
        RtcpIterator rtcp = new RtcpIterator();
        assertTrue(rtcp.reset(MIXED, 0, MIXED.length));
        assertTrue(rtcp.next());
        assertEquals(RtcpPacket.RTPFB, rtcp.type());
        assertEquals(RtcpFeedback.FMT_TRANSPORT_CC, rtcp.count());
    }
}

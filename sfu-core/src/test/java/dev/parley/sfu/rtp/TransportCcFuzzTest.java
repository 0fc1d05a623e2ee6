package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Feeds the transport-cc reader random, mutated and spliced feedback: it must never throw, never read outside the
 * window (it runs on a copy cut to the exact length too, where a read past it would throw), and what it reads must
 * not depend on bytes outside the window.
 */
class TransportCcFuzzTest {
    private static final int ROUNDS = 100_000;
    private final TransportCcIterator it = new TransportCcIterator();
    private final TransportCcWriter writer = new TransportCcWriter();

    @Test
    void garbageNeverBreaksTheReader() {
        Mutator m = new Mutator(0x5EED_7CC1L);
        int valid = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] b = switch (round % 4) {
                case 0 -> withTransportCcHeader(m.randomBytes(80));
                case 1 -> m.randomBytes(60);
                case 2 -> m.mutate(TransportCcTest.MIXED);
                default -> m.mutate(written(m));
            };
            long exact = read(b, 0, b.length);
            int offset = 1 + m.random.nextInt(8);
            long shifted = read(m.embed(b, offset), offset, b.length);
            assertEquals(exact, shifted, () -> "reading depends on bytes outside the window: " + Arrays.toString(b));
            if (exact != -1) {
                valid++;
            }
        }
        assertTrue(valid > ROUNDS / 10, "valid " + valid);
    }

    private long read(byte[] buf, int off, int len) {
        if (!it.reset(buf, off, len)) {
            assertFalse(it.next(), "an invalid feedback yields nothing");
            return -1;
        }
        long digest = it.baseSequenceNumber() * 31L + it.packetStatusCount();
        int n = 0;
        while (it.next()) {
            n++;
            digest = digest * 31 + it.sequenceNumber() + (it.received() ? it.arrivalMicros() : 7);
        }
        assertEquals(it.packetStatusCount(), n, "yields exactly the status count");
        return digest;
    }

    private static byte[] withTransportCcHeader(byte[] b) {
        if (b.length >= 2) {
            b[0] = (byte) (0x80 | RtcpFeedback.FMT_TRANSPORT_CC);
            b[1] = (byte) RtcpPacket.RTPFB;
        }
        return b;
    }

    private byte[] written(Mutator m) {
        writer.begin(m.random.nextInt(0x10000), 0);
        int count = 1 + m.random.nextInt(40);
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += m.random.nextInt(120_000) - 20_000;
            writer.add(m.random.nextInt(4) != 0, t);
        }
        byte[] out = new byte[writer.length()];
        writer.write(out, 0, 1, 2);
        return out;
    }
}

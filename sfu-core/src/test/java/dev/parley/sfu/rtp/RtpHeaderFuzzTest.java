package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Feeds the RTP header parser and the extension lookup random and mutated packets: they must never throw, every
 * offset they report must lie inside the packet, the result must not depend on bytes outside the window, and
 * valid packets must read back the fields they were built from.
 */
class RtpHeaderFuzzTest {
    private static final int ROUNDS = 100_000;

    @Test
    void randomAndMutatedPacketsNeverBreakTheParser() {
        Mutator m = new Mutator(0x5EED_0001L);
        int valid = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] packet = switch (round % 3) {
                case 0 -> m.randomBytes(64);
                case 1 -> m.mutate(randomValid(m).build());
                default -> forceVersion2(m.randomBytes(48));
            };
            long[] exact = parse(packet, 0, packet.length);
            int offset = 1 + m.random.nextInt(8);
            byte[] embedded = m.embed(packet, offset);
            long[] shifted = parse(embedded, offset, packet.length);
            if (!Arrays.equals(exact, shifted)) {
                fail("parse depends on bytes outside the window: " + Arrays.toString(packet));
            }
            if (exact[0] == 1) {
                valid++;
            }
        }
        assertTrue(valid > ROUNDS / 10, "the mix must exercise the valid path too, got " + valid);
    }

    @Test
    void validPacketsRoundTrip() {
        Mutator m = new Mutator(0x5EED_0002L);
        for (int round = 0; round < 20_000; round++) {
            RtpPacketBuilder b = randomValid(m);
            byte[] p = b.build();
            assertTrue(RtpHeader.isValid(p, 0, p.length));
            assertEquals(b.payloadType, RtpHeader.payloadType(p, 0));
            assertEquals(b.marker, RtpHeader.marker(p, 0));
            assertEquals(b.sequenceNumber, RtpHeader.sequenceNumber(p, 0));
            assertEquals(b.timestamp, RtpHeader.timestamp(p, 0));
            assertEquals(b.ssrc, RtpHeader.ssrc(p, 0));
            assertEquals(b.csrcs.length, RtpHeader.csrcCount(p, 0));
            int payloadOff = RtpHeader.payloadOffset(p, 0);
            assertArrayEquals(b.payload, Arrays.copyOfRange(p, payloadOff,
                    payloadOff + RtpHeader.payloadLength(p, 0, p.length)));
            if (b.extensionProfile == 0xBEDE) {
                long found = RtpHeader.findExtension(p, 0, p.length, 5);
                assertEquals(3, RtpHeader.extensionLength(found));
                assertEquals(0x77, p[RtpHeader.extensionOffset(found) + 2] & 0xFF);
            }
        }
    }

    /** Results of every read, with offsets made relative, or {0} when the packet is rejected. */
    private static long[] parse(byte[] buf, int off, int len) {
        try {
            if (!RtpHeader.isValid(buf, off, len)) {
                for (int id = 1; id < 16; id++) {
                    assertEquals(-1, RtpHeader.findExtension(buf, off, len, id), "lookup in a rejected packet");
                }
                return new long[] {0};
            }
            int header = RtpHeader.headerLength(buf, off);
            int payloadOff = RtpHeader.payloadOffset(buf, off);
            int payloadLen = RtpHeader.payloadLength(buf, off, len);
            int padding = RtpHeader.paddingLength(buf, off, len);
            assertTrue(header >= 12 && payloadLen >= 0 && payloadOff + payloadLen + padding == off + len,
                    "header, payload and padding tile the packet");
            long[] result = new long[24];
            result[0] = 1;
            result[1] = header;
            result[2] = payloadOff - off;
            result[3] = payloadLen;
            result[4] = RtpHeader.sequenceNumber(buf, off) ^ (long) RtpHeader.ssrc(buf, off) << 16;
            result[5] = RtpHeader.timestamp(buf, off);
            result[6] = RtpHeader.payloadType(buf, off) | (RtpHeader.marker(buf, off) ? 128 : 0);
            result[7] = RtpHeader.audioLevel(buf, off, len, 1);
            for (int id = 1; id <= 16; id++) {
                long found = RtpHeader.findExtension(buf, off, len, id == 16 ? 200 : id);
                if (found >= 0) {
                    int at = RtpHeader.extensionOffset(found);
                    int n = RtpHeader.extensionLength(found);
                    assertTrue(at >= off + 16 && at + n <= off + header, "extension data inside the extension block");
                    found = (long) (at - off) << 32 | n;
                }
                result[7 + id] = found;
            }
            return result;
        } catch (RuntimeException e) {
            throw new AssertionError("parser threw on " + Arrays.toString(Arrays.copyOfRange(buf, off, off + len)), e);
        }
    }

    private static byte[] forceVersion2(byte[] b) {
        if (b.length > 0) {
            b[0] = (byte) (0x80 | (b[0] & 0x3F));
        }
        return b;
    }

    static RtpPacketBuilder randomValid(Mutator m) {
        var r = m.random;
        RtpPacketBuilder b = new RtpPacketBuilder().payloadType(r.nextInt(128)).marker(r.nextBoolean())
                .seq(r.nextInt(0x10000)).timestamp(r.nextInt()).ssrc(r.nextInt());
        int[] csrcs = new int[r.nextInt(4)];
        for (int i = 0; i < csrcs.length; i++) {
            csrcs[i] = r.nextInt();
        }
        b.csrcs(csrcs);
        switch (r.nextInt(3)) {
            case 0 -> b.oneByte(1, r.nextInt(256)).oneByte(5, 0x11, 0x22, 0x77).oneByte(3, 1, 2);
            case 1 -> b.twoByte(1, r.nextInt(256)).twoByte(200, 9, 9, 9, 9, 9);
            default -> { }
        }
        b.payload(m.randomBytes(40));
        if (r.nextInt(4) == 0) {
            b.padding(1 + r.nextInt(20));
        }
        return b;
    }
}

package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Feeds the compound walker and every RTCP reader random, mutated and spliced datagrams. The walker must never
 * throw, must tile the datagram with the packets it yields, and each reader must stay inside the packet it is
 * given: they run on a copy of each packet cut to its exact length, so a read past it would throw. Results must
 * not depend on bytes outside the window.
 */
class RtcpFuzzTest {
    private static final int ROUNDS = 100_000;
    private final RtcpIterator it = new RtcpIterator();
    private final NackIterator lost = new NackIterator();

    @Test
    void randomAndMutatedCompoundsNeverBreakTheReaders() {
        Mutator m = new Mutator(0x5EED_0003L);
        int valid = 0;
        int packets = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] datagram = switch (round % 4) {
                case 0 -> m.randomBytes(80);
                case 1 -> version2(m.randomBytes(80), m);
                case 2 -> validCompound(m);
                default -> m.mutate(validCompound(m));
            };
            long exact = walk(datagram, 0, datagram.length);
            int offset = 1 + m.random.nextInt(8);
            long shifted = walk(m.embed(datagram, offset), offset, datagram.length);
            assertEquals(exact, shifted, () -> "walk depends on bytes outside the window: " + Arrays.toString(datagram));
            if (it.reset(datagram, 0, datagram.length)) {
                valid++;
                while (it.next()) {
                    packets++;
                }
            }
        }
        assertTrue(valid > ROUNDS / 4 && packets > ROUNDS / 2, "valid " + valid + ", packets " + packets);
    }

    @Test
    void rembValidationNeverThrowsOnRandomBytes() {
        Mutator m = new Mutator(0x5EED_0004L);
        for (int round = 0; round < ROUNDS; round++) {
            byte[] b = round % 2 == 0 ? m.randomBytes(40) : m.mutate(RtcpTest.REMB);
            if (Remb.isValid(b, 0, b.length)) {
                Remb.bitrate(b, 0);
                for (int i = 0; i < Remb.ssrcCount(b, 0); i++) {
                    Remb.ssrc(b, 0, i);
                }
            }
        }
    }

    /** Walks a datagram and reads every packet; returns a digest of everything read (offsets relative). */
    private long walk(byte[] buf, int off, int len) {
        long digest = 17;
        try {
            if (!it.reset(buf, off, len)) {
                assertFalse(it.next(), "an invalid compound yields nothing");
                return -1;
            }
            int expectedOffset = off;
            while (it.next()) {
                assertEquals(expectedOffset, it.offset(), "packets tile the datagram");
                assertTrue(it.length() >= 4 && it.offset() + it.length() <= off + len, "packet inside the datagram");
                expectedOffset += RtcpPacket.length(buf, it.offset());
                byte[] alone = Arrays.copyOfRange(buf, it.offset(), it.offset() + it.length());
                long inPlace = read(buf, it.offset(), it.length(), it.type(), it.count());
                assertEquals(read(alone, 0, alone.length, it.type(), it.count()), inPlace);
                digest = digest * 31 + (it.offset() - off) * 7L + inPlace;
            }
            assertEquals(off + len, expectedOffset, "the last packet ends the datagram");
            return digest;
        } catch (RuntimeException e) {
            throw new AssertionError("threw on " + Arrays.toString(Arrays.copyOfRange(buf, off, off + len)), e);
        }
    }

    /** Runs every reader that applies to a packet of this type. */
    private long read(byte[] buf, int off, int len, int type, int count) {
        long d = type * 1_000_003L + count;
        switch (type) {
            case RtcpPacket.SR -> {
                d = d * 31 + SenderReport.ntpTimestamp(buf, off) + SenderReport.rtpTimestamp(buf, off)
                        + SenderReport.packetCount(buf, off) + SenderReport.octetCount(buf, off);
                d = d * 31 + readBlocks(buf, off, count);
            }
            case RtcpPacket.RR -> d = d * 31 + readBlocks(buf, off, count);
            case RtcpPacket.RTPFB -> {
                d = d * 31 + RtcpPacket.senderSsrc(buf, off) + RtcpFeedback.mediaSsrc(buf, off);
                if (RtcpFeedback.isNack(type, count)) {
                    lost.reset(buf, off, len);
                    int n = 0;
                    while (lost.hasNext()) {
                        d = d * 31 + lost.nextSequenceNumber();
                        n++;
                    }
                    assertTrue(n >= Nack.itemCount(len) && n <= 17 * Nack.itemCount(len));
                }
            }
            case RtcpPacket.PSFB -> {
                d = d * 31 + RtcpPacket.senderSsrc(buf, off) + RtcpFeedback.mediaSsrc(buf, off);
                if (RtcpFeedback.isFir(type, count)) {
                    for (int i = 0; i < Fir.entryCount(len); i++) {
                        d = d * 31 + Fir.entrySsrc(buf, off, i) + Fir.entrySequenceNumber(buf, off, i);
                    }
                }
                if (Remb.isValid(buf, off, len)) {
                    d = d * 31 + Remb.bitrate(buf, off);
                    for (int i = 0; i < Remb.ssrcCount(buf, off); i++) {
                        d = d * 31 + Remb.ssrc(buf, off, i);
                    }
                }
            }
            default -> d = d * 31 + len;
        }
        return d;
    }

    private static long readBlocks(byte[] buf, int off, int count) {
        long d = RtcpPacket.senderSsrc(buf, off);
        for (int i = 0; i < count; i++) {
            int b = ReportBlock.offset(buf, off, i);
            d = d * 31 + ReportBlock.ssrc(buf, b) + ReportBlock.fractionLost(buf, b) + ReportBlock.cumulativeLost(buf, b)
                    + ReportBlock.extendedHighestSequenceNumber(buf, b) + ReportBlock.jitter(buf, b)
                    + ReportBlock.lastSenderReport(buf, b) + ReportBlock.delaySinceLastSenderReport(buf, b)
                    + ReportBlock.roundTripNanos(buf, b, 0x1234_5678_9ABC_DEF0L);
        }
        return d;
    }

    /** One to four packets from the writers and the hand-built samples, spliced together. */
    private static byte[] validCompound(Mutator m) {
        byte[] out = new byte[400];
        int at = 0;
        int n = 1 + m.random.nextInt(4);
        var r = m.random;
        for (int i = 0; i < n; i++) {
            at += switch (r.nextInt(8)) {
                case 0 -> RtcpWriter.writeSenderReport(out, at, r.nextInt(), r.nextLong(), r.nextInt(), r.nextInt(),
                        r.nextInt(), sources(2), r.nextInt(3), 0);
                case 1 -> RtcpWriter.writeReceiverReport(out, at, r.nextInt(), sources(2), r.nextInt(3), 5);
                case 2 -> RtcpWriter.writePli(out, at, r.nextInt(), r.nextInt());
                case 3 -> RtcpWriter.writeFir(out, at, r.nextInt(), r.nextInt(), r.nextInt(256));
                case 4 -> RtcpWriter.writeNack(out, at, r.nextInt(), r.nextInt(),
                        new int[] {r.nextInt(0x10000), r.nextInt(0x10000), r.nextInt(0x10000)}, 1 + r.nextInt(3));
                case 5 -> copy(RtcpTest.REMB, out, at);
                case 6 -> copy(RtcpTest.SDES, out, at);
                default -> copy(RtcpTest.BYE, out, at);
            };
        }
        return Arrays.copyOf(out, at);
    }

    private static ReceiveStatistics[] sources(int count) {
        ReceiveStatistics[] s = new ReceiveStatistics[count];
        for (int i = 0; i < s.length; i++) {
            s[i] = new ReceiveStatistics(i + 1, 90000);
            s[i].onPacket(10 * i, 0, 0);
            s[i].onPacket(10 * i + 3, 9000, 100_000_000L);
        }
        return s;
    }

    private static int copy(byte[] src, byte[] dst, int at) {
        System.arraycopy(src, 0, dst, at, src.length);
        return src.length;
    }

    private static byte[] version2(byte[] b, Mutator m) {
        if (b.length >= 4) {
            b[0] = (byte) (0x80 | (b[0] & 0x1F));
            b[1] = (byte) (200 + m.random.nextInt(8));
            b[2] = 0;
            b[3] = (byte) Math.max(0, b.length / 4 - 1 - m.random.nextInt(2));
        }
        return b;
    }
}

package dev.parley.sfu.rtp;

import static dev.parley.sfu.rtp.RtpPacketBuilder.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class RtcpTest {
    private final RtcpIterator it = new RtcpIterator();

    /** A REMB of 1 Mbit/s (mantissa 250000, exponent 2) for SSRC 0x11223344, per the draft's layout. */
    static final byte[] REMB = bytes(
            0x8F, 206, 0x00, 0x05,
            0x01, 0x02, 0x03, 0x04,             // sender SSRC
            0x00, 0x00, 0x00, 0x00,             // media source: unused
            'R', 'E', 'M', 'B',
            0x01, 0x0B, 0xD0, 0x90,             // 1 SSRC, exp 2, mantissa 250000
            0x11, 0x22, 0x33, 0x44);

    /** SDES with one chunk: CNAME "abcd", end item, padding to the word. */
    static final byte[] SDES = bytes(
            0x81, 202, 0x00, 0x03,
            0x0A, 0x0B, 0x0C, 0x0D,
            0x01, 0x04, 'a', 'b', 'c', 'd', 0x00, 0x00);

    static final byte[] BYE = bytes(0x81, 203, 0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x0D);

    @Test
    void demultiplexesRtcpFromRtpPerRfc5761() {
        byte[] rr = bytes(0x80, 201, 0x00, 0x01, 1, 2, 3, 4);
        assertTrue(RtcpPacket.isRtcp(rr, 0, rr.length));
        for (int type = 192; type <= 223; type++) {
            assertTrue(RtcpPacket.isRtcp(bytes(0x80, type, 0, 0), 0, 4), "second byte " + type);
        }
        byte[] opus = new RtpPacketBuilder().payloadType(111).marker(true).build();
        assertFalse(RtcpPacket.isRtcp(opus, 0, opus.length), "Opus with marker: second byte 239");
        byte[] vp8 = new RtpPacketBuilder().payloadType(96).marker(false).build();
        assertFalse(RtcpPacket.isRtcp(vp8, 0, vp8.length));
        byte[] pt63Marker = new RtpPacketBuilder().payloadType(63).marker(true).build();
        assertFalse(RtcpPacket.isRtcp(pt63Marker, 0, pt63Marker.length), "second byte 191");
        byte[] pt96Marker = new RtpPacketBuilder().payloadType(96).marker(true).build();
        assertFalse(RtcpPacket.isRtcp(pt96Marker, 0, pt96Marker.length), "second byte 224");
        assertFalse(RtcpPacket.isRtcp(bytes(0x40, 200, 0, 0), 0, 4), "version 1");
        assertFalse(RtcpPacket.isRtcp(rr, 0, 3), "too short");
        assertFalse(RtcpPacket.isRtcp(rr, 6, 4), "window outside the array");
    }

    @Test
    void parsesHandBuiltReceiverReport() {
        byte[] rr = bytes(
                0x81, 201, 0x00, 0x07,
                0xCA, 0xFE, 0x00, 0x01,         // sender SSRC
                0x11, 0x22, 0x33, 0x44,         // source SSRC
                0x40, 0xFF, 0xFF, 0xFE,         // fraction 64/256, cumulative -2
                0x00, 0x02, 0x00, 0x10,         // cycles 2, highest seq 16
                0x00, 0x00, 0x01, 0x2C,         // jitter 300
                0x12, 0x34, 0x56, 0x78,         // LSR
                0x00, 0x01, 0x80, 0x00);        // DLSR 1.5 s
        assertTrue(it.reset(rr, 0, rr.length));
        assertTrue(it.next());
        assertEquals(RtcpPacket.RR, it.type());
        assertEquals(1, it.count());
        assertEquals(0, it.offset());
        assertEquals(32, it.length());
        assertEquals(0xCAFE0001, RtcpPacket.senderSsrc(rr, 0));
        int block = ReportBlock.offset(rr, 0, 0);
        assertEquals(8, block);
        assertEquals(0x11223344, ReportBlock.ssrc(rr, block));
        assertEquals(64, ReportBlock.fractionLost(rr, block));
        assertEquals(-2, ReportBlock.cumulativeLost(rr, block));
        assertEquals(0x20010, ReportBlock.extendedHighestSequenceNumber(rr, block));
        assertEquals(300, ReportBlock.jitter(rr, block));
        assertEquals(0x12345678, ReportBlock.lastSenderReport(rr, block));
        assertEquals(0x18000, ReportBlock.delaySinceLastSenderReport(rr, block));
        assertFalse(it.next());
    }

    @Test
    void senderReportRoundTripsWithReportBlocks() {
        ReceiveStatistics a = new ReceiveStatistics(0xAAAA0001, 90000);
        ReceiveStatistics b = new ReceiveStatistics(0xBBBB0002, 48000);
        for (int seq = 0; seq < 10; seq++) {
            if (seq != 4) {
                a.onPacket(seq, seq * 3000, seq * 33_000_000L);
            }
            b.onPacket(seq, seq * 960, seq * 20_000_000L);
        }
        long ntp = NtpTime.fromUnixNanos(1_700_000_000_123_456_789L);
        byte[] dst = new byte[200];
        int n = RtcpWriter.writeSenderReport(dst, 3, 0x5E5E5E5E, ntp, 0x01020304, 0x1_0000_0007L, 123_456L,
                new ReceiveStatistics[] {a, b, null}, 2, 0);
        assertEquals(28 + 2 * 24, n);
        assertTrue(it.reset(dst, 3, n));
        assertTrue(it.next());
        assertEquals(RtcpPacket.SR, it.type());
        assertEquals(2, it.count());
        assertEquals(n, it.length());
        assertEquals(0x5E5E5E5E, RtcpPacket.senderSsrc(dst, 3));
        assertEquals(ntp, SenderReport.ntpTimestamp(dst, 3));
        assertEquals(0x01020304, SenderReport.rtpTimestamp(dst, 3));
        assertEquals(7, SenderReport.packetCount(dst, 3), "the packet count wraps at 32 bits");
        assertEquals(123_456L, SenderReport.octetCount(dst, 3));
        int first = ReportBlock.offset(dst, 3, 0);
        assertEquals(3 + 28, first);
        assertEquals(0xAAAA0001, ReportBlock.ssrc(dst, first));
        assertEquals(1, ReportBlock.cumulativeLost(dst, first));
        assertEquals(256 / 10, ReportBlock.fractionLost(dst, first));
        assertEquals(9, ReportBlock.extendedHighestSequenceNumber(dst, first));
        int second = ReportBlock.offset(dst, 3, 1);
        assertEquals(0xBBBB0002, ReportBlock.ssrc(dst, second));
        assertEquals(0, ReportBlock.cumulativeLost(dst, second));
        assertFalse(it.next());

        RtcpPacket.setSenderSsrc(dst, 3, 0x0D0D0D0D);
        ReportBlock.setSsrc(dst, second, 0x0E0E0E0E);
        assertEquals(0x0D0D0D0D, RtcpPacket.senderSsrc(dst, 3));
        assertEquals(0x0E0E0E0E, ReportBlock.ssrc(dst, second));
        assertEquals(ntp, SenderReport.ntpTimestamp(dst, 3), "rewrites touch only their field");
    }

    @Test
    void receiverReportRoundTrips() {
        ReceiveStatistics s = new ReceiveStatistics(42, 48000);
        s.onPacket(100, 0, 0);
        s.onPacket(103, 2880, 60_000_000L);
        byte[] dst = new byte[64];
        int n = RtcpWriter.writeReceiverReport(dst, 0, 7, new ReceiveStatistics[] {s}, 1, 0);
        assertEquals(32, n);
        assertTrue(it.reset(dst, 0, n));
        assertTrue(it.next());
        assertEquals(RtcpPacket.RR, it.type());
        assertEquals(7, RtcpPacket.senderSsrc(dst, 0));
        int block = ReportBlock.offset(dst, 0, 0);
        assertEquals(42, ReportBlock.ssrc(dst, block));
        assertEquals(2, ReportBlock.cumulativeLost(dst, block));
        assertEquals(103, ReportBlock.extendedHighestSequenceNumber(dst, block));

        int empty = RtcpWriter.writeReceiverReport(dst, 0, 7, null, 0, 0);
        assertEquals(8, empty);
        assertTrue(it.reset(dst, 0, empty));
        assertTrue(it.next());
        assertEquals(0, it.count());
    }

    @Test
    void pliAndFirRoundTripAndRewriteTheirMediaSource() {
        byte[] dst = new byte[64];
        int pli = RtcpWriter.writePli(dst, 0, 0x01, 0xABCDEF01);
        int fir = RtcpWriter.writeFir(dst, pli, 0x01, 0x22222222, 7);
        assertEquals(12, pli);
        assertEquals(20, fir);
        assertTrue(it.reset(dst, 0, pli + fir));

        assertTrue(it.next());
        assertTrue(RtcpFeedback.isPli(it.type(), it.count()));
        assertFalse(RtcpFeedback.isFir(it.type(), it.count()));
        assertEquals(0x01, RtcpPacket.senderSsrc(dst, it.offset()));
        assertEquals(0xABCDEF01, RtcpFeedback.mediaSsrc(dst, it.offset()));
        RtcpFeedback.setMediaSsrc(dst, it.offset(), 0x12121212);
        assertEquals(0x12121212, RtcpFeedback.mediaSsrc(dst, it.offset()));

        assertTrue(it.next());
        assertTrue(RtcpFeedback.isFir(it.type(), it.count()));
        assertEquals(0, RtcpFeedback.mediaSsrc(dst, it.offset()), "RFC 5104: media source field is 0");
        assertEquals(1, Fir.entryCount(it.length()));
        assertEquals(0x22222222, Fir.entrySsrc(dst, it.offset(), 0));
        assertEquals(7, Fir.entrySequenceNumber(dst, it.offset(), 0));
        Fir.setEntrySsrc(dst, it.offset(), 0, 0x33333333);
        Fir.setEntrySequenceNumber(dst, it.offset(), 0, 200);
        assertEquals(0x33333333, Fir.entrySsrc(dst, it.offset(), 0));
        assertEquals(200, Fir.entrySequenceNumber(dst, it.offset(), 0));
        assertFalse(it.next());
    }

    @Test
    void walksCompoundWithSdesByeAndRemb() {
        byte[] sr = new byte[28];
        RtcpWriter.writeSenderReport(sr, 0, 0x0A0B0C0D, 1L << 40, 5, 6, 7);
        byte[] compound = concat(sr, SDES, REMB, BYE);
        assertTrue(it.reset(compound, 0, compound.length));
        int[] types = new int[4];
        int[] offsets = new int[4];
        int n = 0;
        while (it.next()) {
            types[n] = it.type();
            offsets[n++] = it.offset();
        }
        assertEquals(4, n);
        assertArrayEquals(new int[] {RtcpPacket.SR, RtcpPacket.SDES, RtcpPacket.PSFB, RtcpPacket.BYE}, types);
        assertArrayEquals(new int[] {0, 28, 44, 68}, offsets);
        assertTrue(Remb.isValid(compound, 44, REMB.length));
        assertEquals(1_000_000L, Remb.bitrate(compound, 44));
        assertEquals(1, Remb.ssrcCount(compound, 44));
        assertEquals(0x11223344, Remb.ssrc(compound, 44, 0));
    }

    @Test
    void rembRejectsWrongIdentifierAndShortSsrcList() {
        assertTrue(Remb.isValid(REMB, 0, REMB.length));
        byte[] notRemb = REMB.clone();
        notRemb[15] = 'X';
        assertFalse(Remb.isValid(notRemb, 0, notRemb.length));
        byte[] tooMany = REMB.clone();
        tooMany[16] = 2;
        assertFalse(Remb.isValid(tooMany, 0, tooMany.length));
        assertFalse(Remb.isValid(REMB, 0, 19));
        byte[] pli = new byte[12];
        RtcpWriter.writePli(pli, 0, 1, 2);
        assertFalse(Remb.isValid(pli, 0, 12));
        byte[] huge = REMB.clone();
        huge[17] = (byte) 0xFF;                          // exponent 63, mantissa top bits set
        assertEquals(Long.MAX_VALUE, Remb.bitrate(huge, 0), "saturates instead of overflowing");
    }

    @Test
    void rejectsMalformedCompounds() {
        byte[] rr = bytes(0x80, 201, 0x00, 0x01, 1, 2, 3, 4);
        byte[] pli = new byte[12];
        RtcpWriter.writePli(pli, 0, 1, 2);
        assertTrue(it.reset(concat(rr, pli), 0, 20));

        assertInvalid(bytes(0x80, 201, 0x00, 0x02, 1, 2, 3, 4), "length field beyond the datagram");
        assertInvalid(concat(rr, bytes(0x80, 201)), "trailing bytes shorter than a header");
        assertInvalid(bytes(0x40, 201, 0x00, 0x01, 1, 2, 3, 4), "version 1");
        assertInvalid(bytes(0x81, 201, 0x00, 0x01, 1, 2, 3, 4), "RR claims a block it does not have");
        assertInvalid(bytes(0x80, 200, 0x00, 0x01, 1, 2, 3, 4), "SR without sender info");
        assertInvalid(bytes(0x81, 205, 0x00, 0x01, 1, 2, 3, 4), "feedback without media SSRC");
        assertInvalid(bytes(0x82, 203, 0x00, 0x01, 1, 2, 3, 4), "BYE lists more sources than it holds");
        assertInvalid(concat(bytes(0xA0, 201, 0x00, 0x02, 1, 2, 3, 4, 0, 0, 0, 4), rr), "padding before the last packet");
        assertInvalid(bytes(0xA0, 201, 0x00, 0x02, 1, 2, 3, 4, 0, 0, 0, 0), "padding count 0");
        assertInvalid(bytes(0xA0, 201, 0x00, 0x02, 1, 2, 3, 4, 0, 0, 0, 12), "padding eats the header");
        assertInvalid(new byte[0], "empty");
        assertFalse(it.reset(null, 0, 4));
        assertFalse(it.reset(rr, 4, 8), "window outside the array");
        assertFalse(it.next());
    }

    @Test
    void paddingOnTheLastPacketIsExcludedFromItsLength() {
        byte[] padded = bytes(0xA0, 201, 0x00, 0x02, 1, 2, 3, 4, 0, 0, 0, 4);
        assertTrue(it.reset(padded, 0, padded.length));
        assertTrue(it.next());
        assertEquals(8, it.length());
        assertFalse(it.next());
    }

    @Test
    void iteratorIsReusableAcrossDatagrams() {
        byte[] bad = bytes(0x80, 201, 0x00, 0x05, 1, 2, 3, 4);
        assertFalse(it.reset(bad, 0, bad.length));
        assertFalse(it.isValid());
        assertTrue(it.reset(BYE, 0, BYE.length));
        assertTrue(it.isValid());
        assertTrue(it.next());
        assertEquals(RtcpPacket.BYE, it.type());
        assertEquals(1, it.count());
    }

    @Test
    void writersRejectTooSmallBuffersWithoutWriting() {
        byte[] small = new byte[11];
        assertThrows(IllegalArgumentException.class, () -> RtcpWriter.writePli(small, 0, 1, 2));
        assertThrows(IllegalArgumentException.class, () -> RtcpWriter.writeFir(new byte[30], 15, 1, 2, 3));
        assertThrows(IllegalArgumentException.class, () -> RtcpWriter.writeNack(new byte[15], 0, 1, 2, new int[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> RtcpWriter.writeNack(new byte[64], 0, 1, 2, new int[0], 0));
        assertThrows(IllegalArgumentException.class,
                () -> RtcpWriter.writeReceiverReport(new byte[1000], 0, 1, new ReceiveStatistics[40], 32, 0));
        assertThrows(IllegalArgumentException.class,
                () -> RtcpWriter.writeReceiverReport(new byte[1000], 0, 1, new ReceiveStatistics[1], 1, 0));
        ReceiveStatistics s = new ReceiveStatistics(1, 90000);
        assertThrows(IllegalArgumentException.class,
                () -> RtcpWriter.writeSenderReport(new byte[40], 0, 1, 0, 0, 0, 0, new ReceiveStatistics[] {s}, 1, 0));
        assertArrayEquals(new byte[11], small, "nothing written");
    }

    @Test
    void computesRoundTripFromLsrAndDlsr() {
        long srNtp = NtpTime.fromUnixNanos(1_000_000_000_000L);
        byte[] block = new byte[24];
        ReportBlock.write(block, 0, 1, 0, 0, 0, 0, NtpTime.middle32(srNtp), 65536 / 2);   // held 0.5 s
        long arrival = NtpTime.fromUnixNanos(1_000_000_000_000L + 580_000_000L);           // 0.58 s after the SR
        long rtt = ReportBlock.roundTripNanos(block, 0, arrival);
        assertTrue(Math.abs(rtt - 80_000_000L) < 50_000, "rtt " + rtt);
        ReportBlock.write(block, 0, 1, 0, 0, 0, 0, 0, 0);
        assertEquals(-1, ReportBlock.roundTripNanos(block, 0, arrival), "no SR received yet");
        ReportBlock.write(block, 0, 1, 0, 0, 0, 0, NtpTime.middle32(arrival), 65536);
        assertEquals(-1, ReportBlock.roundTripNanos(block, 0, arrival), "DLSR longer than the elapsed time");
    }

    @Test
    void ntpTimeMatchesTheRfcEpoch() {
        assertEquals(2_208_988_800L << 32, NtpTime.fromUnixNanos(0));
        assertEquals((2_208_988_801L << 32) | 0x8000_0000L, NtpTime.fromUnixNanos(1_500_000_000L));
        assertEquals(0x1234_5678, NtpTime.middle32(0x0000_1234_5678_0000L));
    }

    @Test
    void reportBlockWriteClampsOutOfRangeValues() {
        byte[] block = new byte[24];
        ReportBlock.write(block, 0, 1, 999, -10_000_000L, 5, -3, 0, 1L << 40);
        assertEquals(255, ReportBlock.fractionLost(block, 0));
        assertEquals(-0x800000, ReportBlock.cumulativeLost(block, 0));
        assertEquals(0, ReportBlock.jitter(block, 0));
        assertEquals(0xFFFF_FFFFL, ReportBlock.delaySinceLastSenderReport(block, 0));
        ReportBlock.write(block, 0, 1, 0, 1L << 30, 5, 0, 0, 0);
        assertEquals(0x7FFFFF, ReportBlock.cumulativeLost(block, 0));
    }

    private void assertInvalid(byte[] datagram, String why) {
        assertFalse(it.reset(datagram, 0, datagram.length), why);
        assertFalse(it.next(), why + ": an invalid compound yields nothing");
    }

    static byte[] concat(byte[]... parts) {
        int total = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}

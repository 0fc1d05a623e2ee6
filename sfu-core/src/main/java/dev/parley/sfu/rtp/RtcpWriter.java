package dev.parley.sfu.rtp;

/**
 * Writes RTCP packets into a caller-provided buffer, without allocating. Each method returns the bytes written;
 * a buffer too small for the packet, or arguments no packet can carry, are rejected with
 * {@link IllegalArgumentException} before anything is written.
 */
public final class RtcpWriter {
    /** Most report blocks one SR or RR can carry (a five-bit count). */
    public static final int MAX_REPORT_BLOCKS = 31;

    private RtcpWriter() {
    }

    /**
     * Writes a receiver report with one block per source, filled by {@link ReceiveStatistics#fillReportBlock}
     * (which starts each source's next loss interval).
     *
     * @param sources the first {@code sourceCount} entries are reported; at most {@value #MAX_REPORT_BLOCKS}
     */
    public static int writeReceiverReport(byte[] dst, int off, int senderSsrc,
            ReceiveStatistics[] sources, int sourceCount, long nowNanos) {
        checkSources(sources, sourceCount);
        int length = 8 + ReportBlock.LENGTH * sourceCount;
        checkRoom(dst, off, length, "receiver report");
        writeHeader(dst, off, sourceCount, RtcpPacket.RR, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        fillBlocks(dst, off + 8, sources, sourceCount, nowNanos);
        return length;
    }

    /** Writes a sender report without report blocks. */
    public static int writeSenderReport(byte[] dst, int off, int senderSsrc, long ntpTimestamp, int rtpTimestamp,
            long packetCount, long octetCount) {
        return writeSenderReport(dst, off, senderSsrc, ntpTimestamp, rtpTimestamp, packetCount, octetCount,
                null, 0, 0);
    }

    /**
     * Writes a sender report followed by one report block per source, as a sender that also receives should.
     *
     * @param packetCount the sender's packet count; only the low 32 bits are sent, as the field wraps
     * @param octetCount the sender's payload octet count; only the low 32 bits are sent
     * @param sources the first {@code sourceCount} entries are reported (may be null when the count is 0)
     */
    public static int writeSenderReport(byte[] dst, int off, int senderSsrc, long ntpTimestamp, int rtpTimestamp,
            long packetCount, long octetCount, ReceiveStatistics[] sources, int sourceCount, long nowNanos) {
        checkSources(sources, sourceCount);
        int length = SenderReport.HEADER_LENGTH + ReportBlock.LENGTH * sourceCount;
        checkRoom(dst, off, length, "sender report");
        writeHeader(dst, off, sourceCount, RtcpPacket.SR, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put64(dst, off + 8, ntpTimestamp);
        BigEndian.put32(dst, off + 16, rtpTimestamp);
        BigEndian.put32(dst, off + 20, (int) packetCount);
        BigEndian.put32(dst, off + 24, (int) octetCount);
        fillBlocks(dst, off + SenderReport.HEADER_LENGTH, sources, sourceCount, nowNanos);
        return length;
    }

    /** Writes a picture loss indication asking {@code mediaSsrc} for a keyframe. */
    public static int writePli(byte[] dst, int off, int senderSsrc, int mediaSsrc) {
        int length = RtcpFeedback.HEADER_LENGTH;
        checkRoom(dst, off, length, "PLI");
        writeFeedbackHeader(dst, off, RtcpPacket.PSFB, RtcpFeedback.FMT_PLI, length, senderSsrc, mediaSsrc);
        return length;
    }

    /**
     * Writes a full intra request asking {@code mediaSsrc} for a keyframe. The media source field is 0 and the
     * SSRC goes into the FCI entry, as RFC 5104 requires.
     *
     * @param seqNr the request's command sequence number: increment it for each new request to the same source
     */
    public static int writeFir(byte[] dst, int off, int senderSsrc, int mediaSsrc, int seqNr) {
        int length = RtcpFeedback.HEADER_LENGTH + Fir.ENTRY_LENGTH;
        checkRoom(dst, off, length, "FIR");
        writeFeedbackHeader(dst, off, RtcpPacket.PSFB, RtcpFeedback.FMT_FIR, length, senderSsrc, 0);
        BigEndian.put32(dst, off + 12, mediaSsrc);
        dst[off + 16] = (byte) seqNr;
        dst[off + 17] = 0;
        dst[off + 18] = 0;
        dst[off + 19] = 0;
        return length;
    }

    /**
     * Writes a generic NACK for the first {@code count} sequence numbers of {@code seqs}. Each number joins the
     * current (PID, BLP) item when it lies 1..16 after its PID, else starts a new item, so ascending input packs
     * tightest; repeats of a PID are dropped.
     */
    public static int writeNack(byte[] dst, int off, int senderSsrc, int mediaSsrc, int[] seqs, int count) {
        if (seqs == null || count <= 0 || count > seqs.length) {
            throw new IllegalArgumentException("a NACK needs 1.." + (seqs == null ? 0 : seqs.length)
                    + " sequence numbers, got count " + count);
        }
        int items = 0;
        int pid = 0;
        for (int i = 0; i < count; i++) {
            int seq = seqs[i] & 0xFFFF;
            if (items == 0 || !inItem(pid, seq)) {
                pid = seq;
                items++;
            }
        }
        int length = RtcpFeedback.HEADER_LENGTH + Nack.ITEM_LENGTH * items;
        checkRoom(dst, off, length, "NACK");
        writeFeedbackHeader(dst, off, RtcpPacket.RTPFB, RtcpFeedback.FMT_NACK, length, senderSsrc, mediaSsrc);
        int item = off + RtcpFeedback.HEADER_LENGTH - Nack.ITEM_LENGTH;
        int blp = 0;
        for (int i = 0; i < count; i++) {
            int seq = seqs[i] & 0xFFFF;
            if (i > 0 && inItem(pid, seq)) {
                int distance = (seq - pid) & 0xFFFF;
                if (distance > 0) {
                    blp |= 1 << (distance - 1);
                    BigEndian.put16(dst, item + 2, blp);
                }
            } else {
                pid = seq;
                blp = 0;
                item += Nack.ITEM_LENGTH;
                BigEndian.put16(dst, item, pid);
                BigEndian.put16(dst, item + 2, 0);
            }
        }
        return length;
    }

    private static boolean inItem(int pid, int seq) {
        return ((seq - pid) & 0xFFFF) <= 16;
    }

    private static void writeHeader(byte[] dst, int off, int count, int type, int length) {
        dst[off] = (byte) (0x80 | count);
        dst[off + 1] = (byte) type;
        BigEndian.put16(dst, off + 2, length / 4 - 1);
    }

    private static void writeFeedbackHeader(byte[] dst, int off, int type, int fmt, int length,
            int senderSsrc, int mediaSsrc) {
        writeHeader(dst, off, fmt, type, length);
        BigEndian.put32(dst, off + 4, senderSsrc);
        BigEndian.put32(dst, off + 8, mediaSsrc);
    }

    private static void fillBlocks(byte[] dst, int off, ReceiveStatistics[] sources, int count, long nowNanos) {
        for (int i = 0; i < count; i++) {
            sources[i].fillReportBlock(dst, off + ReportBlock.LENGTH * i, nowNanos);
        }
    }

    private static void checkSources(ReceiveStatistics[] sources, int count) {
        if (count < 0 || count > MAX_REPORT_BLOCKS || count > (sources == null ? 0 : sources.length)) {
            throw new IllegalArgumentException("report block count must be 0.." + MAX_REPORT_BLOCKS
                    + " and within the sources array, got " + count);
        }
        for (int i = 0; i < count; i++) {
            if (sources[i] == null) {
                throw new IllegalArgumentException("report source " + i + " is null");
            }
        }
    }

    private static void checkRoom(byte[] dst, int off, int length, String what) {
        if (!BigEndian.inBounds(dst, off, length)) {
            throw new IllegalArgumentException(what + " needs " + length + " bytes at offset " + off
                    + ", buffer has " + (dst == null ? 0 : dst.length));
        }
    }
}

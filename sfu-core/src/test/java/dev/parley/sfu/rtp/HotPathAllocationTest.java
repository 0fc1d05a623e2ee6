package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The per-packet operations must not allocate: run each many times and check the thread's allocated-bytes
 * counter barely moves (a single allocation per packet would add at least 16 bytes per call).
 */
class HotPathAllocationTest {
    private static final int PACKETS = 20_000;

    private final byte[] rtp = RtpHeaderTest.CHROME_VP8_KEYFRAME.clone();
    private final byte[] rtcp = new byte[200];
    private final byte[] nack = new byte[64];
    private final int[] lostSeqs = {5, 6, 9, 30};
    private final SendHistory history = new SendHistory(512, 1500);
    private final PacketBuffer out = new PacketBuffer();
    private final ReceiveStatistics stats = new ReceiveStatistics(1, 90000);
    private final ReceiveStatistics[] sources = {stats};
    private final KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
    private final RtcpIterator it = new RtcpIterator();
    private final NackIterator lost = new NackIterator();
    private final NackGenerator nacks = new NackGenerator();
    private final int[] due = new int[64];
    private final RtxSender rtx = new RtxSender(9, 97, 0);
    private final PacketBuffer rtxOut = new PacketBuffer();
    private long sink;

    @Test
    void perPacketOperationsDoNotAllocate() {
        // Parley's supported JDKs (OpenJDK/Temurin 21+) all have HotSpot's per-thread allocation counter.
        assertTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs the HotSpot per-thread allocation counter");
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "the JVM must support per-thread allocation counting");
        threads.setThreadAllocatedMemoryEnabled(true);
        long self = Thread.currentThread().threadId();

        runPackets(0);                                   // warm up: class loading and first-call costs
        long before = threads.getThreadAllocatedBytes(self);
        runPackets(PACKETS);
        long allocated = threads.getThreadAllocatedBytes(self) - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over " + PACKETS + " packets");
        assertTrue(sink != 0);
    }

    private void runPackets(int first) {
        for (int i = first; i < first + PACKETS; i++) {
            RtpHeader.setSequenceNumber(rtp, 0, i);
            if (RtpHeader.isValid(rtp, 0, rtp.length)) {
                sink += RtpHeader.ssrc(rtp, 0) + RtpHeader.timestamp(rtp, 0) + RtpHeader.payloadLength(rtp, 0, rtp.length);
                sink += RtpHeader.findExtension(rtp, 0, rtp.length, 3) + RtpHeader.audioLevel(rtp, 0, rtp.length, 1);
                sink += Vp8Payload.isKeyframe(rtp, RtpHeader.payloadOffset(rtp, 0), 20) ? 1 : 0;
                sink += H264Payload.isKeyframe(rtp, RtpHeader.payloadOffset(rtp, 0), 20) ? 1 : 0;
            }
            history.store(rtp, 0, rtp.length);
            sink += history.get(i - 3, out) ? out.length() : 0;
            stats.onPacket(i, i * 3000, i * 33_000_000L);
            sink += throttle.tryForward(i * 1_000_000L) ? 1 : 0;

            // Loss recovery: every 7th packet missing, arriving 3 packets late; NACK timer every 5th packet.
            if (i % 7 != 0) {
                sink += nacks.onPacket(i, i * 1_000_000L);
            }
            if (i % 7 == 3) {
                sink += nacks.onPacket(i - 3, i * 1_000_000L);
            }
            if (i % 5 == 0) {
                sink += nacks.collect(i * 1_000_000L + 50_000_000L, due);
            }
            if (history.get(i, out) && rtx.wrap(out, rtxOut)) {
                sink += RtxPacket.decapsulate(rtxOut, 1, 96);
            }

            int n = RtcpWriter.writeReceiverReport(rtcp, 0, 7, sources, 1, i);
            n += RtcpWriter.writePli(rtcp, n, 7, 8);
            n += RtcpWriter.writeNack(rtcp, n, 7, 8, lostSeqs, lostSeqs.length);
            if (it.reset(rtcp, 0, n)) {
                while (it.next()) {
                    sink += it.type() + RtcpPacket.senderSsrc(rtcp, it.offset());
                    if (RtcpFeedback.isNack(it.type(), it.count())) {
                        lost.reset(rtcp, it.offset(), it.length());
                        while (lost.hasNext()) {
                            sink += lost.nextSequenceNumber();
                        }
                    }
                }
            }
        }
    }
}

package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.Remb;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * Transport-cc on the media loop must not allocate per packet: stamping, recording arrivals, writing and reading
 * feedback, the estimator and REMB writing, run many times, barely move the thread's allocated-bytes counter.
 * The responder's feedback for the sender's own stamped packets closes the loop.
 */
class TransportCcAllocationTest {
    private static final int PACKETS = 20_000;

    private final TransportCcSender sender = new TransportCcSender();
    private final TransportCcResponder responder = new TransportCcResponder(3);
    private final PacketBuffer packet = new PacketBuffer();
    private final PacketBuffer feedback = new PacketBuffer();
    private final byte[] source = new RtpPacketBuilder().oneByte(3, 0, 0).payload(new byte[1000]).build();
    private final int[] ssrcs = {1, 2};
    private final byte[] remb = new byte[64];
    private long sink;

    @Test
    void stampingFeedbackAndEstimationDoNotAllocate() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long self = Thread.currentThread().threadId();
        runPackets(0);
        long before = threads.getThreadAllocatedBytes(self);
        runPackets(PACKETS);
        long allocated = threads.getThreadAllocatedBytes(self) - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over " + PACKETS + " packets");
        assertTrue(sender.estimateBps() > 0, "the loop produced an estimate");
        assertTrue(sink != 0);
    }

    private void runPackets(int first) {
        for (int i = first; i < first + PACKETS; i++) {
            long now = i * 4_000_000L; // a 1000-byte packet every 4 ms: 2 Mbit/s
            packet.copyFrom(source, 0, source.length);
            sender.stamp(packet, now);
            responder.onPacket(packet.array(), packet.offset(), packet.length(), 1, now + 10_000_000L);
            if (i % 20 == 19 && responder.writeFeedback(feedback, 7)) {
                sender.onFeedback(feedback.array(), feedback.offset(), feedback.length(), now);
                sender.onReportedLoss(0, now);
                sink += sender.estimateBps() + Remb.write(remb, 0, 7, Math.max(0, sender.estimateBps()), ssrcs, 2);
            }
        }
    }
}

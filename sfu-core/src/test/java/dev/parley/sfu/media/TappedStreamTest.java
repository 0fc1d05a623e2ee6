package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.sdp.Codec;
import dev.parley.sfu.sdp.PublishedTrack;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TapSenderReport;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTapListener;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A published stream with a tap, driven as the media loop drives it: queueing into the tap's ring costs no
 * allocation per packet, whether the tap keeps up or its ring is full; and the ring is a FIFO that refuses, rather
 * than overwrites, when full.
 */
class TappedStreamTest {
    private static final int PACKETS = 20_000;
    private static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");
    private static final TappedTrack TRACK = new TappedTrack("t1", "p1", "ada", MediaKind.VIDEO, "VP8", 96, 90000, 1, "", false);

    /** Counts what it is given, reading each packet's header as a recorder would. */
    static class Counting implements TrackTapListener {
        final AtomicLong packets = new AtomicLong();
        final AtomicLong reports = new AtomicLong();
        volatile long sink;

        @Override
        public void onTrackAdded(TappedTrack track) {}

        @Override
        public void onRtp(TappedTrack track, TapPacket packet) {
            sink += packet.sequenceNumber() + packet.timestamp() + packet.payloadLength();
            packets.incrementAndGet();
        }

        @Override
        public void onSenderReport(TappedTrack track, TapSenderReport report) {
            reports.incrementAndGet();
        }

        @Override
        public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {}
    }

    @Test
    void queueingForATapDoesNotAllocateWhetherItKeepsUpOrNot() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        long self = Thread.currentThread().threadId();

        PublishedStream stream = new PublishedStream(null, null,
                new PublishedTrack("1", MediaKind.VIDEO, VP8, 96, 0x1234, true, 0, 0));
        Counting reader = new Counting();
        MediaTap running = new MediaTap(null, "room", reader, TapOptions.withQueue(4096), () -> {});
        running.start();
        // A tap whose thread never starts: its ring fills, then every packet is a counted drop.
        MediaTap stalled = new MediaTap(null, "room", new Counting(), TapOptions.withQueue(16), () -> {});
        assertTrue(stream.addTapOnLoop(new TapFeed(running, TRACK, stream.tapSource())));
        assertTrue(stream.addTapOnLoop(new TapFeed(stalled, TRACK, stream.tapSource())));

        byte[] rtp = new RtpPacketBuilder().ssrc(0x1234).payloadType(96).payload(new byte[900]).build();
        byte[] sr = new byte[64];
        int srLength = RtcpWriter.writeSenderReport(sr, 0, 0x1234, 1L << 40, 90000, 10, 9000);
        PacketBuffer in = new PacketBuffer();
        feed(stream, in, rtp, sr, 0);                 // warm up: class loading and first-call costs
        // Rounds until one is clean: on a busy machine the JIT may not have compiled the path yet, and code compiled
        // without escape analysis allocates short-lived objects that the final code does not. An allocation per
        // packet would show in every round (at least 16 bytes each: 320 KB).
        long best = Long.MAX_VALUE;
        int rounds = 0;
        while (rounds < 20 && best >= 4096) {
            rounds++;
            long before = threads.getThreadAllocatedBytes(self);
            feed(stream, in, rtp, sr, rounds * PACKETS);
            best = Math.min(best, threads.getThreadAllocatedBytes(self) - before);
        }
        assertTrue(best < 4096, "the media loop allocated " + best + " bytes over " + PACKETS + " packets");

        long offered = (rounds + 1L) * PACKETS * 101 / 100; // packets plus one sender report per hundred, all rounds
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (running.deliveredPackets() + running.droppedPackets() < offered) {
            if (System.nanoTime() > deadline) {
                fail("the running tap accounted for " + (running.deliveredPackets() + running.droppedPackets()) + " of " + offered);
            }
            Thread.sleep(5);
        }
        assertEquals(reader.packets.get() + reader.reports.get(), running.deliveredPackets());
        assertEquals(offered - 16, stalled.droppedPackets(), "all but the 16 queued were dropped and counted");
        running.close();
    }

    private static void feed(PublishedStream stream, PacketBuffer in, byte[] rtp, byte[] sr, int first) {
        for (int i = first; i < first + PACKETS; i++) {
            RtpHeader.setSequenceNumber(rtp, 0, i);
            RtpHeader.setTimestamp(rtp, 0, i * 3000);
            in.copyFrom(rtp, 0, rtp.length);
            RtpReceivePipeline.onStreamPacket(stream, in, 0x1234, i);
            if (i % 100 == 0) {
                stream.onSenderReport(sr, 0, 28, i);
            }
        }
    }

    @Test
    void aListenerThatThrowsKeepsReceiving() throws Exception {
        PublishedStream stream = new PublishedStream(null, null,
                new PublishedTrack("1", MediaKind.VIDEO, VP8, 96, 0x1234, true, 0, 0));
        AtomicLong calls = new AtomicLong();
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
        MediaTap tap = new MediaTap(null, "room", new Counting() {
            @Override
            public void onRtp(TappedTrack track, TapPacket packet) {
                calls.incrementAndGet();
                throw new IllegalStateException("a broken consumer");
            }

            @Override
            public void onClosed() {
                closed.countDown();
            }
        }, TapOptions.withQueue(256), () -> {});
        tap.start();
        assertTrue(stream.addTapOnLoop(new TapFeed(tap, TRACK, stream.tapSource())));
        byte[] rtp = new RtpPacketBuilder().ssrc(0x1234).payloadType(96).payload(new byte[100]).build();
        PacketBuffer in = new PacketBuffer();
        for (int i = 0; i < 100; i++) {
            RtpHeader.setSequenceNumber(rtp, 0, i);
            in.copyFrom(rtp, 0, rtp.length);
            RtpReceivePipeline.onStreamPacket(stream, in, 0x1234, i);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (tap.deliveredPackets() < 100) {
            if (System.nanoTime() > deadline) {
                fail("delivered " + tap.deliveredPackets() + " of 100 to a listener that throws");
            }
            Thread.sleep(5);
        }
        assertEquals(100, calls.get());
        assertEquals(100, tap.listenerFailures());
        tap.close();
        assertTrue(closed.await(5, TimeUnit.SECONDS), "onClosed still comes");
    }

    @Test
    void theRingIsAFifoThatRefusesWhenFull() {
        TapRing ring = new TapRing(4);
        byte[] b = new byte[TapRing.SLOT_BYTES + 1];
        for (int i = 0; i < 4; i++) {
            b[0] = (byte) i;
            assertTrue(ring.offer(null, TapRing.RTP, b, 0, 10 + i, i));
        }
        assertFalse(ring.offer(null, TapRing.RTP, b, 0, 10, 9), "full");
        assertFalse(ring.offer(null, TapRing.RTP, b, 0, TapRing.SLOT_BYTES + 1, 9), "larger than a slot");
        for (long n = 0; n < 6; n++) {
            long index = ring.read();
            int slot = ring.slot(index);
            assertEquals(n % 4, ring.data()[ring.slotOffset(slot)], "oldest first");
            assertEquals(10 + n % 4, ring.length(slot));
            ring.release(index);
            b[0] = (byte) ((n + 4) % 4);
            assertTrue(ring.offer(null, TapRing.RTP, b, 0, 10 + (int) ((n + 4) % 4), n), "a released slot is reused");
        }
        assertEquals(10, ring.written());
    }
}

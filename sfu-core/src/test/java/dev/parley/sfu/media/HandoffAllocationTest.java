package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Handing a datagram from one media loop to another (the shared port's path when the kernel delivered it to a loop
 * that does not own its transport) allocates nothing per packet, on either thread: the ring's slots are
 * preallocated and one queued drain task serves many datagrams. Measured with HotSpot's per-thread allocation
 * counter, as {@code HotPathAllocationTest} does, on two real Netty event loops.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandoffAllocationTest {
    private static final int PACKETS = 20_000;

    @Test
    void handOffAllocatesNothingPerPacket() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "the JVM must support per-thread allocation counting");
        threads.setThreadAllocatedMemoryEnabled(true);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            EventLoop a = group.next();
            EventLoop b = group.next();
            MediaCounters counters = new MediaCounters();
            MediaLoop producer = new MediaLoop(0, a, null, counters);
            MediaLoop consumer = new MediaLoop(1, b, null, counters);
            // The consumer's shared-port handler, before its engine exists, takes the datagram and drops it.
            consumer.useSharedPort(null, new MediaChannelHandler(() -> null, 1));
            long producerThread = a.submit(() -> Thread.currentThread().threadId()).get();
            long consumerThread = b.submit(() -> Thread.currentThread().threadId()).get();
            PacketBuffer p = new PacketBuffer();
            p.setWindow(0, 1200);
            InetSocketAddress from = new InetSocketAddress("127.0.0.1", 5000);

            a.submit(() -> sendAll(producer, consumer, p, from)).get(); // warm up: class loading, the ring
            awaitDrained(b, consumer);
            long producerBefore = threads.getThreadAllocatedBytes(producerThread);
            long consumerBefore = threads.getThreadAllocatedBytes(consumerThread);
            long handedBefore = counters.handedOffPackets();
            a.submit(() -> sendAll(producer, consumer, p, from)).get();
            awaitDrained(b, consumer);
            long producerAllocated = threads.getThreadAllocatedBytes(producerThread) - producerBefore;
            long consumerAllocated = threads.getThreadAllocatedBytes(consumerThread) - consumerBefore;

            assertEquals(PACKETS, counters.handedOffPackets() - handedBefore);
            // A single allocation per packet would be at least 16 bytes each: 320 KB over the run.
            assertTrue(producerAllocated < 16 * 1024, "producer allocated " + producerAllocated + " bytes over "
                    + PACKETS + " datagrams");
            assertTrue(consumerAllocated < 16 * 1024, "consumer allocated " + consumerAllocated + " bytes over "
                    + PACKETS + " datagrams");
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** On the producer's loop: hands over PACKETS datagrams, waiting (spinning) while the ring is full. */
    private static void sendAll(MediaLoop producer, MediaLoop consumer, PacketBuffer p, InetSocketAddress from) {
        for (int i = 0; i < PACKETS; i++) {
            while (!producer.handOff(consumer, p, from, null)) {
                Thread.onSpinWait();
            }
        }
    }

    private static void awaitDrained(EventLoop b, MediaLoop consumer) throws Exception {
        // The drain task runs before this one or queues itself again behind it; so poll until nothing is left.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!b.submit(consumer::handoffsDrained).get()) {
            assertTrue(System.nanoTime() < deadline, "the consumer never drained its rings");
        }
    }
}

package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class HandoffRingTest {
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 5000);

    private record Polled(byte[] bytes, InetSocketAddress from, Object target) {}

    private static Polled pollOne(HandoffRing ring, PacketBuffer into) {
        Polled[] got = new Polled[1];
        boolean any = ring.poll(into, (p, from, target) -> got[0] = new Polled(
                Arrays.copyOfRange(p.array(), p.offset(), p.offset() + p.length()), from, target));
        return any ? got[0] : null;
    }

    @Test
    void datagramsComeOutInOrderWithTheirSenderAndTarget() {
        HandoffRing ring = new HandoffRing(4);
        Object tcp = new Object();
        assertTrue(ring.isEmpty());
        assertTrue(ring.offer(new byte[] {9, 1, 2, 3, 9}, 1, 3, FROM, null));
        assertTrue(ring.offer(new byte[] {4, 5}, 0, 2, FROM, tcp));
        assertFalse(ring.isEmpty());
        PacketBuffer into = new PacketBuffer();
        Polled first = pollOne(ring, into);
        assertArrayEquals(new byte[] {1, 2, 3}, first.bytes());
        assertSame(FROM, first.from());
        assertNull(first.target());
        Polled second = pollOne(ring, into);
        assertArrayEquals(new byte[] {4, 5}, second.bytes());
        assertSame(tcp, second.target());
        assertNull(pollOne(ring, into), "empty again");
        assertTrue(ring.isEmpty());
    }

    @Test
    void aFullRingRefusesUntilTheConsumerFreesASlot() {
        HandoffRing ring = new HandoffRing(2);
        assertTrue(ring.offer(new byte[] {1}, 0, 1, FROM, null));
        assertTrue(ring.offer(new byte[] {2}, 0, 1, FROM, null));
        assertFalse(ring.offer(new byte[] {3}, 0, 1, FROM, null), "two slots, both taken");
        PacketBuffer into = new PacketBuffer();
        assertArrayEquals(new byte[] {1}, pollOne(ring, into).bytes());
        assertTrue(ring.offer(new byte[] {4}, 0, 1, FROM, null));
        assertArrayEquals(new byte[] {2}, pollOne(ring, into).bytes());
        assertArrayEquals(new byte[] {4}, pollOne(ring, into).bytes(), "the refused datagram was not taken");
        assertNull(pollOne(ring, into));
    }

    @Test
    void aFullSizeDatagramFits() {
        HandoffRing ring = new HandoffRing(2);
        byte[] big = new byte[PacketBuffer.MAX_DATAGRAM];
        Arrays.fill(big, (byte) 7);
        assertTrue(ring.offer(big, 0, big.length, FROM, null));
        assertArrayEquals(big, pollOne(ring, new PacketBuffer()).bytes());
    }

    @Test
    void slotsMustBeAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new HandoffRing(3));
        assertThrows(IllegalArgumentException.class, () -> new HandoffRing(1));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void twoProducersAndOneConsumerEachProducersDatagramsArriveOnceInOrder() throws Exception {
        HandoffRing ring = new HandoffRing(8);
        int each = 100_000;
        List<List<Integer>> accepted = List.of(new ArrayList<>(), new ArrayList<>());
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int producer = p;
            InetSocketAddress from = new InetSocketAddress("127.0.0.1", 6000 + p);
            producers.add(new Thread(() -> {
                byte[] b = new byte[40];
                for (int i = 0; i < each; i++) {
                    b[0] = (byte) (i >>> 16);
                    b[1] = (byte) (i >>> 8);
                    b[2] = (byte) i;
                    Arrays.fill(b, 3, 40, (byte) (i + producer));
                    if (ring.offer(b, 0, 40, from, null)) {
                        accepted.get(producer).add(i);
                    }
                }
            }));
        }
        List<List<Integer>> received = List.of(new ArrayList<>(), new ArrayList<>());
        List<String> corrupt = new ArrayList<>();
        HandoffRing.Sink sink = (p, from, target) -> {
            int producer = from.getPort() - 6000;
            byte[] a = p.array();
            int i = (a[0] & 0xFF) << 16 | (a[1] & 0xFF) << 8 | (a[2] & 0xFF);
            for (int k = 3; k < 40; k++) {
                if (a[k] != (byte) (i + producer)) {
                    corrupt.add(producer + "/" + i + ": byte " + k);
                    break;
                }
            }
            received.get(producer).add(i);
        };
        PacketBuffer into = new PacketBuffer();
        producers.forEach(Thread::start);
        while (producers.stream().anyMatch(Thread::isAlive) || !ring.isEmpty()) {
            ring.poll(into, sink);
        }
        for (Thread t : producers) {
            t.join();
        }
        while (ring.poll(into, sink)) {
            // what the producers left after the last check
        }
        assertEquals(List.of(), corrupt);
        assertEquals(accepted.get(0), received.get(0), "the first producer's datagrams, once each, in order");
        assertEquals(accepted.get(1), received.get(1), "the second producer's datagrams, once each, in order");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void oneProducerAndOneConsumerThreadLoseAndReorderNothingTheRingAccepted() throws Exception {
        HandoffRing ring = new HandoffRing(16);
        int total = 200_000;
        List<Integer> accepted = new ArrayList<>();
        Thread producer = new Thread(() -> {
            byte[] b = new byte[64];
            for (int i = 0; i < total; i++) {
                b[0] = (byte) (i >>> 24);
                b[1] = (byte) (i >>> 16);
                b[2] = (byte) (i >>> 8);
                b[3] = (byte) i;
                Arrays.fill(b, 4, 64, (byte) i); // the whole copy must arrive, not just its first bytes
                if (ring.offer(b, 0, 4 + (i % 60), FROM, null)) {
                    accepted.add(i);
                }
            }
        });
        List<Integer> received = new ArrayList<>();
        List<String> corrupt = new ArrayList<>();
        PacketBuffer into = new PacketBuffer();
        HandoffRing.Sink sink = (p, from, target) -> {
            byte[] a = p.array();
            int i = (a[0] & 0xFF) << 24 | (a[1] & 0xFF) << 16 | (a[2] & 0xFF) << 8 | (a[3] & 0xFF);
            if (p.length() != 4 + (i % 60)) {
                corrupt.add(i + ": length " + p.length());
            }
            for (int k = 4; k < p.length(); k++) {
                if (a[k] != (byte) i) {
                    corrupt.add(i + ": byte " + k);
                    break;
                }
            }
            received.add(i);
        };
        producer.start();
        while (producer.isAlive() || !ring.isEmpty()) {
            ring.poll(into, sink);
        }
        producer.join();
        while (ring.poll(into, sink)) {
            // what the producer left after the last check
        }
        assertEquals(List.of(), corrupt);
        assertEquals(accepted, received, "every accepted datagram, once, in order");
        assertTrue(received.size() > 0);
    }
}

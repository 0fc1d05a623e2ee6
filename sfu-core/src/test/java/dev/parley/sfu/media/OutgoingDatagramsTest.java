package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parley.sfu.packet.PacketBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.IllegalReferenceCountException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reused outgoing datagrams: what is queued is never handed out again until the socket released it. */
class OutgoingDatagramsTest {
    private static final InetSocketAddress A = new InetSocketAddress("127.0.0.1", 5000);
    private static final InetSocketAddress B = new InetSocketAddress("127.0.0.1", 5001);

    @Test
    void aDatagramCarriesTheCopyAndItsRecipient() {
        OutgoingDatagrams out = new OutgoingDatagrams();
        DatagramPacket d = out.take(packet(7, 1200), A);
        assertEquals(A, d.recipient());
        assertEquals(1, d.refCnt());
        ByteBuf content = d.content();
        assertEquals(1200, content.readableBytes());
        assertEquals(7, content.getByte(content.readerIndex()));
        assertEquals(7, content.getByte(content.readerIndex() + 1199));
        assertEquals(true, content.isDirect(), "the socket sends direct memory without another copy");
    }

    @Test
    void aReleasedDatagramIsTakenAgainAndAQueuedOneNever() {
        OutgoingDatagrams out = new OutgoingDatagrams();
        List<DatagramPacket> queued = new ArrayList<>();
        Set<DatagramPacket> distinct = new HashSet<>();
        for (int i = 0; i < OutgoingDatagrams.INITIAL_DATAGRAMS; i++) {
            DatagramPacket d = out.take(packet(i, 100), A);
            queued.add(d);
            distinct.add(d);
        }
        assertEquals(OutgoingDatagrams.INITIAL_DATAGRAMS, distinct.size(), "no datagram is handed out twice");
        // The socket sent (and released) the first one only: it is the one taken next; the set did not grow.
        queued.getFirst().release();
        DatagramPacket again = out.take(packet(99, 300), B);
        assertSame(queued.getFirst(), again);
        assertEquals(B, again.recipient());
        assertEquals(300, again.content().readableBytes());
        assertEquals(99, again.content().getByte(0));
        assertEquals(OutgoingDatagrams.INITIAL_DATAGRAMS, out.size());
        // Now every one is queued: the set grows rather than hand out a queued datagram.
        DatagramPacket fresh = out.take(packet(1, 100), A);
        distinct.add(again);
        assertEquals(false, distinct.contains(fresh));
        assertEquals(2 * OutgoingDatagrams.INITIAL_DATAGRAMS, out.size());
        assertEquals(0, out.fallbacks());
    }

    @Test
    void pastTheLimitNoneIsFreeAndTheCallerAllocates() {
        OutgoingDatagrams out = new OutgoingDatagrams();
        List<DatagramPacket> queued = new ArrayList<>();
        for (int i = 0; i < OutgoingDatagrams.MAX_DATAGRAMS; i++) {
            queued.add(out.take(packet(i, 20), A));
        }
        assertNull(out.take(packet(0, 20), A));
        assertEquals(1, out.fallbacks());
        assertEquals(OutgoingDatagrams.MAX_DATAGRAMS, out.size());
        // Sent in queue order: the oldest comes back first, and whatever was released is used again.
        for (DatagramPacket d : queued) {
            d.release();
        }
        DatagramPacket d = out.take(packet(5, 20), A);
        assertNotSame(null, d);
        assertEquals(OutgoingDatagrams.MAX_DATAGRAMS, out.size());
    }

    @Test
    void referenceCountingIsChecked() {
        OutgoingDatagrams out = new OutgoingDatagrams();
        DatagramPacket d = out.take(packet(1, 20), A);
        d.retain();
        assertEquals(2, d.refCnt());
        d.release();
        d.release();
        assertEquals(0, d.refCnt());
        assertEquals(1, d.content().refCnt(), "the buffer stays with the set");
        assertThrows(IllegalReferenceCountException.class, d::release);
        assertThrows(IllegalReferenceCountException.class, d::retain);
    }

    @Test
    void anOversizedCopyIsRefused() {
        OutgoingDatagrams out = new OutgoingDatagrams();
        PacketBuffer big = new PacketBuffer(OutgoingDatagrams.DATAGRAM_BYTES + 1);
        big.setWindow(0, OutgoingDatagrams.DATAGRAM_BYTES + 1);
        assertThrows(IllegalArgumentException.class, () -> out.take(big, A));
    }

    private static PacketBuffer packet(int fill, int length) {
        PacketBuffer p = new PacketBuffer();
        java.util.Arrays.fill(p.array(), 0, length, (byte) fill);
        p.setWindow(0, length);
        return p;
    }
}

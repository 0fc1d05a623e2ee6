package dev.parley.sfu.dtls;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.bouncycastle.tls.DatagramTransport;

/**
 * An in-memory datagram link between a test client and a {@link DtlsServerSession}: the client's sends are
 * handed to {@link DtlsServerSession#onDatagram} (as the event loop would), the server's sends are queued for
 * the client. Filters can drop datagrams in either direction; everything the server sent is kept for inspection.
 */
final class MemoryLink {
    final LinkedBlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
    final List<byte[]> sentByServer = new CopyOnWriteArrayList<>();
    /** Client datagrams held back (not delivered) while {@link #holdClient} is set. */
    final List<byte[]> heldFromClient = new CopyOnWriteArrayList<>();
    volatile boolean holdClient;
    volatile Predicate<byte[]> serverToClientFilter = d -> true;
    volatile DtlsServerSession server;
    /** Extra datagrams to deliver to the server after each client datagram (noise). */
    volatile java.util.function.Supplier<List<byte[]>> noise = List::of;

    /** The server's sender. */
    DatagramSender serverSender() {
        return (buf, off, len) -> {
            byte[] d = Arrays.copyOfRange(buf, off, off + len);
            sentByServer.add(d);
            if (serverToClientFilter.test(d)) {
                toClient.add(d);
            }
        };
    }

    /** Stops holding client datagrams and delivers the held ones, in order. */
    void releaseClient() {
        holdClient = false;
        for (byte[] d : heldFromClient) {
            server.onDatagram(d, 0, d.length);
        }
        heldFromClient.clear();
    }

    /** The client's side of the link. */
    DatagramTransport clientTransport() {
        return new DatagramTransport() {
            @Override
            public int getReceiveLimit() {
                return 1500;
            }

            @Override
            public int getSendLimit() {
                return 1200;
            }

            @Override
            public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
                try {
                    byte[] d = toClient.poll(waitMillis == 0 ? Long.MAX_VALUE : waitMillis, TimeUnit.MILLISECONDS);
                    if (d == null) {
                        return -1;
                    }
                    System.arraycopy(d, 0, buf, off, d.length);
                    return d.length;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }

            @Override
            public void send(byte[] buf, int off, int len) {
                if (holdClient) {
                    heldFromClient.add(Arrays.copyOfRange(buf, off, off + len));
                    return;
                }
                server.onDatagram(buf, off, len);
                for (byte[] n : noise.get()) {
                    server.onDatagram(n, 0, n.length);
                }
            }

            @Override
            public void close() {
            }
        };
    }
}

package dev.parley.loadtest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.tls.DatagramTransport;

/**
 * BouncyCastle's view of the peer's socket during the DTLS handshake. The peer's receive thread owns the socket
 * and hands DTLS records over through a bounded queue (STUN and SRTP share the socket, RFC 7983); sends go
 * straight to the channel, which is safe from any thread.
 */
final class ChannelDatagramTransport implements DatagramTransport {
    private static final int MTU = 1200;

    private final PeerLink channel;
    private final InetSocketAddress remote;
    private final BlockingQueue<byte[]> records = new ArrayBlockingQueue<>(64);

    ChannelDatagramTransport(PeerLink channel, InetSocketAddress remote) {
        this.channel = channel;
        this.remote = remote;
    }

    /** Receive thread: a DTLS record arrived. Dropped when the queue is full, as a network would. */
    void offer(byte[] buf, int off, int len) {
        byte[] copy = new byte[len];
        System.arraycopy(buf, off, copy, 0, len);
        records.offer(copy);
    }

    @Override
    public int getReceiveLimit() {
        return 1500;
    }

    @Override
    public int getSendLimit() {
        return MTU;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        try {
            byte[] record = records.poll(waitMillis, TimeUnit.MILLISECONDS);
            if (record == null) {
                return -1;
            }
            int n = Math.min(len, record.length);
            System.arraycopy(record, 0, buf, off, n);
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a DTLS record");
        }
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        channel.send(ByteBuffer.wrap(buf, off, len), remote);
    }

    @Override
    public void close() {
        records.clear();
    }
}

package dev.parley.sfu.dtls;

import dev.parley.sfu.packet.PacketBuffer;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DatagramTransport;

/**
 * BouncyCastle's view of the network for one DTLS session: received records come from a bounded queue the
 * event loop fills without waiting, and sent records go straight to the session's {@link DatagramSender}.
 *
 * <p>During the handshake {@link #receive} waits on the queue as long as BouncyCastle asks. Afterwards the
 * session only drains what is already queued ({@link #stopWaiting(int)}): then an empty queue ends a read with an
 * {@link InterruptedIOException}, the one signal BouncyCastle passes up without failing the connection.
 * {@link #close()} wakes a waiting reader at once.
 */
final class QueuedDatagramTransport implements DatagramTransport {
    /** Largest datagram accepted from the peer; the socket never delivers more. */
    static final int RECEIVE_LIMIT = PacketBuffer.MAX_DATAGRAM;
    /** Largest datagram we send: fits a 1280-byte IPv6 path with room for TURN and tunnel headers. */
    static final int SEND_LIMIT = 1200;

    private static final byte[] WAKE_UP = new byte[0];
    /** DTLS 1.2 record header: type, version, epoch, sequence number, length. */
    private static final int RECORD_HEADER = 13;

    private final ArrayBlockingQueue<byte[]> queue;
    private final DatagramSender sender;
    private final Runnable onClose;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean closeOnce = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean waiting = true;
    private volatile int minimumCiphertext;

    QueuedDatagramTransport(int queueCapacity, DatagramSender sender, Runnable onClose) {
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.sender = sender;
        this.onClose = onClose;
    }

    /**
     * Queues a copy of a received datagram; drops and counts it if it is empty, too big, the queue is full or
     * the transport closed.
     *
     * @return whether the datagram was queued
     */
    boolean offer(byte[] buf, int off, int len) {
        if (closed || len < 1 || len > RECEIVE_LIMIT || !queue.offer(Arrays.copyOfRange(buf, off, off + len))) {
            dropped.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Counts a datagram the session refused before offering it. */
    void countDropped() {
        dropped.incrementAndGet();
    }

    /** Datagrams refused by {@link #offer} or counted by {@link #countDropped}. */
    long dropped() {
        return dropped.get();
    }

    /**
     * From now on a read returns only what is already queued, and skips datagrams holding an encrypted record
     * shorter than {@code minimumCiphertext} (the cipher's explicit nonce plus tag). BouncyCastle answers such a
     * record with a fatal decode_error alert to the peer rather than discarding it as RFC 6347 asks, so one
     * spoofed datagram would otherwise end a working association.
     */
    void stopWaiting(int minimumCiphertext) {
        this.minimumCiphertext = minimumCiphertext;
        waiting = false;
    }

    /** Datagrams waiting to be read. */
    int queued() {
        return queue.size();
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public int getReceiveLimit() {
        return RECEIVE_LIMIT;
    }

    @Override
    public int getSendLimit() {
        return SEND_LIMIT;
    }

    /** {@inheritDoc} A {@code waitMillis} of zero waits until a datagram arrives or the transport closes. */
    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        if (closed) {
            throw new IOException("DTLS transport closed");
        }
        byte[] datagram;
        if (!waiting) {
            do {
                datagram = queue.poll();
                if (datagram == null) {
                    throw new InterruptedIOException("no queued DTLS record");
                }
            } while (hasTruncatedCiphertext(datagram));
        } else {
            try {
                datagram = waitMillis == 0 ? queue.take() : queue.poll(waitMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for a DTLS record");
            }
            if (datagram == null) {
                return -1; // BouncyCastle's "nothing within waitMillis"
            }
        }
        if (datagram == WAKE_UP || closed) {
            throw new IOException("DTLS transport closed");
        }
        int n = Math.min(datagram.length, len); // len is our receive limit, which offer() enforced
        System.arraycopy(datagram, 0, buf, off, n);
        return n;
    }

    /** Whether a record after epoch 0 in this datagram is too short to hold any ciphertext (then it is counted). */
    private boolean hasTruncatedCiphertext(byte[] datagram) {
        int at = 0;
        while (at + RECORD_HEADER <= datagram.length) {
            int epoch = ((datagram[at + 3] & 0xFF) << 8) | (datagram[at + 4] & 0xFF);
            int length = ((datagram[at + 11] & 0xFF) << 8) | (datagram[at + 12] & 0xFF);
            if (epoch != 0 && length < minimumCiphertext) {
                dropped.incrementAndGet();
                return true;
            }
            at += RECORD_HEADER + length;
        }
        return false;
    }

    @Override
    public void send(byte[] buf, int off, int len) throws IOException {
        if (closed) {
            return; // e.g. the alert BouncyCastle sends when a closed session's handshake unwinds
        }
        try {
            sender.send(buf, off, len);
        } catch (RuntimeException e) {
            throw new IOException("sending a DTLS record failed", e);
        }
    }

    /** Closes for good and wakes a reader waiting in {@link #receive}; idempotent. */
    @Override
    public void close() {
        if (!closeOnce.compareAndSet(false, true)) {
            return;
        }
        closed = true;
        queue.clear();
        queue.offer(WAKE_UP); // if a racing offer() filled the queue instead, the reader wakes on that
        onClose.run();
    }
}

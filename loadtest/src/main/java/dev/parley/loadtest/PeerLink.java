package dev.parley.loadtest;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CountDownLatch;

/**
 * The socket a {@link SyntheticPeer} speaks through: UDP, or one ICE-TCP connection (RFC 6544, the peer being
 * the active side) whose packets carry a two-byte length before them (RFC 4571).
 */
sealed interface PeerLink extends Closeable permits PeerLink.Udp, PeerLink.Tcp {
    /** The candidate transport this link uses, as SDP names it: {@code udp} or {@code tcp}. */
    String transport();

    /**
     * Sends one packet (the remaining bytes of {@code packet}) to {@code to}; any thread. False: the packet was
     * dropped because a non-blocking socket's send buffer was full (UDP under a {@link PeerReceiver}).
     */
    boolean send(ByteBuffer packet, InetSocketAddress to) throws IOException;

    /**
     * The receive thread: reads the next packet into {@code into} from its position on; returns its length,
     * 0 for nothing (try again), -1 when the link is closed.
     */
    int receive(ByteBuffer into) throws IOException;

    InetSocketAddress localAddress() throws IOException;

    /** A UDP socket, read by its peer's own thread or registered with a shared {@link PeerReceiver}. */
    final class Udp implements PeerLink {
        private final DatagramChannel channel;

        /** A socket bound to {@code bind} (any port) asking for {@code receiveBuffer} bytes of SO_RCVBUF. */
        Udp(InetAddress bind, int receiveBuffer) throws IOException {
            channel = DatagramChannel.open();
            try {
                channel.setOption(java.net.StandardSocketOptions.SO_RCVBUF, receiveBuffer);
                channel.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1024 * 1024);
                channel.bind(new InetSocketAddress(bind, 0));
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        public String transport() {
            return "udp";
        }

        /** The socket itself, for a {@link PeerReceiver}'s selector. */
        DatagramChannel channel() {
            return channel;
        }

        @Override
        public boolean send(ByteBuffer packet, InetSocketAddress to) throws IOException {
            return channel.send(packet, to) > 0;
        }

        @Override
        public int receive(ByteBuffer into) throws IOException {
            int start = into.position();
            if (channel.receive(into) == null) {
                return 0;
            }
            return into.position() - start;
        }

        @Override
        public InetSocketAddress localAddress() throws IOException {
            return (InetSocketAddress) channel.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /** One TCP connection to the server's passive candidate, opened by the first send. */
    final class Tcp implements PeerLink {
        private final InetAddress bind;
        private final CountDownLatch opened = new CountDownLatch(1);
        private final ByteBuffer length = ByteBuffer.allocate(2);
        /** The RFC 4571 length written before each packet; guarded by this link's monitor (send). */
        private final ByteBuffer header = ByteBuffer.allocate(2);
        private final ByteBuffer[] frame = {header, null};
        private volatile SocketChannel channel;
        private volatile boolean closed;

        Tcp(InetAddress bind) {
            this.bind = bind;
        }

        @Override
        public String transport() {
            return "tcp";
        }

        @Override
        public synchronized boolean send(ByteBuffer packet, InetSocketAddress to) throws IOException {
            SocketChannel ch = channel;
            if (ch == null) {
                if (closed) {
                    throw new IOException("closed");
                }
                ch = SocketChannel.open();
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                ch.bind(new InetSocketAddress(bind, 0));
                ch.connect(to);
                channel = ch;
                opened.countDown();
            } else if (!to.equals(ch.getRemoteAddress())) {
                throw new IOException("this ICE-TCP link is connected to " + ch.getRemoteAddress() + ", not " + to);
            }
            header.clear().putShort(0, (short) packet.remaining());
            frame[1] = packet;
            try {
                while (header.hasRemaining() || packet.hasRemaining()) {
                    ch.write(frame);
                }
            } finally {
                frame[1] = null;
            }
            return true;
        }

        @Override
        public int receive(ByteBuffer into) throws IOException {
            try {
                opened.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException();
            }
            SocketChannel ch = channel;
            if (ch == null) {
                return -1;
            }
            length.clear();
            if (!readFully(ch, length)) {
                return -1;
            }
            int len = length.getShort(0) & 0xFFFF;
            if (len > into.remaining()) {
                throw new IOException("a frame of " + len + " bytes from the server does not fit a packet buffer");
            }
            ByteBuffer frame = into.slice(into.position(), len);
            if (!readFully(ch, frame)) {
                return -1;
            }
            into.position(into.position() + len);
            return len;
        }

        private static boolean readFully(SocketChannel ch, ByteBuffer b) throws IOException {
            while (b.hasRemaining()) {
                if (ch.read(b) < 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public InetSocketAddress localAddress() throws IOException {
            SocketChannel ch = channel;
            return ch == null ? new InetSocketAddress(bind, 0) : (InetSocketAddress) ch.getLocalAddress();
        }

        @Override
        public void close() throws IOException {
            closed = true;
            opened.countDown();
            SocketChannel ch = channel;
            if (ch != null) {
                ch.close();
            }
        }
    }
}

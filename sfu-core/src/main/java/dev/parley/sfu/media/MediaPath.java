package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * The far end of one candidate pair that passed an ICE check: where a transport's media goes once the pair is
 * selected. A UDP path is a remote address on one of Parley's UDP sockets; a TCP path is one ICE-TCP connection,
 * whose packets are framed with a two-byte length (RFC 4571).
 */
sealed interface MediaPath permits MediaPath.Udp, MediaPath.Tcp {
    /** The remote address (the browser's side of the pair). */
    InetSocketAddress remote();

    /** Loop only: queues a copy of {@code p}; flushed at the end of the read batch. False when it was dropped. */
    boolean write(MediaLoop engine, PacketBuffer p);

    /** Any thread: sends now (DTLS flights from the handshake pool, STUN responses). */
    void sendNow(byte[] buf, int off, int len);

    /** A remote address on a UDP socket. */
    record Udp(MediaOutlet outlet, InetSocketAddress remote) implements MediaPath {
        @Override
        public String toString() {
            return "udp " + remote;
        }

        @Override
        public boolean write(MediaLoop engine, PacketBuffer p) {
            Channel ch = outlet.channel;
            // A reused datagram (no buffer or envelope per copy); a fresh one only when the loop has all its
            // datagrams queued at once, which a socket that stopped draining can cause.
            DatagramPacket d = engine.outgoing().take(p, remote);
            if (d == null) {
                ByteBuf out = ch.alloc().directBuffer(p.length());
                out.writeBytes(p.array(), p.offset(), p.length());
                d = new DatagramPacket(out, remote);
            }
            ch.write(d, ch.voidPromise());
            engine.markDirty(outlet);
            return true;
        }

        @Override
        public void sendNow(byte[] buf, int off, int len) {
            Channel ch = outlet.channel;
            ByteBuf out = ch.alloc().directBuffer(len);
            out.writeBytes(buf, off, len);
            ch.writeAndFlush(new DatagramPacket(out, remote), ch.voidPromise());
        }
    }

    /** One ICE-TCP connection. Identity matters: two connections from one address are two pairs. */
    final class Tcp implements MediaPath {
        final MediaOutlet outlet;
        private final InetSocketAddress remote;

        Tcp(MediaOutlet outlet, InetSocketAddress remote) {
            this.outlet = outlet;
            this.remote = remote;
        }

        @Override
        public InetSocketAddress remote() {
            return remote;
        }

        @Override
        public boolean write(MediaLoop engine, PacketBuffer p) {
            Channel ch = outlet.channel;
            // A slow or stalled TCP peer must not make Parley queue without bound: past the high water mark the
            // packet is dropped, as a full UDP socket buffer would drop it.
            if (!ch.isWritable()) {
                engine.counterSet().dropped(DropReason.SEND_BUFFER_FULL);
                return false;
            }
            ByteBuf out = ch.alloc().directBuffer(p.length() + Rfc4571FrameDecoder.LENGTH_BYTES);
            out.writeShort(p.length());
            out.writeBytes(p.array(), p.offset(), p.length());
            ch.write(out, ch.voidPromise());
            engine.markDirty(outlet);
            return true;
        }

        @Override
        public void sendNow(byte[] buf, int off, int len) {
            Channel ch = outlet.channel;
            ByteBuf out = ch.alloc().directBuffer(len + Rfc4571FrameDecoder.LENGTH_BYTES);
            out.writeShort(len);
            out.writeBytes(buf, off, len);
            ch.writeAndFlush(out, ch.voidPromise());
        }

        boolean isOpen() {
            return outlet.channel.isActive();
        }

        @Override
        public String toString() {
            return "tcp " + remote;
        }
    }
}

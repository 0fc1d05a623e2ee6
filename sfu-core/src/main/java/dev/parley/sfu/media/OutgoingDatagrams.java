package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A media loop's outgoing UDP datagrams, reused: each is a Netty {@link DatagramPacket} with a direct buffer of its
 * own that is filled with one encrypted copy, queued on a socket, and free again once the socket has sent it.
 * Handing a copy to the kernel then costs one copy into direct memory, and no buffer from the allocator and no
 * envelope per copy.
 *
 * <p>A datagram is free again when Netty releases it: a transport releases every message written to it exactly once,
 * after sending it or when the write fails (the channel closed). Netty sends and releases a socket's messages in the
 * order they were queued, so the datagram after the last one taken is the oldest: when it is still queued the set
 * grows, up to {@link #MAX_DATAGRAMS}; past that {@link #take} says none is free and the caller allocates as before.
 * Loop-confined, like everything Netty does with a channel's outbound messages.
 */
final class OutgoingDatagrams {
    /** What a loop starts with: about one read batch's copies for a few subscribers. */
    static final int INITIAL_DATAGRAMS = 64;
    /**
     * The most a loop keeps (6.8 MB of direct memory): a read batch of 16 datagrams to 250 subscribers, flushed at
     * the batch's end. Only a loop that once had that many copies queued at one time grows this far.
     */
    static final int MAX_DATAGRAMS = 4096;
    /** Room for any datagram the media path sends (SRTP's tag included). */
    static final int DATAGRAM_BYTES = PacketBuffer.MAX_DATAGRAM + PacketBuffer.HEADROOM;

    private Reused[] datagrams = new Reused[0];
    private int next;
    private long fallbacks;

    /**
     * A free datagram holding a copy of {@code p} for {@code to}, marked queued (its reference count is 1, the
     * reference the socket releases); null when all {@link #MAX_DATAGRAMS} are queued.
     */
    DatagramPacket take(PacketBuffer p, InetSocketAddress to) {
        if (p.length() > DATAGRAM_BYTES) {
            throw new IllegalArgumentException("datagram of " + p.length() + " bytes, at most " + DATAGRAM_BYTES);
        }
        Reused d = datagrams.length == 0 ? null : datagrams[next];
        if (d == null || d.refs != 0) {
            if (datagrams.length == MAX_DATAGRAMS) {
                fallbacks++;
                return null;
            }
            grow();
            d = datagrams[next];
        }
        next = next + 1 == datagrams.length ? 0 : next + 1;
        ByteBuf content = d.content();
        content.clear();
        content.writeBytes(p.array(), p.offset(), p.length());
        d.to = to;
        d.refs = 1;
        return d;
    }

    /** How many datagrams this loop keeps. */
    int size() {
        return datagrams.length;
    }

    /** How many copies found every datagram queued (and went out in a freshly allocated buffer). */
    long fallbacks() {
        return fallbacks;
    }

    /** Doubles the set; the new datagrams go in at {@link #next}, so they are taken next, before the queued ones. */
    private void grow() {
        int old = datagrams.length;
        int size = old == 0 ? INITIAL_DATAGRAMS : Math.min(old * 2, MAX_DATAGRAMS);
        Reused[] grown = new Reused[size];
        // Keep the queue order: the oldest (at next) moves up past the new ones, which are free.
        int added = size - old;
        System.arraycopy(datagrams, 0, grown, 0, next);
        System.arraycopy(datagrams, next, grown, next + added, old - next);
        // One block of direct memory for the new datagrams, cut into one buffer each; freed when they are unreachable.
        ByteBuffer block = ByteBuffer.allocateDirect(added * DATAGRAM_BYTES);
        for (int i = 0; i < added; i++) {
            grown[next + i] = new Reused(new KnownAddressBuffer(block.slice(i * DATAGRAM_BYTES, DATAGRAM_BYTES)));
        }
        datagrams = grown;
    }

    /**
     * A direct buffer that knows its native address. Without {@code sun.misc.Unsafe} (Netty's default from JDK 24 on)
     * Netty finds a wrapped buffer's address anew each time the socket asks for it, through a {@code MemorySegment}
     * made per call: an allocation per copy sent, which only the JIT's escape analysis sometimes removes. The memory
     * never moves, so it is looked up once.
     */
    private static final class KnownAddressBuffer extends UnpooledDirectByteBuf {
        private final long address;

        KnownAddressBuffer(ByteBuffer memory) {
            super(UnpooledByteBufAllocator.DEFAULT, memory, memory.capacity());
            long a;
            try {
                a = PlatformDependent.directBufferAddress(memory);
            } catch (RuntimeException | LinkageError e) {
                a = 0; // no way to know it here: Netty takes the buffer's NIO view instead, as for any other
            }
            this.address = a;
            clear();
        }

        @Override
        public boolean hasMemoryAddress() {
            return address != 0 || super.hasMemoryAddress();
        }

        @Override
        public long memoryAddress() {
            return address != 0 ? address : super.memoryAddress();
        }
    }

    /**
     * A datagram whose release by the socket makes it free rather than freeing its buffer. Its recipient is set for
     * each copy; Netty's datagram channels read it through {@link #recipient()}.
     */
    private static final class Reused extends DatagramPacket {
        private static final InetSocketAddress NOBODY = new InetSocketAddress(0);
        private InetSocketAddress to = NOBODY;
        /** 1 while queued on a socket, 0 while free. */
        private int refs;

        Reused(ByteBuf content) {
            super(content, NOBODY);
        }

        @Override
        public InetSocketAddress recipient() {
            return to;
        }

        @Override
        public int refCnt() {
            return refs;
        }

        @Override
        public DatagramPacket retain() {
            return retain(1);
        }

        @Override
        public DatagramPacket retain(int increment) {
            if (refs == 0) {
                throw new IllegalReferenceCountException(0, increment);
            }
            refs += increment;
            return this;
        }

        @Override
        public boolean release() {
            return release(1);
        }

        /** The socket is done with it: free for the next copy (its buffer stays with the set, so never "deallocated"). */
        @Override
        public boolean release(int decrement) {
            if (decrement > refs) {
                throw new IllegalReferenceCountException(refs, -decrement);
            }
            refs -= decrement;
            return false;
        }

        // No per-copy touch of the buffer: it is never given out, so there is no leak for the detector to trace.
        @Override
        public DatagramPacket touch() {
            return this;
        }

        @Override
        public DatagramPacket touch(Object hint) {
            return this;
        }

        @Override
        public String toString() {
            return "DatagramPacket(=> " + to + ", " + content().readableBytes() + "B, reused)";
        }
    }
}

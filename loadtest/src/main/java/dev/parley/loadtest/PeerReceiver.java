package dev.parley.loadtest;

import dev.parley.sfu.packet.PacketBuffer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * One thread that reads the UDP sockets of many {@link SyntheticPeer}s: a selector over non-blocking channels,
 * each ready socket drained (up to a batch) before the next, into preallocated buffers, so receiving allocates
 * nothing per packet and a thousand sockets cost one thread. What a load generator needs so that the server,
 * not the client, is what runs out of CPU.
 *
 * <p>Reading and handling are two passes: first every ready socket is read (up to {@value #STAGED} datagrams in
 * all), each datagram stamped with {@link System#nanoTime()} as it is read, then the peers handle them
 * (authenticate, decrypt, count). So a datagram's arrival time does not include the decryption of the datagrams
 * read before it in the same pass, which matters for the latency a fan-out's later copies show.
 *
 * <p>UDP peers only: an ICE-TCP peer ({@link SyntheticPeer#openTcp}) reads its framed stream (RFC 4571) on a
 * thread of its own, and registering one here is refused with an {@link IllegalArgumentException}.
 */
public final class PeerReceiver implements AutoCloseable {
    /** Datagrams read from one socket before the others get their turn. */
    private static final int BATCH = 64;

    private final Selector selector;
    private final Thread thread;
    /** Datagrams read in one pass over the ready sockets before any is handled. */
    private static final int STAGED = 256;

    private final PacketBuffer[] staged = new PacketBuffer[STAGED];
    private final ByteBuffer[] views = new ByteBuffer[STAGED];
    private final long[] readAt = new long[STAGED];
    private final SyntheticPeer[] readFor = new SyntheticPeer[STAGED];
    private int stagedCount;
    private final Consumer<SelectionKey> onReady = this::drain;
    private volatile boolean closed;
    private volatile long datagrams;

    /** Opens the selector and starts the thread, named {@code name}. */
    public PeerReceiver(String name) throws IOException {
        for (int i = 0; i < STAGED; i++) {
            staged[i] = new PacketBuffer();
            views[i] = ByteBuffer.wrap(staged[i].array(), 0, PacketBuffer.MAX_DATAGRAM);
        }
        selector = Selector.open();
        thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** The receiving thread, e.g. to read its CPU time. */
    public Thread thread() {
        return thread;
    }

    /** Datagrams read so far, of every kind (STUN, DTLS, RTP, RTCP). */
    public long datagrams() {
        return datagrams;
    }

    /** Makes {@code link}'s socket non-blocking and reads it from now on; UDP links only. */
    void register(PeerLink link, SyntheticPeer peer) throws IOException {
        if (!(link instanceof PeerLink.Udp udp)) {
            throw new IllegalArgumentException("a shared PeerReceiver reads UDP peers only, not an ICE-"
                    + link.transport().toUpperCase(java.util.Locale.ROOT) + " peer (it reads on a thread of its own)");
        }
        DatagramChannel channel = udp.channel();
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, peer);
        selector.wakeup();
    }

    private void loop() {
        while (!closed) {
            try {
                selector.select(onReady, 500);
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
            handleStaged();
        }
    }

    /** The second pass: the peers handle what the first read, in the order it was read. */
    private void handleStaged() {
        int n = stagedCount;
        for (int i = 0; i < n; i++) {
            SyntheticPeer peer = readFor[i];
            readFor[i] = null;
            peer.onDatagram(staged[i], readAt[i]);
        }
        stagedCount = 0;
        datagrams += n; // only this thread writes it
    }

    /**
     * The first pass, per ready socket: reads up to a batch into the staging buffers (a socket left with data
     * when they are full stays ready and is read on the next pass).
     */
    private void drain(SelectionKey key) {
        DatagramChannel channel = (DatagramChannel) key.channel();
        SyntheticPeer peer = (SyntheticPeer) key.attachment();
        try {
            for (int i = 0; i < BATCH && stagedCount < STAGED; i++) {
                int slot = stagedCount;
                ByteBuffer view = views[slot];
                view.clear().limit(PacketBuffer.MAX_DATAGRAM);
                if (channel.receive(view) == null) {
                    break;
                }
                long at = System.nanoTime();
                int len = view.position();
                if (len == 0) {
                    continue;
                }
                staged[slot].setWindow(0, len);
                readAt[slot] = at;
                readFor[slot] = peer;
                stagedCount = slot + 1;
            }
        } catch (ClosedChannelException e) {
            key.cancel();
        } catch (IOException e) {
            // e.g. ICMP port unreachable surfaced as an error: the next read goes on
        }
    }

    /** Stops the thread; the channels stay open (their peers close them). */
    @Override
    public void close() throws IOException {
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        selector.close();
    }
}

package dev.parley.sfu.media;

import dev.parley.sfu.dtls.DtlsCertificate;
import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.dtls.HandshakeLimits;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.srtp.SrtpSession;
import dev.parley.sfu.stun.StunBindingResponder;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TrackTapListener;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media path: one UDP socket for every participant, owned by one Netty event loop.
 *
 * <p>Everything per packet runs on that loop and touches loop-confined state only: the address table,
 * each transport's SRTP contexts, each stream's forwarding list. Control threads change that state by
 * posting tasks to the loop ({@link #onLoop}); DTLS handshakes, which block, run on their own bounded pool,
 * admitted by {@link HandshakeAdmission} so that no source or room can take all of it.
 */
public final class MediaEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaEngine.class);

    private final EventLoopGroup group;
    private final Channel channel;
    private final EventLoop loop;
    private final int port;
    private final List<InetSocketAddress> candidates;
    private final long consentTimeoutNanos;
    private final DtlsCertificate certificate;
    private final HandshakeAdmission handshakes;
    private final MediaCounters counters = new MediaCounters();

    /** Transports by local ICE ufrag: written by control threads, read on the loop for STUN. */
    private final Map<String, PeerTransport> byUfrag = new ConcurrentHashMap<>();
    /** Transports by the remote addresses that passed ICE checks. Loop-confined. */
    private final Map<InetSocketAddress, PeerTransport> byAddress = new HashMap<>();
    /** Every live transport, for the periodic tasks. Loop-confined. */
    private final List<PeerTransport> transports = new ArrayList<>();

    private MediaEngine(EventLoopGroup group, Channel channel, List<InetAddress> announced, Duration consentTimeout,
                        HandshakeLimits handshakeLimits) throws Exception {
        this.group = group;
        this.channel = channel;
        this.loop = channel.eventLoop();
        this.port = ((InetSocketAddress) channel.localAddress()).getPort();
        List<InetSocketAddress> c = new ArrayList<>();
        for (InetAddress a : announced) {
            c.add(new InetSocketAddress(a, port));
        }
        this.candidates = List.copyOf(c);
        this.consentTimeoutNanos = consentTimeout.toNanos();
        this.certificate = DtlsCertificate.generate();
        this.handshakes = new HandshakeAdmission(handshakeLimits);
        // jitsi-srtp benchmarks its cipher providers on first use (seconds): do it now, not on the first call.
        Thread.ofPlatform().daemon().name("parley-srtp-warmup").start(SrtpSession::cryptoBackend);
    }

    /**
     * Binds the media port and starts the media event loop; DTLS handshakes are admitted within
     * {@code handshakeLimits}. The socket asks for {@code socketBufferBytes} of receive and send buffer.
     */
    public static MediaEngine start(InetAddress bind, int port, List<InetAddress> announced, Duration consentTimeout,
                                    HandshakeLimits handshakeLimits, int socketBufferBytes) throws Exception {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // Netty's own thread factory makes FastThreadLocalThreads, on which its buffer and object pools recycle.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("parley-media", true), io);
        MediaEngine[] self = new MediaEngine[1];
        Bootstrap b = new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, socketBufferBytes)
                .option(ChannelOption.SO_SNDBUF, socketBufferBytes)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                // The pooled allocator recycles its buffer objects: no garbage per datagram sent.
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new MediaChannelHandler(() -> self[0]));
        Channel ch;
        try {
            ch = b.bind(bind, port).sync().channel();
        } catch (Exception e) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IllegalStateException("cannot bind the media port udp/" + port + " on " + bind.getHostAddress()
                    + ": " + e.getMessage() + " (is another server using it? choose one with --media-port)", e);
        }
        warnIfBufferCapped(ch, socketBufferBytes, System.getProperty("os.name", "").startsWith("Linux"));
        MediaEngine engine = new MediaEngine(group, ch, announced, consentTimeout, handshakeLimits);
        self[0] = engine;
        engine.loop.scheduleAtFixedRate(engine::everySecond, 1, 1, TimeUnit.SECONDS);
        log.info("Media on udp/{} ({}), announcing {}", engine.port, epoll ? "epoll" : "nio", engine.candidates);
        return engine;
    }

    // Linux silently caps a socket buffer at net.core.rmem_max / wmem_max, and doubles what it grants to cover its
    // per-packet bookkeeping (getsockopt reports the doubled value). Say so once at start when it capped the ask:
    // the cap is the usual cause of loss in bursts.
    private static void warnIfBufferCapped(Channel ch, int requested, boolean linux) {
        int rcv = ch.config().getOption(ChannelOption.SO_RCVBUF);
        int snd = ch.config().getOption(ChannelOption.SO_SNDBUF);
        long expected = linux ? 2L * requested : requested;
        if (rcv < expected || snd < expected) {
            log.warn("The media socket asked for {} bytes of receive and send buffer and got {} and {}{}: raise "
                    + "net.core.rmem_max and net.core.wmem_max (sysctl) to at least {} (see docs/tuning.md)",
                    requested, rcv, snd, linux ? " (as Linux reports them, doubled)" : "", requested);
        } else {
            log.info("Media socket buffers: receive {} bytes, send {} bytes (as the kernel reports them)", rcv, snd);
        }
    }

    public int port() {
        return port;
    }

    public MediaCounters counters() {
        return counters;
    }

    /** DTLS handshake admission: its caps, and how many handshakes are pending and how they ended. */
    public HandshakeAdmission handshakes() {
        return handshakes;
    }

    /**
     * A new transport with fresh ICE credentials, reachable by STUN as soon as this returns.
     *
     * @param room the room it belongs to, whose cap on pending DTLS handshakes applies to it
     */
    public PeerTransport createTransport(String room, String label, TransportListener listener) {
        PeerTransport t = new PeerTransport(this, room, label, listener);
        byUfrag.put(t.ufrag(), t);
        onLoop(() -> transports.add(t));
        return t;
    }

    /**
     * Opens a track tap and starts its thread; the caller attaches it to streams. {@code onClose} runs on the
     * thread that closes the tap, once.
     */
    public MediaTap openTap(String room, TrackTapListener listener, TapOptions options, Runnable onClose) {
        MediaTap tap = new MediaTap(this, room, listener, options, onClose);
        tap.start();
        return tap;
    }

    // --- used by the transport and stream classes ---

    DtlsCertificate certificate() {
        return certificate;
    }

    List<InetSocketAddress> candidates() {
        return candidates;
    }

    MediaCounters counterSet() {
        return counters;
    }

    void onLoop(Runnable task) {
        if (loop.inEventLoop()) {
            task.run();
        } else {
            loop.execute(task);
        }
    }

    boolean inLoop() {
        return loop.inEventLoop();
    }

    PeerTransport transportForUfrag(String ufrag) {
        return byUfrag.get(ufrag);
    }

    PeerTransport transportAt(InetSocketAddress address) {
        return byAddress.get(address);
    }

    /** Addresses one transport may have bound at once (a browser checks a few candidate pairs). */
    static final int MAX_ADDRESSES_PER_TRANSPORT = 8;

    /**
     * Loop only: remember that {@code address} passed an ICE check for {@code t}. A client knows its own ICE
     * password, so it could bind address after address; beyond a few, the oldest is forgotten.
     */
    void bind(InetSocketAddress address, PeerTransport t) {
        PeerTransport previous = byAddress.put(address, t);
        if (previous != t) {
            if (previous != null) {
                previous.forgetAddress(address);
            }
            if (t.addresses().size() >= MAX_ADDRESSES_PER_TRANSPORT) {
                InetSocketAddress oldest = t.addresses().getFirst();
                t.forgetAddress(oldest);
                byAddress.remove(oldest, t);
            }
            t.rememberAddress(address);
        }
    }

    /** Loop only. */
    void unregister(PeerTransport t) {
        byUfrag.remove(t.ufrag(), t);
        for (InetSocketAddress a : t.addresses()) {
            byAddress.remove(a, t);
        }
        transports.remove(t);
    }

    /** Loop only: queues a copy of the packet for sending; flushed at the end of the read batch or by the caller. */
    void write(PacketBuffer p, InetSocketAddress to) {
        ByteBuf out = channel.alloc().directBuffer(p.length());
        out.writeBytes(p.array(), p.offset(), p.length());
        channel.write(new DatagramPacket(out, to), channel.voidPromise());
    }

    void flush() {
        channel.flush();
    }

    /** Any thread: sends a datagram now (DTLS flights from the handshake pool). */
    void sendNow(byte[] buf, int off, int len, InetSocketAddress to) {
        ByteBuf out = channel.alloc().directBuffer(len);
        out.writeBytes(buf, off, len);
        channel.writeAndFlush(new DatagramPacket(out, to), channel.voidPromise());
    }

    StunBindingResponder newStunResponder() {
        return new StunBindingResponder(ufrag -> {
            PeerTransport t = byUfrag.get(ufrag);
            return t == null ? null : t.pwd();
        });
    }

    private void everySecond() {
        long now = System.nanoTime();
        for (PeerTransport t : List.copyOf(transports)) {
            t.everySecond(now, consentTimeoutNanos);
        }
        flush();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        handshakes.close();
    }
}

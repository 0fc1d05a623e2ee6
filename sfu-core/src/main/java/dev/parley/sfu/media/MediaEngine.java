package dev.parley.sfu.media;

import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.MediaPortRange;
import dev.parley.sfu.MediaPortsExhaustedException;
import dev.parley.sfu.dtls.DtlsCertificate;
import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.dtls.HandshakeLimits;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.srtp.SrtpSession;
import dev.parley.sfu.stun.StunBindingResponder;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TrackTapListener;
import io.netty.bootstrap.Bootstrap;
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
 * The media path: one UDP socket for every participant (or one per transport from a port range) and an
 * optional ICE-TCP port, all owned by one Netty event loop.
 *
 * <p>Everything per packet runs on that loop and touches loop-confined state only: the address table,
 * each transport's SRTP contexts, each stream's forwarding list. Control threads change that state by
 * posting tasks to the loop ({@link #onLoop}); DTLS handshakes, which block, run on their own bounded pool,
 * admitted by {@link HandshakeAdmission} so that no source or room can take all of it.
 */
public final class MediaEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaEngine.class);

    private final EventLoopGroup group;
    private final boolean epoll;
    /** The shared UDP port's channel; null when every transport has a port of its own (a port range). */
    private final Channel channel;
    private final MediaOutlet sharedOutlet;
    private final EventLoop loop;
    private final int port;
    private final InetAddress bindAddress;
    private final List<InetAddress> announced;
    private final List<InetSocketAddress> candidates;
    /** ICE-TCP passive candidates; set once at start, before any transport exists. */
    private volatile List<InetSocketAddress> tcpCandidates = List.of();
    private final long consentTimeoutNanos;
    private final DtlsCertificate certificate;
    private final HandshakeAdmission handshakes;
    private final MediaCounters counters = new MediaCounters();
    private final UdpPortPool portPool;
    private final int socketBufferBytes;
    private volatile IceTcpListener iceTcp;

    /** Transports by local ICE ufrag: written by control threads, read on the loop for STUN. */
    private final Map<String, PeerTransport> byUfrag = new ConcurrentHashMap<>();
    /** Transports by the remote addresses that passed ICE checks on the shared port. Loop-confined. */
    private final Map<InetSocketAddress, PeerTransport> byAddress = new HashMap<>();
    /** Every live transport, for the periodic tasks. Loop-confined. */
    private final List<PeerTransport> transports = new ArrayList<>();
    /** Sockets written to since the last flush. Loop-confined; its array only grows, so adding allocates nothing. */
    private final ArrayList<MediaOutlet> dirty = new ArrayList<>(64);

    private MediaEngine(EventLoopGroup group, boolean epoll, EventLoop loop, Channel channel, InetAddress bindAddress,
                        List<InetAddress> announced, Duration consentTimeout, HandshakeLimits handshakeLimits,
                        MediaPortRange range, int socketBufferBytes) throws Exception {
        this.group = group;
        this.socketBufferBytes = socketBufferBytes;
        this.epoll = epoll;
        this.channel = channel;
        this.sharedOutlet = channel == null ? null : new MediaOutlet(channel);
        this.loop = loop;
        this.bindAddress = bindAddress;
        this.announced = List.copyOf(announced);
        this.port = channel == null ? -1 : ((InetSocketAddress) channel.localAddress()).getPort();
        this.candidates = channel == null ? List.of() : addressesAt(announced, port);
        this.portPool = range == null ? null : new UdpPortPool(range);
        this.consentTimeoutNanos = consentTimeout.toNanos();
        this.certificate = DtlsCertificate.generate();
        this.handshakes = new HandshakeAdmission(handshakeLimits);
        // jitsi-srtp benchmarks its cipher providers on first use (seconds): do it now, not on the first call.
        Thread.ofPlatform().daemon().name("parley-srtp-warmup").start(SrtpSession::cryptoBackend);
    }

    private static List<InetSocketAddress> addressesAt(List<InetAddress> announced, int port) {
        List<InetSocketAddress> c = new ArrayList<>();
        for (InetAddress a : announced) {
            c.add(new InetSocketAddress(a, port));
        }
        return List.copyOf(c);
    }

    /** Binds the media port and starts the media event loop; DTLS handshakes are admitted within {@code handshakeLimits}. */
    public static MediaEngine start(InetAddress bind, int port, List<InetAddress> announced, Duration consentTimeout,
                                    HandshakeLimits handshakeLimits) throws Exception {
        return start(bind, port, null, IceTcpConfig.OFF, announced, consentTimeout, handshakeLimits,
                SfuConfig.DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /**
     * Binds the media sockets and starts the media event loop: one UDP port for everyone ({@code port}), or,
     * with a {@code range}, a UDP port per transport taken from it; and with {@code iceTcp} enabled, the ICE-TCP
     * port. DTLS handshakes are admitted within {@code handshakeLimits}. Each UDP socket asks for
     * {@code socketBufferBytes} of receive and send buffer.
     */
    public static MediaEngine start(InetAddress bind, int port, MediaPortRange range, IceTcpConfig iceTcp,
                                    List<InetAddress> announced, Duration consentTimeout,
                                    HandshakeLimits handshakeLimits, int socketBufferBytes) throws Exception {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        // Netty's own thread factory makes FastThreadLocalThreads, on which its buffer and object pools recycle.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("parley-media", true), io);
        MediaEngine[] self = new MediaEngine[1];
        Channel ch = null;
        if (range == null) {
            try {
                ch = udpBootstrap(group, epoll, socketBufferBytes, new MediaChannelHandler(() -> self[0]))
                        .bind(bind, port).sync().channel();
            } catch (Exception e) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw new IllegalStateException("cannot bind the media port udp/" + port + " on " + bind.getHostAddress()
                        + ": " + e.getMessage() + " (is another server using it? choose one with --media-port)", e);
            }
            warnIfBufferCapped(ch, socketBufferBytes, System.getProperty("os.name", "").startsWith("Linux"));
        }
        MediaEngine engine;
        try {
            engine = new MediaEngine(group, epoll, group.next(), ch, bind, announced, consentTimeout, handshakeLimits,
                    range, socketBufferBytes);
            if (iceTcp.enabled()) {
                IceTcpListener tcp = IceTcpListener.start(engine, group, epoll, bind, iceTcp);
                // Candidates name the real port (the config may have asked for any free one).
                engine.iceTcp = tcp;
                engine.tcpCandidates = addressesAt(announced, tcp.port());
            }
        } catch (RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        self[0] = engine;
        engine.loop.scheduleAtFixedRate(engine::everySecond, 1, 1, TimeUnit.SECONDS);
        log.info("Media on udp/{}{} ({}), announcing {}", range == null ? engine.port : range,
                engine.iceTcp == null ? "" : " and ICE-TCP tcp/" + engine.iceTcp.port(), epoll ? "epoll" : "nio",
                announced);
        return engine;
    }

    private static Bootstrap udpBootstrap(EventLoopGroup group, boolean epoll, int socketBufferBytes,
                                          MediaChannelHandler handler) {
        return new Bootstrap()
                .group(group)
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.SO_RCVBUF, socketBufferBytes)
                .option(ChannelOption.SO_SNDBUF, socketBufferBytes)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                // The pooled allocator recycles its buffer objects: no garbage per datagram sent.
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(handler);
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

    /** The shared UDP media port, or -1 when transports take ports from a range. */
    public int port() {
        return port;
    }

    /** The UDP port range transports take their ports from, or null with one shared port. */
    public MediaPortRange portRange() {
        return portPool == null ? null : portPool.range();
    }

    /** Ports of the range in use now (0 with one shared port). */
    public int portsInUse() {
        return portPool == null ? 0 : portPool.inUse();
    }

    /** The ICE-TCP port, or -1 when ICE-TCP is off. */
    public int tcpPort() {
        IceTcpListener t = iceTcp;
        return t == null ? -1 : t.port();
    }

    /** ICE-TCP connections by outcome, since start (0 when ICE-TCP is off). */
    public long iceTcpConnections(IceTcpOutcome outcome) {
        IceTcpListener t = iceTcp;
        return t == null ? 0 : t.total(outcome);
    }

    /** ICE-TCP connections open now. */
    public int iceTcpOpen() {
        IceTcpListener t = iceTcp;
        return t == null ? 0 : t.open();
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
        PeerTransport t;
        if (portPool == null) {
            t = new PeerTransport(this, room, label, listener, null, candidates);
        } else {
            MediaChannelHandler handler = new MediaChannelHandler(this);
            Channel own = bindFromRange(handler);
            int ownPort = ((InetSocketAddress) own.localAddress()).getPort();
            t = new PeerTransport(this, room, label, listener, new MediaOutlet(own), addressesAt(announced, ownPort));
            handler.own(t);
            // The port goes back to the pool once its socket is really closed, so the next bind cannot fail on it.
            own.closeFuture().addListener(f -> portPool.release(ownPort));
        }
        byUfrag.put(t.ufrag(), t);
        onLoop(() -> transports.add(t));
        return t;
    }

    /**
     * A UDP socket on a free port of the range. A port some other program holds is skipped. Control threads
     * only: binding waits for the loop.
     */
    private Channel bindFromRange(MediaChannelHandler handler) {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("media ports are bound off the media loop");
        }
        for (int attempt = 0; attempt < portPool.range().size(); attempt++) {
            int p = portPool.take();
            if (p < 0) {
                break;
            }
            try {
                return udpBootstrap(group, epoll, socketBufferBytes, handler).bind(bindAddress, p).sync().channel();
            } catch (Exception e) {
                portPool.release(p);
                portPool.skip(p);
                log.warn("media port udp/{} is in use by another program; skipping it", p);
            }
        }
        throw new MediaPortsExhaustedException("every UDP port of the media port range " + portPool.range()
                + " is in use; raise the range (--media-ports) or wait for participants to leave");
    }

    /** Whether a new participant's two transports can get ports now (always true with one shared port). */
    public boolean hasPortsFor(int transports) {
        return portPool == null || portPool.free() >= transports;
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

    List<InetSocketAddress> tcpCandidates() {
        return tcpCandidates;
    }

    MediaOutlet sharedOutlet() {
        return sharedOutlet;
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

    /** Loop only: {@code outlet} has writes to flush at the end of this batch. */
    void markDirty(MediaOutlet outlet) {
        if (!outlet.dirty) {
            outlet.dirty = true;
            dirty.add(outlet);
        }
    }

    /** Loop only: flushes every socket written to since the last flush. */
    void flush() {
        for (int i = 0; i < dirty.size(); i++) {
            MediaOutlet o = dirty.get(i);
            o.dirty = false;
            o.channel.flush();
        }
        dirty.clear();
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
        IceTcpListener tcp = iceTcp;
        if (tcp != null) {
            tcp.close();
        }
        if (channel != null) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        handshakes.close();
    }

    /** Control thread: {@code t} took new ICE credentials; checks under {@code oldUfrag} find nothing from now on. */
    void rekey(PeerTransport t, String oldUfrag) {
        byUfrag.put(t.ufrag(), t);
        byUfrag.remove(oldUfrag, t);
    }

    /** Loop only: after an ICE restart, {@code t} keeps only {@code keep} (null: none) of its checked UDP addresses. */
    void forgetAddressesExcept(PeerTransport t, InetSocketAddress keep) {
        for (InetSocketAddress a : List.copyOf(t.addresses())) {
            if (!a.equals(keep)) {
                t.forgetAddress(a);
                byAddress.remove(a, t);
            }
        }
    }
}

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
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media path: one UDP port for every participant (or one per transport from a port range) and an
 * optional ICE-TCP port, served by several Netty event loops ({@link MediaLoop}s, one thread each).
 *
 * <p>Each room is placed on one loop ({@link RoomPlacement}); everything per packet of its transports runs on
 * that loop and touches state confined to it: each transport's SRTP contexts, each stream's forwarding list.
 * Control threads change that state by posting tasks to the loop; DTLS handshakes, which block, run on their own
 * bounded pool, admitted by {@link HandshakeAdmission} so that no source or room can take all of it. On the
 * shared port every loop has a socket bound to it ({@code SO_REUSEPORT}, epoll only) and hands datagrams for
 * another loop's transports over to it (see docs/architecture.md, "Media threads").
 */
public final class MediaEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MediaEngine.class);

    private final EventLoopGroup group;
    private final boolean epoll;
    /** The shared UDP port's sockets, one per loop; empty when every transport has a port of its own (a port range). */
    private final List<Channel> channels;
    private final MediaLoop[] loops;
    private final RoomPlacement placement;
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
    /**
     * Transports by the remote addresses that passed ICE checks on the shared port: written on the owning
     * transport's loop, read by whichever loop's socket a datagram arrived on (lock-free reads).
     */
    private final Map<InetSocketAddress, PeerTransport> byAddress = new ConcurrentHashMap<>();

    private MediaEngine(EventLoopGroup group, boolean epoll, List<EventLoop> eventLoops, List<Channel> channels,
                        List<MediaChannelHandler> handlers, InetAddress bindAddress,
                        List<InetAddress> announced, Duration consentTimeout, HandshakeLimits handshakeLimits,
                        MediaPortRange range, int socketBufferBytes) throws Exception {
        this.group = group;
        this.socketBufferBytes = socketBufferBytes;
        this.epoll = epoll;
        this.channels = List.copyOf(channels);
        this.loops = new MediaLoop[eventLoops.size()];
        for (int i = 0; i < loops.length; i++) {
            loops[i] = new MediaLoop(i, eventLoops.get(i), this, counters);
            if (!channels.isEmpty()) {
                loops[i].useSharedPort(new MediaOutlet(channels.get(i)), handlers.get(i));
            }
        }
        this.placement = new RoomPlacement(loops);
        this.bindAddress = bindAddress;
        this.announced = List.copyOf(announced);
        this.port = channels.isEmpty() ? -1 : ((InetSocketAddress) channels.getFirst().localAddress()).getPort();
        this.candidates = channels.isEmpty() ? List.of() : addressesAt(announced, port);
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

    /** Binds the media port and starts the media event loops; DTLS handshakes are admitted within {@code handshakeLimits}. */
    public static MediaEngine start(InetAddress bind, int port, List<InetAddress> announced, Duration consentTimeout,
                                    HandshakeLimits handshakeLimits) throws Exception {
        return start(bind, port, null, IceTcpConfig.OFF, announced, consentTimeout, handshakeLimits,
                SfuConfig.DEFAULT_SOCKET_BUFFER_BYTES);
    }

    /** As {@link #start(InetAddress, int, MediaPortRange, IceTcpConfig, List, Duration, HandshakeLimits, int, int)} with {@link SfuConfig#DEFAULT_MEDIA_THREADS} loops. */
    public static MediaEngine start(InetAddress bind, int port, MediaPortRange range, IceTcpConfig iceTcp,
                                    List<InetAddress> announced, Duration consentTimeout,
                                    HandshakeLimits handshakeLimits, int socketBufferBytes) throws Exception {
        return start(bind, port, range, iceTcp, announced, consentTimeout, handshakeLimits, socketBufferBytes,
                SfuConfig.DEFAULT_MEDIA_THREADS);
    }

    /**
     * Binds the media sockets and starts the media event loops: one UDP port for everyone ({@code port}), or,
     * with a {@code range}, a UDP port per transport taken from it; and with {@code iceTcp} enabled, the ICE-TCP
     * port. DTLS handshakes are admitted within {@code handshakeLimits}. Each UDP socket asks for
     * {@code socketBufferBytes} of receive and send buffer. Media runs on {@code mediaThreads} event loops
     * (one with a shared port and no epoll: see docs/architecture.md).
     */
    public static MediaEngine start(InetAddress bind, int port, MediaPortRange range, IceTcpConfig iceTcp,
                                    List<InetAddress> announced, Duration consentTimeout,
                                    HandshakeLimits handshakeLimits, int socketBufferBytes, int mediaThreads)
            throws Exception {
        if (mediaThreads < 1 || mediaThreads > SfuConfig.MAX_MEDIA_THREADS) {
            throw new IllegalArgumentException("media threads must be 1.." + SfuConfig.MAX_MEDIA_THREADS + ", was "
                    + mediaThreads);
        }
        boolean epoll = Epoll.isAvailable();
        int threads = mediaThreads;
        if (range == null && !epoll && threads > 1) {
            // Without epoll there is no SO_REUSEPORT: one socket, so one loop can read the shared port.
            log.warn("{} media threads asked for, but the shared media port needs epoll (Linux) to be read by more "
                    + "than one: using one media thread (a port range, --media-ports, uses them all)", threads);
            threads = 1;
        }
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, mediaThreadFactory(), io);
        List<EventLoop> eventLoops = new ArrayList<>();
        for (EventExecutor e : group) {
            eventLoops.add((EventLoop) e);
        }
        MediaEngine[] self = new MediaEngine[1];
        List<Channel> channels = new ArrayList<>();
        List<MediaChannelHandler> handlers = new ArrayList<>();
        if (range == null) {
            try {
                if (threads > 1 && port != 0) {
                    // SO_REUSEPORT would let us share a port another server of this user holds: make sure nobody has it.
                    new DatagramSocket(new InetSocketAddress(bind, port)).close();
                }
                int boundPort = port;
                for (int i = 0; i < threads; i++) {
                    MediaChannelHandler handler = new MediaChannelHandler(() -> self[0], i);
                    Bootstrap b = udpBootstrap(eventLoops.get(i), epoll, socketBufferBytes, handler);
                    if (threads > 1) {
                        b.option(EpollChannelOption.SO_REUSEPORT, true);
                    }
                    Channel ch = b.bind(bind, boundPort).sync().channel();
                    channels.add(ch);
                    handlers.add(handler);
                    boundPort = ((InetSocketAddress) ch.localAddress()).getPort();
                }
            } catch (Exception e) {
                channels.forEach(Channel::close);
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                throw new IllegalStateException("cannot bind the media port udp/" + port + " on " + bind.getHostAddress()
                        + ": " + e.getMessage() + " (is another server using it? choose one with --media-port)", e);
            }
            warnIfBufferCapped(channels.getFirst(), socketBufferBytes,
                    System.getProperty("os.name", "").startsWith("Linux"));
        }
        MediaEngine engine;
        try {
            engine = new MediaEngine(group, epoll, eventLoops, channels, handlers, bind, announced, consentTimeout,
                    handshakeLimits, range, socketBufferBytes);
            if (iceTcp.enabled()) {
                // ICE-TCP is the fallback for networks that block UDP: its listener and connections stay on the first
                // loop, which hands each connection's frames to the loop of its transport's room.
                IceTcpListener tcp = IceTcpListener.start(engine, eventLoops.getFirst(), epoll, bind, iceTcp);
                // Candidates name the real port (the config may have asked for any free one).
                engine.iceTcp = tcp;
                engine.tcpCandidates = addressesAt(announced, tcp.port());
            }
        } catch (RuntimeException e) {
            channels.forEach(Channel::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
        self[0] = engine;
        for (MediaLoop l : engine.loops) {
            l.eventLoop.scheduleAtFixedRate(() -> l.everySecond(engine.consentTimeoutNanos), 1, 1, TimeUnit.SECONDS);
            l.eventLoop.scheduleAtFixedRate(l::sendNacks, MediaLoop.NACK_INTERVAL_MILLIS, MediaLoop.NACK_INTERVAL_MILLIS,
                    TimeUnit.MILLISECONDS);
            l.eventLoop.scheduleAtFixedRate(l::everyFeedbackInterval, MediaLoop.FEEDBACK_INTERVAL_MILLIS,
                    MediaLoop.FEEDBACK_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        }
        log.info("Media on udp/{}{} ({}, {} media thread{}), announcing {}", range == null ? engine.port : range,
                engine.iceTcp == null ? "" : " and ICE-TCP tcp/" + engine.iceTcp.port(), epoll ? "epoll" : "nio",
                threads, threads == 1 ? "" : "s", announced);
        return engine;
    }

    /** Threads {@code parley-media-<n>}: Netty's FastThreadLocalThreads, on which its buffer and object pools recycle. */
    private static ThreadFactory mediaThreadFactory() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new FastThreadLocalThread(r, "parley-media-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        };
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
        MediaLoop home = placement.acquire(room);
        PeerTransport t;
        try {
            if (portPool == null) {
                t = new PeerTransport(home, room, label, listener, null, candidates);
            } else {
                MediaChannelHandler handler = new MediaChannelHandler(home);
                Channel own = bindFromRange(home, handler);
                int ownPort = ((InetSocketAddress) own.localAddress()).getPort();
                t = new PeerTransport(home, room, label, listener, new MediaOutlet(own), addressesAt(announced, ownPort));
                handler.own(t);
                // The port goes back to the pool once its socket is really closed, so the next bind cannot fail on it.
                own.closeFuture().addListener(f -> portPool.release(ownPort));
            }
        } catch (RuntimeException e) {
            placement.release(room);
            throw e;
        }
        byUfrag.put(t.ufrag(), t);
        home.onLoop(() -> home.register(t));
        return t;
    }

    /**
     * A UDP socket on a free port of the range. A port some other program holds is skipped. Control threads
     * only: binding waits for the loop.
     */
    private Channel bindFromRange(MediaLoop home, MediaChannelHandler handler) {
        for (MediaLoop l : loops) {
            if (l.inLoop()) {
                throw new IllegalStateException("media ports are bound off the media loops");
            }
        }
        for (int attempt = 0; attempt < portPool.range().size(); attempt++) {
            int p = portPool.take();
            if (p < 0) {
                break;
            }
            try {
                return udpBootstrap(home.eventLoop, epoll, socketBufferBytes, handler).bind(bindAddress, p).sync().channel();
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
        MediaLoop home = placement.acquire(room);
        MediaTap tap;
        try {
            tap = new MediaTap(home, room, listener, options, () -> {
                try {
                    onClose.run();
                } finally {
                    placement.release(room);
                }
            });
        } catch (RuntimeException e) {
            placement.release(room);
            throw e;
        }
        tap.start();
        return tap;
    }

    /** How many media event loops (threads) there are. */
    public int mediaThreads() {
        return loops.length;
    }

    /** The media loop the room runs on now ({@code 0..mediaThreads()-1}), or -1 when it has no media open. */
    public int loopOf(String room) {
        return placement.loopOf(room);
    }

    /**
     * Places {@code room} on media loop {@code index} before it has transports or taps, instead of on the least
     * loaded one; for tests and benchmarks that need rooms on chosen loops.
     *
     * @throws IllegalStateException when the room already has media open on another loop
     */
    public void placeRoom(String room, int index) {
        placement.place(room, index);
    }

    // --- used by the transport and stream classes ---

    DtlsCertificate certificate() {
        return certificate;
    }

    List<InetSocketAddress> tcpCandidates() {
        return tcpCandidates;
    }

    MediaLoop loop(int index) {
        return loops[index];
    }

    /** A transport's last user is gone: the room's place on its loop is released with it. */
    void releaseRoom(String room) {
        placement.release(room);
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
     * {@code t}'s loop only: remember that {@code address} passed an ICE check for {@code t}. A client knows its
     * own ICE password, so it could bind address after address; beyond a few, the oldest is forgotten.
     */
    void bind(InetSocketAddress address, PeerTransport t) {
        PeerTransport previous = byAddress.put(address, t);
        if (previous != t) {
            if (previous != null) {
                // The address moved to another transport (a NAT reused it): the old one's list lives on its loop.
                previous.loop().onLoop(() -> previous.forgetAddress(address));
            }
            if (t.addresses().size() >= MAX_ADDRESSES_PER_TRANSPORT) {
                InetSocketAddress oldest = t.addresses().getFirst();
                t.forgetAddress(oldest);
                byAddress.remove(oldest, t);
            }
            t.rememberAddress(address);
        }
    }

    /** {@code t}'s loop only: it can no longer be found by ufrag or address. */
    void forget(PeerTransport t) {
        byUfrag.remove(t.ufrag(), t);
        for (InetSocketAddress a : t.addresses()) {
            byAddress.remove(a, t);
        }
    }

    StunBindingResponder newStunResponder() {
        return new StunBindingResponder(ufrag -> {
            PeerTransport t = byUfrag.get(ufrag);
            return t == null ? null : t.pwd();
        });
    }

    /** Default cap on what a publisher is told (REMB) it may send per video stream: 2.5 Mbit/s. */
    public static final long DEFAULT_MAX_PUBLISH_BITRATE = 2_500_000;
    private volatile long maxPublishBitrate = DEFAULT_MAX_PUBLISH_BITRATE;

    /** Caps what each publisher is allowed per video stream, in bits per second. */
    public void setMaxPublishBitrate(long bps) {
        if (bps <= 0) {
            throw new IllegalArgumentException("max publish bitrate must be positive, got " + bps);
        }
        maxPublishBitrate = bps;
    }

    long maxPublishBitrate() {
        return maxPublishBitrate;
    }

    @Override
    public void close() {
        IceTcpListener tcp = iceTcp;
        if (tcp != null) {
            tcp.close();
        }
        for (Channel channel : channels) {
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

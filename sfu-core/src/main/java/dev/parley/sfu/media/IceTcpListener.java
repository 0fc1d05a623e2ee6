package dev.parley.sfu.media;

import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.packet.PacketBuffer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The ICE-TCP port: accepts connections on the media event loop (the same one as UDP, so that transports stay
 * loop-confined), bounds them per client address and in all, and builds each connection's pipeline.
 */
final class IceTcpListener {
    /** Past this many bytes queued for one connection its media is dropped (see {@link MediaPath.Tcp#write}). */
    static final int HIGH_WATER_MARK = 512 * 1024;
    static final int LOW_WATER_MARK = 256 * 1024;

    private final MediaEngine engine;
    private final IceTcpConfig config;
    private final Channel server;
    private final int port;
    private final LongAdder[] outcomes = new LongAdder[IceTcpOutcome.values().length];
    /** Loop-confined: connections open per client address, and in all. */
    private final Map<InetAddress, int[]> perAddress = new HashMap<>();
    private volatile int open;
    /** Loop-confined scratch buffer every connection reads its frames into (one frame is handled at a time). */
    final PacketBuffer in = new PacketBuffer();

    private IceTcpListener(MediaEngine engine, IceTcpConfig config, Channel server) {
        this.engine = engine;
        this.config = config;
        this.server = server;
        this.port = ((InetSocketAddress) server.localAddress()).getPort();
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = new LongAdder();
        }
    }

    static IceTcpListener start(MediaEngine engine, EventLoopGroup group, boolean epoll, InetAddress bind,
                                IceTcpConfig config) {
        IceTcpListener[] self = new IceTcpListener[1];
        ServerBootstrap b = new ServerBootstrap()
                .group(group, group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 256)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(LOW_WATER_MARK, HIGH_WATER_MARK))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        IceTcpListener listener = self[0];
                        if (listener == null) {
                            ch.close();
                            return;
                        }
                        listener.pipeline(ch);
                    }
                });
        Channel server;
        try {
            server = b.bind(bind, config.port()).sync().channel();
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on the ICE-TCP port tcp/" + config.port() + " on "
                    + bind.getHostAddress() + ": " + e.getMessage()
                    + " (is another server using it? choose one with --media-tcp-port)", e);
        }
        IceTcpListener listener = new IceTcpListener(engine, config, server);
        self[0] = listener;
        return listener;
    }

    /**
     * The steps of one connection: refuse it beyond the connection caps; close it when silent too long; split
     * the stream into RFC 4571 frames (bounded: an empty or oversized frame closes it); then the first frame
     * must be a connectivity check of a known transport, after which frames are STUN, DTLS and SRTP as on UDP.
     */
    private void pipeline(SocketChannel ch) {
        InetSocketAddress remote = ch.remoteAddress();
        if (!admit(remote.getAddress())) {
            ch.close();
            return;
        }
        ch.closeFuture().addListener(f -> release(remote.getAddress()));
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(config.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast("frames", new Rfc4571FrameDecoder())
                .addLast("ice", new IceTcpConnection(engine, this, remote, config.firstMessageTimeout()));
    }

    /** Loop: counts the connection in, or refuses it (and counts why). */
    private boolean admit(InetAddress address) {
        if (open >= config.maxConnections()) {
            count(IceTcpOutcome.REFUSED_TOTAL);
            return false;
        }
        int[] n = perAddress.computeIfAbsent(address, a -> new int[1]);
        if (n[0] >= config.maxConnectionsPerAddress()) {
            count(IceTcpOutcome.REFUSED_ADDRESS);
            return false;
        }
        n[0]++;
        open++;
        return true;
    }

    private void release(InetAddress address) {
        int[] n = perAddress.get(address);
        if (n != null && --n[0] <= 0) {
            perAddress.remove(address);
        }
        open--;
    }

    void count(IceTcpOutcome outcome) {
        outcomes[outcome.ordinal()].increment();
    }

    long total(IceTcpOutcome outcome) {
        return outcomes[outcome.ordinal()].sum();
    }

    int open() {
        return open;
    }

    int port() {
        return port;
    }

    void close() {
        server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}

package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What handing one encrypted copy to the kernel costs on a media loop, write and flush, per way of doing it, in one
 * process so the ways share the machine's noise: CPU time and heap allocated by the loop thread per copy, sending
 * 1216-byte datagrams (1200 bytes of RTP and an SRTP tag) in batches of {@code --batch} flushed together, as one read
 * batch's fan-out is. The ways, interleaved round by round:
 *
 * <ul>
 *   <li>{@code netty-alloc}: a pooled direct buffer and a {@code DatagramPacket} per copy, {@code channel.write}
 *   (Parley's send path before the reused datagrams);</li>
 *   <li>{@code reused-pipeline}: {@link OutgoingDatagrams} and {@code channel.write}, {@code channel.flush};</li>
 *   <li>{@code reused-head}: {@link OutgoingDatagrams} written straight to the channel's outbound buffer
 *   ({@code unsafe().write}/{@code flush}), as the pipeline's head would;</li>
 *   <li>{@code path}: {@link MediaPath.Udp#write} and {@link MediaLoop#flush}, what Parley does now;</li>
 *   <li>{@code jdk-sendto}: the baseline, a JDK {@code DatagramChannel} with one {@code send} per copy from a
 *   direct buffer, as the raw UDP relay does.</li>
 * </ul>
 *
 * Every copy goes to one of {@code --receivers} sockets on 127.0.0.1 that nobody reads: once a receiver's buffer is
 * full the kernel drops the copy on arrival, the same for every way. Run: {@code java -cp
 * "bench/target/parley-bench-0.1.0-SNAPSHOT.jar:bench/target/lib/*" dev.parley.sfu.media.SendPathBenchmark}.
 */
public final class SendPathBenchmark {
    private static final int LENGTH = 1216;

    private SendPathBenchmark() {
    }

    private interface Way {
        /** On the loop: sends {@code batch} copies and flushes them. */
        void sendBatch(int batch) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int batch = 32;
        int batches = 2000;
        int rounds = 7;
        int receivers = 100;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--batch" -> batch = Integer.parseInt(args[i + 1]);
                case "--batches" -> batches = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--receivers" -> receivers = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--batch, --batches, --rounds, --receivers)");
            }
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        boolean epoll = Epoll.isAvailable();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        List<java.net.DatagramSocket> sinks = new ArrayList<>();
        try {
            InetAddress lo = InetAddress.getLoopbackAddress();
            InetSocketAddress[] to = new InetSocketAddress[receivers];
            for (int i = 0; i < receivers; i++) {
                java.net.DatagramSocket s = new java.net.DatagramSocket(new InetSocketAddress(lo, 0));
                sinks.add(s);
                to[i] = (InetSocketAddress) s.getLocalSocketAddress();
            }
            EventLoop loop = group.next();
            Channel ch = new Bootstrap().group(loop)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .handler(new ChannelInboundHandlerAdapter())
                    .bind(lo, 0).sync().channel();
            DatagramChannel jdk = DatagramChannel.open();
            jdk.bind(new InetSocketAddress(lo, 0));
            jdk.configureBlocking(false);
            jdk.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 << 20);

            MediaLoop media = new MediaLoop(0, loop, null, new MediaCounters());
            MediaOutlet outlet = new MediaOutlet(ch);
            MediaPath[] paths = new MediaPath[receivers];
            for (int i = 0; i < receivers; i++) {
                paths[i] = new MediaPath.Udp(outlet, to[i]);
            }
            OutgoingDatagrams reused = new OutgoingDatagrams();
            PacketBuffer p = new PacketBuffer();
            p.setWindow(0, LENGTH);
            ByteBuffer direct = ByteBuffer.allocateDirect(LENGTH);
            int[] next = new int[1];

            String[] names = {"netty-alloc", "reused-pipeline", "reused-head", "path", "jdk-sendto"};
            Way[] ways = {
                n -> {
                    for (int i = 0; i < n; i++) {
                        ByteBuf out = ch.alloc().directBuffer(LENGTH);
                        out.writeBytes(p.array(), 0, LENGTH);
                        ch.write(new DatagramPacket(out, to[next[0]++ % to.length]), ch.voidPromise());
                    }
                    ch.flush();
                },
                n -> {
                    for (int i = 0; i < n; i++) {
                        ch.write(reused.take(p, to[next[0]++ % to.length]), ch.voidPromise());
                    }
                    ch.flush();
                },
                n -> {
                    Channel.Unsafe u = ch.unsafe();
                    for (int i = 0; i < n; i++) {
                        u.write(reused.take(p, to[next[0]++ % to.length]), ch.voidPromise());
                    }
                    u.flush();
                },
                n -> {
                    for (int i = 0; i < n; i++) {
                        paths[next[0]++ % paths.length].write(media, p);
                    }
                    media.flush();
                },
                n -> {
                    for (int i = 0; i < n; i++) {
                        direct.clear();
                        direct.put(p.array(), 0, LENGTH).flip();
                        jdk.send(direct, to[next[0]++ % to.length]);
                    }
                },
            };
            long[][] cpu = new long[ways.length][rounds];
            long[][] bytes = new long[ways.length][rounds];
            int perRound = batch;
            int count = batches;
            for (int round = -1; round < rounds; round++) { // round -1 warms every way up
                for (int w = 0; w < ways.length; w++) {
                    Way way = ways[w];
                    long[] measured = loop.submit(() -> {
                        long c0 = threads.getCurrentThreadCpuTime();
                        long a0 = threads.getCurrentThreadAllocatedBytes();
                        for (int b = 0; b < count; b++) {
                            way.sendBatch(perRound);
                        }
                        return new long[] {threads.getCurrentThreadCpuTime() - c0,
                            threads.getCurrentThreadAllocatedBytes() - a0};
                    }).get();
                    if (round >= 0) {
                        cpu[w][round] = measured[0];
                        bytes[w][round] = measured[1];
                    }
                }
            }
            long copies = (long) batch * batches;
            System.out.printf("%s, %d copies of %d bytes per round in batches of %d to %d receivers, %d rounds%n",
                    epoll ? "epoll" : "nio", copies, LENGTH, batch, receivers, rounds);
            System.out.println("| way | loop CPU ns per copy, median (min-max) | vs jdk-sendto | heap bytes per copy |");
            System.out.println("|---|---:|---:|---:|");
            double base = median(cpu[ways.length - 1]) / (double) copies;
            for (int w = 0; w < ways.length; w++) {
                double med = median(cpu[w]) / (double) copies;
                System.out.printf("| %s | %.0f (%.0f-%.0f) | %.2f× | %.1f |%n", names[w], med,
                        Arrays.stream(cpu[w]).min().orElseThrow() / (double) copies,
                        Arrays.stream(cpu[w]).max().orElseThrow() / (double) copies, med / base,
                        median(bytes[w]) / (double) copies);
            }
            ch.close().sync();
            jdk.close();
        } finally {
            sinks.forEach(java.net.DatagramSocket::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}

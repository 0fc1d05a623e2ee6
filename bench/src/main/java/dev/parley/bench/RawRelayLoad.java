package dev.parley.bench;

import dev.parley.loadtest.LatencyHistogram;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator for {@link RawUdpRelay}: the same browser-shaped streams as {@code parley-loadtest} sends to
 * Parley (per publisher 50 audio packets/s of 100 bytes and 126 video packets/s of 1100 bytes in 30 bursts of 4-5,
 * plus the RTP header and the 16 bytes an SRTP GCM tag adds on the wire), received by M subscriber sockets on one
 * selector thread. Reports the relay's copies, its CPU time (from {@code /proc/<pid>/stat}), loss and one-way
 * latency over the measured window, in the same terms as Parley's figures in {@code bench/forwarding.sh}.
 *
 * <p>{@code RawRelayLoad --relay-port P --relay-pid PID --publishers 1 --subscribers 100 --duration 10 --warmup 3}
 */
public final class RawRelayLoad {
    private static final int AUDIO = 12 + 100 + 16;
    private static final int VIDEO = 12 + 1100 + 16;
    private static final long AUDIO_INTERVAL = 20_000_000L;
    private static final long FRAME_INTERVAL = 1_000_000_000L / 30;
    /** Linux's USER_HZ, the unit of utime and stime in /proc/<pid>/stat, on every common architecture. */
    private static final double CLOCK_TICKS = 100;

    private final InetSocketAddress relay;
    private final long relayPid;
    private final int publishers;
    private final int subscribers;
    private volatile boolean sending = true;
    private volatile boolean receiving = true;
    private volatile long sent;
    private volatile long received;
    /** Written by the receiver thread only, while {@link #recording}; read after it stopped. */
    private final LatencyHistogram latencies = new LatencyHistogram();
    private volatile boolean recording;

    private RawRelayLoad(InetSocketAddress relay, long relayPid, int publishers, int subscribers) {
        this.relay = relay;
        this.relayPid = relayPid;
        this.publishers = publishers;
        this.subscribers = subscribers;
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        long pid = 0;
        int publishers = 1;
        int subscribers = 100;
        int seconds = 10;
        int warmup = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String value = args[i + 1];
            switch (args[i]) {
                case "--relay-port" -> port = Integer.parseInt(value);
                case "--relay-pid" -> pid = Long.parseLong(value);
                case "--publishers" -> publishers = Integer.parseInt(value);
                case "--subscribers" -> subscribers = Integer.parseInt(value);
                case "--duration" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmup = Integer.parseInt(value);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (port <= 0 || pid <= 0 || publishers < 1 || subscribers < 1 || seconds < 1 || warmup < 0) {
            throw new IllegalArgumentException("usage: RawRelayLoad --relay-port P --relay-pid PID [--publishers N]"
                    + " [--subscribers M] [--duration S] [--warmup S]");
        }
        new RawRelayLoad(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), pid, publishers, subscribers)
                .run(Duration.ofSeconds(warmup), Duration.ofSeconds(seconds));
    }

    private void run(Duration warmup, Duration window) throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<DatagramChannel> open = new ArrayList<>();
        try (Selector selector = Selector.open(); DatagramChannel control = DatagramChannel.open().bind(any)) {
            for (int i = 0; i < subscribers; i++) {
                DatagramChannel r = DatagramChannel.open().bind(any);
                open.add(r);
                r.setOption(StandardSocketOptions.SO_RCVBUF, 1024 * 1024);
                join(r);
                r.configureBlocking(false);
                r.register(selector, SelectionKey.OP_READ);
            }
            List<DatagramChannel> sources = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                DatagramChannel s = DatagramChannel.open().bind(any);
                open.add(s);
                s.setOption(StandardSocketOptions.SO_SNDBUF, 1024 * 1024);
                sources.add(s);
            }
            Thread receiver = new Thread(() -> receive(selector), "raw-load-receiver");
            receiver.start();
            Thread sender = new Thread(() -> send(sources), "raw-load-sender");
            sender.start();

            Thread.sleep(warmup.toMillis());
            long copies0 = stat(control);
            double cpu0 = cpuSeconds();
            long sent0 = sent;
            long received0 = received;
            long t0 = System.nanoTime();
            recording = true;
            Thread.sleep(window.toMillis());
            sending = false;
            sender.join();
            long elapsed = System.nanoTime() - t0;
            long sentInWindow = sent - sent0;
            // Let what is in flight arrive before counting.
            long drainUntil = System.nanoTime() + 500_000_000L;
            long last = -1;
            while (System.nanoTime() < drainUntil && received != last) {
                last = received;
                Thread.sleep(100);
            }
            recording = false;
            long copiesEnd = stat(control);
            double cpu = cpuSeconds() - cpu0;
            long got = received - received0;
            boolean counted = copies0 >= 0 && copiesEnd >= 0;
            long copies = counted ? copiesEnd - copies0 : got;
            receiving = false;
            selector.wakeup();
            receiver.join();
            long owed = sentInWindow * subscribers;
            System.out.printf(Locale.ROOT, "raw relay %dx%d: sent %d packets in %.1f s; relay copies %d (%.0f/s); "
                            + "relay CPU %.3f s (%.1f%% of one core), %.0f copies per CPU-second; "
                            + "received %d, undelivered %.3f%%%s%n",
                    publishers, subscribers, sentInWindow, elapsed / 1e9, copies, copies / (elapsed / 1e9),
                    cpu, 100 * cpu / (elapsed / 1e9), copies / Math.max(cpu, 1e-9),
                    got, owed == 0 ? 0 : Math.max(0, 100.0 * (owed - got) / owed),
                    counted ? "" : " (the relay did not answer STAT, overloaded: copies are what the receivers got)");
            // The same line as parley-loadtest's, for bench/forwarding.sh to subtract.
            System.out.println("raw relay latency: " + latencies.describe() + ", send to receive");
        } finally {
            for (DatagramChannel c : open) {
                c.close();
            }
        }
    }

    /** Registers {@code r} with the relay and waits for its answer (blocking, bounded). */
    private void join(DatagramChannel r) throws IOException {
        ByteBuffer answer = ByteBuffer.allocate(16);
        long deadline = System.nanoTime() + 10_000_000_000L;
        r.configureBlocking(false);
        while (System.nanoTime() < deadline) {
            r.send(ByteBuffer.wrap(RawUdpRelay.JOIN), relay);
            long retry = System.nanoTime() + 200_000_000L;
            while (System.nanoTime() < retry) {
                answer.clear();
                if (r.receive(answer) != null) {
                    return;
                }
                LockSupport.parkNanos(1_000_000L);
            }
        }
        throw new IOException("the raw relay at " + relay + " did not answer JOIN within 10 s");
    }

    /** The relay's count of copies sent so far, or -1 when it did not answer within 10 s. */
    private long stat(DatagramChannel control) throws IOException {
        control.configureBlocking(false);
        ByteBuffer answer = ByteBuffer.allocate(32);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            // An answer to an earlier request that came after its retry would be stale: drop it first.
            while (control.receive(answer) != null) {
                answer.clear();
            }
            control.send(ByteBuffer.wrap(RawUdpRelay.STAT), relay);
            long retry = System.nanoTime() + 3_000_000_000L; // a busy relay answers behind its queue
            while (System.nanoTime() < retry) {
                answer.clear();
                if (control.receive(answer) != null) {
                    answer.flip();
                    return Long.parseLong(StandardCharsets.US_ASCII.decode(answer).toString().trim());
                }
                LockSupport.parkNanos(1_000_000L);
            }
        }
        return -1; // an overloaded relay drops requests with everything else its full socket cannot take
    }

    /** The relay process's user + system CPU time so far. */
    private double cpuSeconds() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + relayPid + "/stat"));
        // Fields after the command name in parentheses (which may contain spaces): utime is field 14, stime 15.
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / CLOCK_TICKS;
    }

    private void send(List<DatagramChannel> sources) {
        ByteBuffer audio = ByteBuffer.allocateDirect(AUDIO);
        ByteBuffer video = ByteBuffer.allocateDirect(VIDEO);
        int n = sources.size();
        long start = System.nanoTime();
        long[] nextAudio = new long[n];
        long[] nextFrame = new long[n];
        long[] frames = new long[n];
        for (int i = 0; i < n; i++) {
            nextAudio[i] = start + i * AUDIO_INTERVAL / n; // publishers spread over 20 ms, as parley-loadtest does
            nextFrame[i] = nextAudio[i];
        }
        long count = 0;
        try {
            while (sending) {
                long now = System.nanoTime();
                long wake = now + AUDIO_INTERVAL;
                for (int i = 0; i < n; i++) {
                    DatagramChannel s = sources.get(i);
                    while (nextAudio[i] <= now) {
                        audio.clear();
                        audio.putInt(0, 0x80000000 | (int) (count & 0xFFFF)).putLong(12, System.nanoTime());
                        s.send(audio, relay);
                        count++;
                        nextAudio[i] += AUDIO_INTERVAL;
                    }
                    while (nextFrame[i] <= now) {
                        int packets = frames[i] % 5 == 0 ? 5 : 4;
                        for (int p = 0; p < packets; p++) {
                            video.clear();
                            video.putInt(0, 0x80600000 | (int) (count & 0xFFFF)).putLong(12, System.nanoTime());
                            s.send(video, relay);
                            count++;
                        }
                        frames[i]++;
                        nextFrame[i] += FRAME_INTERVAL;
                    }
                    wake = Math.min(wake, Math.min(nextAudio[i], nextFrame[i]));
                    sent = count;
                }
                long wait = wake - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        } catch (IOException e) {
            System.err.println("sending stopped: " + e);
        }
    }

    private void receive(Selector selector) {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        long count = 0;
        try {
            while (receiving) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    DatagramChannel c = (DatagramChannel) key.channel();
                    while (true) {
                        buf.clear();
                        if (c.receive(buf) == null) {
                            break;
                        }
                        long now = System.nanoTime();
                        if (buf.position() >= 20) {
                            if (recording) {
                                latencies.record(now - buf.getLong(12));
                            }
                            count++;
                        }
                    }
                }
                selector.selectedKeys().clear();
                received = count;
            }
        } catch (IOException | java.nio.channels.ClosedSelectorException e) {
            if (receiving) {
                System.err.println("receiving stopped: " + e);
            }
        }
    }
}

package dev.parley.bench;

import dev.parley.loadtest.PacedSender;
import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantInfo;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.Room;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTapListener;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Measures the SFU's forwarding: one publisher sends video-sized RTP at a fixed rate to N subscribers, all
 * {@link SyntheticPeer}s in this JVM, the SFU on its own threads. The same fan-out is then done by a plain UDP
 * relay thread (receive, send N copies, no SRTP, no rewriting), so every cost is also reported as a ratio to raw
 * UDP measured in the same run on the same machine.
 *
 * <p>Usage: {@code ForwardingBenchmark [--rate 1000] [--seconds 5] [--warmup 2] [--fanout 1,4,16,32]
 * [--srtp gcm|cm] [--tap] [--record] [--socket-buffer BYTES] [--media-threads 1] [--markdown docs/performance.md]}.
 * {@code --media-threads} sets the SFU's media event loops (default 1: the one room runs on one loop either way;
 * more shows what the shared port's handoff between loops costs it). {@code --socket-buffer}
 * sets the SFU media socket's receive and send buffers (as Parley's {@code media-socket-buffer} does; the default is
 * {@link SfuConfig#DEFAULT_SOCKET_BUFFER_BYTES}), to measure what the buffer size does to loss. {@code --tap} adds, for each fan-out, a run
 * of the same room with a track tap on it (a listener that reads each packet's header), against the same raw
 * baseline (after an unreported room with each of them, to warm the JIT); {@code --record} adds a run with a real recording of the room (a {@link RoomLoad} named
 * {@code recording}, found with {@link ServiceLoader}: the {@code bench-recording} module, which
 * {@code bench/run.sh} puts on the class path). With {@code --markdown} the results replace the part of that file
 * between {@code <!-- results:start -->} and {@code <!-- results:end -->}.
 *
 * <p>Every payload is a VP8 keyframe (a payload descriptor, a frame header, the sending time, filler), so a
 * recorder or anything else that parses VP8 sees well-formed frames: one frame per packet.
 */
public final class ForwardingBenchmark {
    static final int PAYLOAD = 1200;
    /** Where in the RTP payload the publisher writes its {@code System.nanoTime()}: after the VP8 headers. */
    static final int SENT_AT = 16;
    private static final String START = "<!-- results:start -->";
    private static final String END = "<!-- results:end -->";

    /** What one configuration measured over the window. */
    record Measurement(int fanout, String load, double forwardedPerSecond, double forwardingCpuMicros, double processCpuMicros,
                       double p50Micros, double p99Micros, double lossPercent, double allocatedBytesPerPacket) {}

    private final int rate;
    private final Duration warmup;
    private final Duration window;
    private final SrtpProfile profile;
    private int socketBuffer = SfuConfig.DEFAULT_SOCKET_BUFFER_BYTES;
    private int mediaThreads = 1;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    ForwardingBenchmark(int rate, Duration warmup, Duration window, SrtpProfile profile) {
        this.rate = rate;
        this.warmup = warmup;
        this.window = window;
        this.profile = profile;
    }

    public static void main(String[] args) throws Exception {
        int rate = 1000;
        int seconds = 5;
        int warmupSeconds = 2;
        int socketBuffer = SfuConfig.DEFAULT_SOCKET_BUFFER_BYTES;
        int mediaThreads = 1;
        List<Integer> fanouts = List.of(1, 4, 16, 32);
        SrtpProfile profile = SrtpProfile.AEAD_AES_128_GCM;
        Path markdown = null;
        List<RoomLoad> loads = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--rate" -> rate = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmupSeconds = Integer.parseInt(value);
                case "--fanout" -> fanouts = java.util.Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                case "--srtp" -> profile = switch (value) {
                    case "gcm" -> SrtpProfile.AEAD_AES_128_GCM;
                    case "cm" -> SrtpProfile.AES128_CM_HMAC_SHA1_80;
                    default -> throw new IllegalArgumentException("--srtp is gcm or cm, not " + value);
                };
                case "--markdown" -> markdown = Path.of(value);
                case "--socket-buffer" -> socketBuffer = Integer.parseInt(value);
                case "--media-threads" -> mediaThreads = Integer.parseInt(value);
                case "--tap" -> {
                    loads.add(new HeaderReader());
                    i--; // a flag: no value follows
                }
                case "--record" -> {
                    loads.add(RoomLoad.named("recording"));
                    i--;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; see the javadoc of ForwardingBenchmark for the options");
            }
            i++;
        }
        if (rate < 1 || rate > 100_000 || seconds < 1) {
            throw new IllegalArgumentException("--rate must be 1..100000 and --seconds at least 1");
        }
        System.out.println("SRTP crypto: " + SrtpSession.cryptoBackend());
        ForwardingBenchmark bench = new ForwardingBenchmark(rate, Duration.ofSeconds(warmupSeconds),
                Duration.ofSeconds(seconds), profile);
        bench.socketBuffer = socketBuffer;
        bench.mediaThreads = mediaThreads;
        if (!loads.isEmpty()) {
            // Unreported rooms with each load first, so the JIT and class loading do not favour the later rows.
            System.out.println("warming up: one unreported room per load");
            for (RoomLoad load : loads) {
                bench.runSfu(fanouts.get(0), load);
            }
        }
        List<Measurement[]> rows = new ArrayList<>();
        for (int n : fanouts) {
            Measurement sfu = bench.runSfu(n, null);
            Measurement raw = bench.runRawUdp(n);
            rows.add(new Measurement[] {sfu, raw});
            System.out.println(bench.row(sfu, raw));
            for (RoomLoad load : loads) {
                Measurement loaded = bench.runSfu(n, load);
                rows.add(new Measurement[] {loaded, raw});
                System.out.println(bench.row(loaded, raw));
            }
        }
        String table = bench.table(rows);
        System.out.println();
        System.out.println(table);
        if (markdown != null) {
            bench.writeInto(markdown, table, String.join(" ", args));
        }
    }

    // --- the SFU ---

    /** Measures a room with one publisher and {@code fanout} subscribers, with {@code load} on it when not null. */
    Measurement runSfu(int fanout, RoomLoad load) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (SfuServer sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(15), fanout + 1,
                SfuConfig.DEFAULT_MAX_TRACKS_PER_PARTICIPANT, SfuConfig.DEFAULT_MAX_TRACKS_PER_ROOM,
                dev.parley.sfu.dtls.HandshakeLimits.DEFAULTS).withSocketBuffers(socketBuffer).withMediaThreads(mediaThreads))) {
            List<AutoCloseable> peers = new ArrayList<>();
            try {
                int videoSsrc = 0x5EED0001;
                SyntheticPeer publisher = SyntheticPeer.open("publisher", (p, at) -> {});
                peers.add(publisher);
                Participant pub = sfu.join("bench", "publisher", new OfferQueue()).get(10, TimeUnit.SECONDS);
                publisher.acceptAnswer(pub.publish(publisher.publisherOffer(0x5EED0000, videoSsrc)).get(10, TimeUnit.SECONDS));
                publisher.connect(Duration.ofSeconds(10), SyntheticPeer.DEFAULT_CONSENT_INTERVAL, profile);

                List<LatencyRecorder> recorders = new ArrayList<>();
                for (int i = 0; i < fanout; i++) {
                    LatencyRecorder recorder = new LatencyRecorder(capacity());
                    recorders.add(recorder);
                    SyntheticPeer sub = SyntheticPeer.open("subscriber-" + i, (p, at) -> {
                        // The payload starts with the publisher's System.nanoTime() at sending.
                        recorder.record(readLong(p.array(), p.offset() + 12 + SENT_AT), at);
                    });
                    peers.add(sub);
                    OfferQueue offers = new OfferQueue();
                    Participant participant = sfu.join("bench", "subscriber-" + i, offers).get(10, TimeUnit.SECONDS);
                    String[] offer = offers.take();
                    participant.acceptSubscriberAnswer(sub.answerFor(offer[1]), Integer.parseInt(offer[0])).get(10, TimeUnit.SECONDS);
                    sub.connect(Duration.ofSeconds(10), SyntheticPeer.DEFAULT_CONSENT_INTERVAL, profile);
                }
                if (load != null) {
                    peers.add(load.attach(sfu.room("bench")));
                }
                byte[] payload = vp8Keyframe();
                List<Thread> media = liveThreads("parley-media-");
                try (PacedSender sender = new PacedSender("bench-publisher", rate, i -> {
                    putLong(payload, SENT_AT, System.nanoTime());
                    return publisher.sendRtp(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, (int) i & 0xFFFF,
                            (int) (i * 3000), payload);
                })) {
                    return measure(fanout, load == null ? null : load.label(), recorders, sender, media, () -> sfu.counters().forwardedPackets());
                }
            } finally {
                for (AutoCloseable c : peers) {
                    c.close();
                }
            }
        }
    }

    /**
     * A 1200-byte VP8 payload that parses as one whole keyframe (RFC 7741 descriptor, RFC 6386 frame header of a
     * 320x240 keyframe); the rest is zeros, with the sending time at {@link #SENT_AT}. The frame data is not a
     * decodable picture, which nothing on the forwarding or recording path looks at.
     */
    static byte[] vp8Keyframe() {
        byte[] p = new byte[PAYLOAD];
        p[0] = 0x10; // descriptor: start of partition 0, no extensions
        int firstPartition = PAYLOAD - 1 - 10;
        int tag = (firstPartition << 5) | 0x10; // keyframe (bit 0 clear), version 0, show_frame
        p[1] = (byte) tag;
        p[2] = (byte) (tag >>> 8);
        p[3] = (byte) (tag >>> 16);
        p[4] = (byte) 0x9d; // the keyframe start code
        p[5] = 0x01;
        p[6] = 0x2a;
        p[7] = (byte) 320; // width and height, little-endian, no scaling
        p[8] = (byte) (320 >>> 8);
        p[9] = (byte) 240;
        p[10] = 0;
        return p;
    }

    /** A tap whose listener does what any consumer does at least: reads each packet's header. */
    private static final class HeaderReader implements TrackTapListener, RoomLoad {
        long sink;

        @Override
        public String label() {
            return "tap";
        }

        @Override
        public AutoCloseable attach(Room room) throws Exception {
            return room.addTap(this, TapOptions.defaults()).get(10, TimeUnit.SECONDS);
        }

        @Override
        public void onTrackAdded(TappedTrack track) {}

        @Override
        public void onRtp(TappedTrack track, TapPacket packet) {
            sink += packet.sequenceNumber() + packet.timestamp() + packet.payloadLength();
        }

        @Override
        public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {}
    }

    /** Takes the subscriber offers the SFU sends; the benchmark's participants need only the first. */
    static final class OfferQueue implements ParticipantListener {
        private final BlockingQueue<String[]> offers = new LinkedBlockingQueue<>();

        String[] take() throws InterruptedException {
            String[] offer = offers.poll(10, TimeUnit.SECONDS);
            if (offer == null) {
                throw new IllegalStateException("the SFU sent no subscriber offer within 10 s");
            }
            return offer;
        }

        @Override
        public void onJoined(Participant self, List<ParticipantInfo> others) {}

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offers.add(new String[] {String.valueOf(version), sdp});
        }

        @Override
        public void onParticipantJoined(ParticipantInfo other) {}

        @Override
        public void onParticipantUpdated(ParticipantInfo other) {}

        @Override
        public void onParticipantLeft(String participantId, LeaveReason reason) {}

        @Override
        public void onRemoved(LeaveReason reason) {}
    }

    // --- the baseline: one plain relay thread ---

    Measurement runRawUdp(int fanout) throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        List<DatagramChannel> receivers = new ArrayList<>();
        List<Thread> receiverThreads = new ArrayList<>();
        List<LatencyRecorder> recorders = new ArrayList<>();
        try (DatagramChannel relay = DatagramChannel.open().bind(any);
             DatagramChannel source = DatagramChannel.open().bind(any)) {
            relay.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
            relay.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4 * 1024 * 1024);
            List<InetSocketAddress> targets = new ArrayList<>();
            for (int i = 0; i < fanout; i++) {
                DatagramChannel r = DatagramChannel.open().bind(any);
                r.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4 * 1024 * 1024);
                receivers.add(r);
                targets.add((InetSocketAddress) r.getLocalAddress());
                LatencyRecorder recorder = new LatencyRecorder(capacity());
                recorders.add(recorder);
                Thread t = new Thread(() -> receiveRaw(r, recorder), "raw-receiver-" + i);
                t.setDaemon(true);
                t.start();
                receiverThreads.add(t);
            }
            long[] relayed = new long[1];
            Thread relayThread = new Thread(() -> relay(relay, targets, relayed), "raw-relay");
            relayThread.setDaemon(true);
            relayThread.start();
            InetSocketAddress relayAddress = (InetSocketAddress) relay.getLocalAddress();
            ByteBuffer packet = ByteBuffer.allocate(12 + PAYLOAD);
            try (PacedSender sender = new PacedSender("raw-source", rate, i -> {
                packet.clear();
                packet.putInt(0x80600000 | ((int) i & 0xFFFF)).putInt((int) (i * 3000)).putInt(0x5EED0001);
                packet.position(12 + SENT_AT);
                packet.putLong(System.nanoTime());
                packet.position(12 + PAYLOAD).flip();
                try {
                    return source.send(packet, relayAddress) > 0;
                } catch (IOException e) {
                    return false;
                }
            })) {
                return measure(fanout, null, recorders, sender, List.of(relayThread), () -> relayed[0]);
            } finally {
                for (DatagramChannel r : receivers) {
                    r.close();
                }
            }
        }
    }

    private static void relay(DatagramChannel relay, List<InetSocketAddress> targets, long[] relayed) {
        ByteBuffer buf = ByteBuffer.allocateDirect(2048);
        InetSocketAddress[] to = targets.toArray(new InetSocketAddress[0]);
        try {
            while (true) {
                buf.clear();
                relay.receive(buf);
                buf.flip();
                for (InetSocketAddress target : to) {
                    buf.rewind();
                    relay.send(buf, target);
                }
                relayed[0] += to.length; // read racily by the measuring thread: good enough for a rate
            }
        } catch (IOException closed) {
            // the benchmark is over
        }
    }

    private static void receiveRaw(DatagramChannel channel, LatencyRecorder recorder) {
        ByteBuffer buf = ByteBuffer.allocate(2048);
        try {
            while (true) {
                buf.clear();
                channel.receive(buf);
                long now = System.nanoTime();
                recorder.record(buf.getLong(12 + SENT_AT), now);
            }
        } catch (IOException closed) {
            // the benchmark is over
        }
    }

    // --- measuring ---

    interface Counter {
        long get();
    }

    private Measurement measure(int fanout, String load, List<LatencyRecorder> recorders, PacedSender sender,
                                List<Thread> forwarders, Counter forwarded) throws InterruptedException {
        Thread.sleep(warmup.toMillis()); // warm-up: JIT, socket buffers, first keyframe requests
        long cpu0 = cpuTime(forwarders);
        long allocated0 = allocatedBytes(forwarders);
        long process0 = os.getProcessCpuTime();
        long forwarded0 = forwarded.get();
        long sent0 = sender.sent();
        long t0 = System.nanoTime();
        recorders.forEach(LatencyRecorder::start);
        Thread.sleep(window.toMillis());
        recorders.forEach(LatencyRecorder::stop);
        long elapsed = System.nanoTime() - t0;
        long sent = sender.sent() - sent0;
        long count = forwarded.get() - forwarded0;
        double cpu = cpuTime(forwarders) - cpu0;
        double allocated = allocatedBytes(forwarders) - allocated0;
        double process = os.getProcessCpuTime() - process0;
        long received = 0;
        for (LatencyRecorder r : recorders) {
            received += r.received();
        }
        long[] latencies = LatencyRecorder.merged(recorders);
        double expected = (double) sent * fanout;
        return new Measurement(fanout, load, count * 1e9 / elapsed, cpu / 1e3 / Math.max(1, count),
                process / 1e3 / Math.max(1, count), LatencyRecorder.quantile(latencies, 0.5) / 1e3,
                LatencyRecorder.quantile(latencies, 0.99) / 1e3,
                expected == 0 ? 0 : Math.max(0, 100.0 * (expected - received) / expected),
                allocated / Math.max(1, count));
    }

    /** Heap bytes the threads allocated so far (HotSpot's per-thread counter), the hot path's garbage. */
    private long allocatedBytes(List<Thread> ts) {
        long sum = 0;
        for (Thread t : ts) {
            sum += threads instanceof com.sun.management.ThreadMXBean hotspot ? hotspot.getThreadAllocatedBytes(t.threadId()) : 0;
        }
        return sum;
    }

    /** CPU time the threads used so far, summed (every media loop's share of the forwarding). */
    private long cpuTime(List<Thread> ts) {
        long sum = 0;
        for (Thread t : ts) {
            sum += threads.getThreadCpuTime(t.threadId());
        }
        return sum;
    }

    /** The live threads whose names start with {@code prefix}, oldest first. */
    static List<Thread> liveThreads(String prefix) {
        List<Thread> found = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith(prefix) && t.isAlive()) {
                found.add(t);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalStateException("no live thread named " + prefix + "*");
        }
        found.sort(java.util.Comparator.comparingLong(Thread::threadId));
        return found;
    }

    private int capacity() {
        return (int) (rate * (window.toSeconds() + 1) * 1.2);
    }

    // --- reporting ---

    String row(Measurement sfu, Measurement raw) {
        return String.format(Locale.ROOT,
                "| %s | %,.0f | %,.0f | %.2f | %.2f | **%.1f×** | %.2f | %.2f | **%.1f×** | %.0f / %.0f | %.0f / %.0f | %.2f%% / %.2f%% | %.0f / %.0f |",
                sfu.fanout() + (sfu.load() == null ? "" : " + " + sfu.load()), sfu.forwardedPerSecond(), raw.forwardedPerSecond(),
                sfu.forwardingCpuMicros(), raw.forwardingCpuMicros(), sfu.forwardingCpuMicros() / raw.forwardingCpuMicros(),
                sfu.processCpuMicros(), raw.processCpuMicros(), sfu.processCpuMicros() / raw.processCpuMicros(),
                sfu.p50Micros(), sfu.p99Micros(), raw.p50Micros(), raw.p99Micros(),
                sfu.lossPercent(), raw.lossPercent(), sfu.allocatedBytesPerPacket(), raw.allocatedBytesPerPacket());
    }

    String table(List<Measurement[]> rows) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "One publisher, %d pkt/s of %d-byte RTP payloads, SRTP %s; %d s warm-up, %d s measured per row.%n%n",
                rate, PAYLOAD, profile, warmup.toSeconds(), window.toSeconds()));
        t.append("| N subscribers | SFU fwd pkt/s | raw fwd pkt/s | SFU media thread µs CPU/pkt | raw relay thread µs CPU/pkt | thread ratio | SFU process µs CPU/pkt | raw process µs CPU/pkt | process ratio | SFU latency p50 / p99 µs | raw latency p50 / p99 µs | loss SFU / raw | heap bytes allocated per forwarded packet, SFU media thread / raw relay |\n");
        t.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement[] r : rows) {
            t.append(row(r[0], r[1])).append('\n');
        }
        return t.toString();
    }

    void writeInto(Path markdown, String table, String args) throws IOException {
        String doc = Files.exists(markdown) ? Files.readString(markdown) : "# Performance\n\n" + START + "\n" + END + "\n";
        int start = doc.indexOf(START);
        int end = doc.indexOf(END);
        if (start < 0 || end < start) {
            throw new IOException(markdown + " has no " + START + " ... " + END + " section to write the results into");
        }
        String machine = String.format(Locale.ROOT, "Machine: %d CPUs (%s), %s %s, %s.%nArguments: `%s`%n%n",
                Runtime.getRuntime().availableProcessors(), cpuModel(), System.getProperty("java.vm.name"),
                System.getProperty("java.version"), System.getProperty("os.name") + " " + System.getProperty("os.version"),
                args.isEmpty() ? "(defaults)" : args);
        String results = START + "\n" + machine + table + END;
        Files.writeString(markdown, doc.substring(0, start) + results + doc.substring(end + END.length()));
        System.out.println("wrote the results into " + markdown);
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // not Linux
        }
        return "unknown CPU";
    }

    static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    static long readLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}

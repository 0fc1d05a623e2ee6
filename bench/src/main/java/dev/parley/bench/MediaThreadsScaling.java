package dev.parley.bench;

import dev.parley.loadtest.PacedSender;
import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.Participant;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.media.DropReason;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How forwarding scales with media threads: several rooms, each one publisher sending video-sized RTP to N
 * subscribers, all {@link SyntheticPeer}s in this JVM (the load generator: its sending and receiving threads are
 * not media threads), through an SFU with 1, then 2, ... media event loops. The rooms are placed as a server places
 * them (least loaded loop), so with two loops half the rooms run on each.
 *
 * <p>Usage: {@code MediaThreadsScaling [--media-threads 1,2] [--rooms 4] [--fanout 4] [--rate 1000] [--seconds 10]
 * [--warmup 3] [--pin] [--markdown docs/performance.md]}; {@code --rate} is each room's publisher's packets per
 * second. {@code --pin} pins media thread n to CPU n (Linux {@code taskset} on the thread's id) so two loops do not
 * share a core. Per row: packets forwarded per second, the loss, CPU per forwarded packet summed over the media
 * threads, how busy each media thread was, and the packets one loop handed to another (shared port). With
 * {@code --markdown} the table replaces the part of the file between {@code <!-- media-threads:start -->} and
 * {@code <!-- media-threads:end -->}.
 */
public final class MediaThreadsScaling {
    private static final String START = "<!-- media-threads:start -->";
    private static final String END = "<!-- media-threads:end -->";
    private static final int VIDEO_SSRC = 0x5EED0001;

    record Row(int threads, int rooms, int fanout, double offeredPerSecond, double forwardedPerSecond,
               double lossPercent, double mediaCpuMicros, double processCpuMicros, List<Double> busyPercent,
               double handedOffPerSecond, long handoffDrops, String placement, boolean pinned) {}

    private final int rooms;
    private final int fanout;
    private final int rate;
    private final Duration warmup;
    private final Duration window;
    private final boolean pin;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    MediaThreadsScaling(int rooms, int fanout, int rate, Duration warmup, Duration window, boolean pin) {
        this.rooms = rooms;
        this.fanout = fanout;
        this.rate = rate;
        this.warmup = warmup;
        this.window = window;
        this.pin = pin;
    }

    public static void main(String[] args) throws Exception {
        List<Integer> counts = List.of(1, 2);
        int rooms = 4;
        int fanout = 4;
        int rate = 1000;
        int seconds = 10;
        int warmupSeconds = 3;
        boolean pin = false;
        Path markdown = null;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--media-threads" -> counts = Arrays.stream(value.split(",")).map(Integer::valueOf).toList();
                case "--rooms" -> rooms = Integer.parseInt(value);
                case "--fanout" -> fanout = Integer.parseInt(value);
                case "--rate" -> rate = Integer.parseInt(value);
                case "--seconds" -> seconds = Integer.parseInt(value);
                case "--warmup" -> warmupSeconds = Integer.parseInt(value);
                case "--markdown" -> markdown = Path.of(value);
                case "--pin" -> {
                    pin = true;
                    i--; // a flag: no value follows
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + "; see the javadoc of MediaThreadsScaling for the options");
            }
            i++;
        }
        if (rooms < 1 || fanout < 1 || rate < 1 || rate * rooms > 200_000 || seconds < 1) {
            throw new IllegalArgumentException("--rooms, --fanout, --rate and --seconds must be positive, --rate x --rooms"
                    + " at most 200000");
        }
        System.out.println("SRTP crypto: " + SrtpSession.cryptoBackend());
        MediaThreadsScaling bench = new MediaThreadsScaling(rooms, fanout, rate, Duration.ofSeconds(warmupSeconds),
                Duration.ofSeconds(seconds), pin);
        bench.run(counts.getFirst()); // unreported: the JIT and class loading do not favour the later rows
        List<Row> rows = new ArrayList<>();
        for (int n : counts) {
            Row r = bench.run(n);
            rows.add(r);
            System.out.println(row(r));
        }
        String table = bench.table(rows);
        System.out.println();
        System.out.println(table);
        if (markdown != null) {
            writeInto(markdown, table, String.join(" ", args));
        }
    }

    Row run(int mediaThreads) throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        SfuConfig config = new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(15), fanout + 1)
                .withMediaThreads(mediaThreads);
        try (SfuServer sfu = SfuServer.start(config)) {
            List<AutoCloseable> peers = new ArrayList<>();
            try {
                SyntheticPeer[] publishers = new SyntheticPeer[rooms];
                List<LatencyRecorder> recorders = new ArrayList<>();
                List<String> placement = new ArrayList<>();
                for (int r = 0; r < rooms; r++) {
                    publishers[r] = openRoom(sfu, "room-" + r, peers, recorders);
                    placement.add(String.valueOf(sfu.mediaLoopOf("room-" + r)));
                }
                List<Thread> media = ForwardingBenchmark.liveThreads("parley-media-");
                boolean pinned = pin && pinMediaThreads();
                byte[] payload = ForwardingBenchmark.vp8Keyframe();
                try (PacedSender sender = new PacedSender("scaling-publishers", rate * rooms, i -> {
                    int room = (int) (i % rooms);
                    long seq = i / rooms;
                    ForwardingBenchmark.putLong(payload, ForwardingBenchmark.SENT_AT, System.nanoTime());
                    return publishers[room].sendRtp(VIDEO_SSRC, SyntheticPeer.VP8_PAYLOAD_TYPE, (int) seq & 0xFFFF,
                            (int) (seq * 3000), payload);
                })) {
                    Thread.sleep(warmup.toMillis());
                    long[] cpu0 = cpu(media);
                    long process0 = os.getProcessCpuTime();
                    long forwarded0 = sfu.counters().forwardedPackets();
                    long handed0 = sfu.counters().handedOffPackets();
                    long handoffDrops0 = sfu.counters().droppedPackets(DropReason.HANDOFF_FULL);
                    long sent0 = sender.sent();
                    long t0 = System.nanoTime();
                    recorders.forEach(LatencyRecorder::start);
                    Thread.sleep(window.toMillis());
                    recorders.forEach(LatencyRecorder::stop);
                    long elapsed = System.nanoTime() - t0;
                    long[] cpu1 = cpu(media);
                    double process = os.getProcessCpuTime() - process0;
                    long forwarded = sfu.counters().forwardedPackets() - forwarded0;
                    long handed = sfu.counters().handedOffPackets() - handed0;
                    long sent = sender.sent() - sent0;
                    long received = recorders.stream().mapToLong(LatencyRecorder::received).sum();
                    double expected = (double) sent * fanout;
                    long mediaCpu = 0;
                    List<Double> busy = new ArrayList<>();
                    for (int i = 0; i < media.size(); i++) {
                        mediaCpu += cpu1[i] - cpu0[i];
                        busy.add(100.0 * (cpu1[i] - cpu0[i]) / elapsed);
                    }
                    return new Row(mediaThreads, rooms, fanout, (double) rate * rooms * fanout,
                            forwarded * 1e9 / elapsed, expected == 0 ? 0 : Math.max(0, 100 * (expected - received) / expected),
                            mediaCpu / 1e3 / Math.max(1, forwarded), process / 1e3 / Math.max(1, forwarded), busy,
                            handed * 1e9 / elapsed,
                            sfu.counters().droppedPackets(DropReason.HANDOFF_FULL) - handoffDrops0,
                            String.join(",", placement), pinned);
                }
            } finally {
                for (AutoCloseable c : peers) {
                    c.close();
                }
            }
        }
    }

    /** A room with a connected publisher and {@link #fanout} connected subscribers; returns the publisher. */
    private SyntheticPeer openRoom(SfuServer sfu, String room, List<AutoCloseable> peers, List<LatencyRecorder> recorders)
            throws Exception {
        SyntheticPeer publisher = SyntheticPeer.open(room + "-publisher", (p, at) -> {});
        peers.add(publisher);
        Participant pub = sfu.join(room, "publisher", new ForwardingBenchmark.OfferQueue()).get(10, TimeUnit.SECONDS);
        publisher.acceptAnswer(pub.publish(publisher.publisherOffer(VIDEO_SSRC - 1, VIDEO_SSRC)).get(10, TimeUnit.SECONDS));
        publisher.connect(Duration.ofSeconds(10), SyntheticPeer.DEFAULT_CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        for (int i = 0; i < fanout; i++) {
            LatencyRecorder recorder = new LatencyRecorder((int) (rate * (window.toSeconds() + 1) * 1.2));
            recorders.add(recorder);
            SyntheticPeer sub = SyntheticPeer.open(room + "-subscriber-" + i, (p, at) -> recorder.record(
                    ForwardingBenchmark.readLong(p.array(), p.offset() + 12 + ForwardingBenchmark.SENT_AT), at));
            peers.add(sub);
            ForwardingBenchmark.OfferQueue offers = new ForwardingBenchmark.OfferQueue();
            Participant participant = sfu.join(room, "subscriber-" + i, offers).get(10, TimeUnit.SECONDS);
            String[] offer = offers.take();
            participant.acceptSubscriberAnswer(sub.answerFor(offer[1]), Integer.parseInt(offer[0])).get(10, TimeUnit.SECONDS);
            sub.connect(Duration.ofSeconds(10), SyntheticPeer.DEFAULT_CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM);
        }
        return publisher;
    }

    private long[] cpu(List<Thread> ts) {
        long[] c = new long[ts.size()];
        for (int i = 0; i < c.length; i++) {
            c[i] = threads.getThreadCpuTime(ts.get(i).threadId());
        }
        return c;
    }

    /**
     * Pins each {@code parley-media-<n>} thread to CPU n (mod the CPU count) with {@code taskset}, finding the
     * threads' kernel ids by name in /proc/self/task. False when that is not possible here (not Linux, no taskset).
     */
    private static boolean pinMediaThreads() throws InterruptedException {
        Pattern name = Pattern.compile("parley-media-(\\d+)");
        int cpus = Runtime.getRuntime().availableProcessors();
        boolean any = false;
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                Matcher m = name.matcher(Files.readString(task.resolve("comm")).trim());
                if (!m.matches()) {
                    continue;
                }
                int cpu = Integer.parseInt(m.group(1)) % cpus;
                Process p = new ProcessBuilder("taskset", "-p", "-c", String.valueOf(cpu), task.getFileName().toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                any |= p.waitFor() == 0;
            }
        } catch (IOException e) {
            System.out.println("cannot pin the media threads: " + e.getMessage());
            return false;
        }
        return any;
    }

    static String row(Row r) {
        return String.format(Locale.ROOT, "| %d%s | %d × 1→%d (loops %s) | %,.0f | %,.0f | %.2f%% | %.2f | %.2f | %s | %,.0f / %d |",
                r.threads(), r.pinned() ? " (pinned)" : "", r.rooms(), r.fanout(), r.placement(), r.offeredPerSecond(), r.forwardedPerSecond(),
                r.lossPercent(), r.mediaCpuMicros(), r.processCpuMicros(),
                r.busyPercent().stream().map(b -> String.format(Locale.ROOT, "%.0f%%", b)).collect(Collectors.joining(" / ")),
                r.handedOffPerSecond(), r.handoffDrops());
    }

    String table(List<Row> rows) {
        StringBuilder t = new StringBuilder();
        t.append(String.format(Locale.ROOT, "%d rooms, each one publisher at %d pkt/s of %d-byte RTP payloads to %d subscribers,"
                        + " SRTP AEAD_AES_128_GCM; %d s warm-up, %d s measured per row.%n%n",
                rooms, rate, ForwardingBenchmark.PAYLOAD, fanout, warmup.toSeconds(), window.toSeconds()));
        t.append("| media threads | rooms (loop of each) | offered fwd pkt/s | forwarded pkt/s | loss | media threads µs CPU/pkt | process µs CPU/pkt | busy, per media thread | handed over pkt/s / dropped in the window |\n");
        t.append("|---:|---|---:|---:|---:|---:|---:|---|---:|\n");
        for (Row r : rows) {
            t.append(row(r)).append('\n');
        }
        return t.toString();
    }

    static void writeInto(Path markdown, String table, String args) throws IOException {
        String doc = Files.readString(markdown);
        int start = doc.indexOf(START);
        int end = doc.indexOf(END);
        if (start < 0 || end < start) {
            throw new IOException(markdown + " has no " + START + " ... " + END + " section to write the results into");
        }
        String machine = String.format(Locale.ROOT, "Machine: %d CPUs, load average %s when the run ended, %s %s.%n"
                        + "Arguments: `%s`%n%n", Runtime.getRuntime().availableProcessors(), loadAverage(),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), args.isEmpty() ? "(defaults)" : args);
        Files.writeString(markdown, doc.substring(0, start) + START + "\n" + machine + table + END
                + doc.substring(end + END.length()));
        System.out.println("wrote the results into " + markdown);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "unknown";
        }
    }
}

package dev.parley.loadtest;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code parley-loadtest}: loads a Parley server the way a room of browsers would, and says what came through.
 * N publishers and M subscribers join one room over the signaling WebSocket, connect ICE and DTLS-SRTP to the
 * media port, and the publishers send synthetic audio and video ({@link MediaSender}) for the duration. Every
 * second, and at the end, it prints connected participants, packets and bitrate received, loss (from sequence
 * gaps per SSRC), jitter, join time percentiles, with {@code --decrypt} the one-way latency (each payload carries
 * its {@link SendTimestamp}) and, with the metrics token, the server's CPU and forwarded packets. The exit status
 * says whether loss stayed within {@code --max-loss} ({@link LoadTestResult}).
 *
 * <p>With {@code --simulcast} the publishers send three simulcast layers and the subscribers transport-cc
 * feedback (what simulcast and bandwidth estimation cost the server, against the single stream without); the
 * measurement starts once every subscriber gets the top layer (a warm-up of at most {@link #WARM_UP_LIMIT}), and
 * each subscriber is owed the audio and, of the video, the layer Parley chose for it (sequence numbers check it;
 * the share of the top layer is reported).
 *
 * <p>It is built to cost the client little: one thread reads every subscriber's socket ({@link PeerReceiver}),
 * counts from the RTP header without decrypting unless {@code --decrypt}, and allocates nothing per packet; one
 * thread sends for every publisher.
 */
public final class LoadTest {
    /** Participants closed at the same time at the end. */
    private static final int CLOSE_PARALLELISM = 16;
    private static final int MAX_FAILURES_SHOWN = 5;
    /** How long a simulcast run waits for every subscriber to get the top layer before it measures anyway. */
    static final Duration WARM_UP_LIMIT = Duration.ofSeconds(15);

    private final LoadTestOptions options;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private LoadTest(LoadTestOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    // Held so that the level sticks (java.util.logging keeps loggers weakly): jitsi-srtp logs its cipher choice at INFO.
    private static final java.util.logging.Logger JITSI_LOG = java.util.logging.Logger.getLogger("org.jitsi");

    public static void main(String[] args) {
        JITSI_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line {@code args}, printing to {@code out} (problems with the command line to {@code err}). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        LoadTestOptions options;
        try {
            options = LoadTestOptions.parse(args);
        } catch (LoadTestOptions.UsageException e) {
            err.println("parley-loadtest: " + e.getMessage());
            return LoadTestResult.USAGE;
        }
        if (options.help()) {
            out.print(LoadTestOptions.USAGE);
            return LoadTestResult.OK;
        }
        LoadTestResult result = execute(options, out);
        if (result.message() != null && result.exitCode() != LoadTestResult.OK) {
            err.println("parley-loadtest: " + result.message());
        }
        return result.exitCode();
    }

    /** Runs the load described by {@code options}, printing the reports to {@code out}. */
    public static LoadTestResult execute(LoadTestOptions options, PrintStream out) {
        try {
            return new LoadTest(options, out).execute();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return LoadTestResult.failed(LoadTestResult.JOIN_FAILED, 0, 0, "interrupted");
        }
    }

    private LoadTestResult execute() throws InterruptedException {
        URI url = options.url();
        int total = options.publishers() + options.subscribers();
        String unreachable = checkReachable(url);
        if (unreachable != null) {
            return LoadTestResult.failed(LoadTestResult.JOIN_FAILED, 0, total, unreachable);
        }
        ServerMetrics metrics = options.metricsToken() == null ? null : new ServerMetrics(http, url, options.metricsToken());
        if (metrics != null) {
            try {
                metrics.scrape();
            } catch (IOException e) {
                out.println("warning: no server metrics: " + e.getMessage());
                metrics = null;
            }
        }
        // The first SRTP session benchmarks the cipher implementations; do it now, not inside the first join's timing.
        out.println("SRTP crypto: " + dev.parley.sfu.srtp.SrtpSession.cryptoBackend());
        JoinTokenMinter minter = options.apiKey() == null ? null : new JoinTokenMinter(options.apiKey(), options.apiSecret());
        InetAddress bind = bindAddressFor(url.getHost());
        out.printf(Locale.ROOT, "parley-loadtest: %d publishers, %d subscribers in room %s at %s for %d s%s%n",
                options.publishers(), options.subscribers(), options.room(), url, options.duration().toSeconds(),
                (options.decrypt() ? " (decrypting)" : "") + (options.simulcast() ? " (simulcast, transport-cc)" : ""));

        List<LoadParticipant> publishers = new ArrayList<>();
        List<LoadParticipant> subscribers = new ArrayList<>();
        List<LoadParticipant> everyone = new ArrayList<>();
        PeerReceiver receiver;
        try {
            receiver = new PeerReceiver("loadtest-receiver");
        } catch (IOException e) {
            return LoadTestResult.failed(LoadTestResult.JOIN_FAILED, 0, total, "cannot open a selector: " + e.getMessage());
        }
        ExecutorService joins = Executors.newFixedThreadPool(Math.min(options.parallelJoins(), total), r -> {
            Thread t = new Thread(r, "loadtest-join");
            t.setDaemon(true);
            return t;
        });
        try {
            int ssrc = new SecureRandom().nextInt(0x40000000) | 0x10000000;
            try {
                for (int i = 0; i < options.publishers(); i++) {
                    publishers.add(new LoadParticipant("loadtest-pub-" + i, LoadParticipant.Role.PUBLISHER, bind, receiver,
                            options.decrypt(), ssrc + 4 * i, options.simulcast()));
                }
                for (int i = 0; i < options.subscribers(); i++) {
                    subscribers.add(new LoadParticipant("loadtest-sub-" + i, LoadParticipant.Role.SUBSCRIBER, bind, receiver,
                            options.decrypt(), 0, options.simulcast()));
                }
            } catch (IOException e) {
                everyone.addAll(publishers);
                everyone.addAll(subscribers);
                return LoadTestResult.failed(LoadTestResult.JOIN_FAILED, 0, total, "cannot open UDP sockets: " + e.getMessage());
            }
            everyone.addAll(publishers);
            everyone.addAll(subscribers);

            // Publishers first, so that subscribers join a room with media to receive, as lk load-test does.
            long joinStart = System.nanoTime();
            List<String> failures = new ArrayList<>();
            failures.addAll(joinAll(joins, publishers, url, minter, false));
            if (failures.isEmpty()) {
                failures.addAll(joinAll(joins, subscribers, url, minter, !publishers.isEmpty()));
            }
            int joined = (int) everyone.stream().filter(p -> p.joinNanos() >= 0).count();
            if (!failures.isEmpty()) {
                StringBuilder m = new StringBuilder().append(failures.size()).append(" of ").append(total)
                        .append(" participants failed to join or connect");
                for (int i = 0; i < Math.min(MAX_FAILURES_SHOWN, failures.size()); i++) {
                    m.append("\n  ").append(failures.get(i));
                }
                if (failures.size() > MAX_FAILURES_SHOWN) {
                    m.append("\n  ...");
                }
                out.println(m);
                return LoadTestResult.failed(LoadTestResult.JOIN_FAILED, joined, total, m.toString());
            }
            long[] joinMillis = everyone.stream().mapToLong(p -> TimeUnit.NANOSECONDS.toMillis(p.joinNanos())).sorted().toArray();
            out.printf(Locale.ROOT, "joined: %d/%d in %.1f s; join time p50 %d ms, p95 %d ms, p99 %d ms%n", joined, total,
                    (System.nanoTime() - joinStart) / 1e9, quantile(joinMillis, 0.50), quantile(joinMillis, 0.95),
                    quantile(joinMillis, 0.99));
            return measure(publishers, subscribers, everyone, receiver, metrics, joinMillis);
        } finally {
            joins.shutdownNow();
            closeAll(everyone);
            try {
                receiver.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private LoadTestResult measure(List<LoadParticipant> publishers, List<LoadParticipant> subscribers,
                                   List<LoadParticipant> everyone, PeerReceiver receiver, ServerMetrics metrics,
                                   long[] joinMillis) throws InterruptedException {
        // Media flows first for --warm-up (the server's JIT compiles the media path meanwhile) and, with simulcast,
        // until every subscriber is switched to the top layer; counting starts then.
        boolean warmUp = options.simulcast() || !options.warmUp().isZero();
        MediaSender sender = warmUp ? new MediaSender(publishers, options.publisherLossPercent()) : null;
        if (sender != null) {
            try {
                warmUp(everyone, subscribers, metrics);
                if (options.simulcast()) {
                    topLayerWarmUp(publishers, subscribers);
                }
            } catch (InterruptedException e) {
                sender.close();
                throw e;
            }
        }
        ReceiveStats.Totals beforeScrape = totals(subscribers);
        ServerMetrics.Sample serverStart = scrape(metrics);
        ServerMetrics.Sample serverLast = serverStart;
        long cpuStart = os.getProcessCpuTime();
        long receiveCpuStart = threads.getThreadCpuTime(receiver.thread().threadId());
        long receiveAllocatedStart = threads.getThreadAllocatedBytes(receiver.thread().threadId());
        long datagramsStart = receiver.datagrams();
        long start = System.nanoTime();
        long end = start + options.duration().toNanos();
        ReceiveStats.Totals last = totals(subscribers);
        long latencyFrom = start + latencyWarmUp(options.duration());
        for (LoadParticipant s : subscribers) {
            s.stats.measureLatencyFrom(latencyFrom);
        }
        // With simulcast, media flows while the server is scraped: its counters were read somewhere in between.
        ReceiveStats.Totals begin = sender == null ? last : midway(beforeScrape, last);
        long sentStart = 0;
        long owedStart = 0;
        long skippedStart = 0;
        long failedStart = 0;
        long topSentStart = 0;
        long topReceivedStart = topLayerReceived(subscribers);
        long audioReceivedStart = audioReceived(subscribers);
        long feedbacksStart = feedbacks(subscribers);
        long paddingStart = padding(subscribers);
        if (sender == null) {
            sender = new MediaSender(publishers, options.publisherLossPercent());
        } else {
            sentStart = sender.sent();
            owedStart = sender.owed();
            skippedStart = sender.skipped();
            failedStart = sender.failed();
            topSentStart = sender.topLayerSent();
        }
        try {
            int second = 0;
            while (System.nanoTime() < end) {
                long next = start + (second + 1) * 1_000_000_000L;
                TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(next, end) - System.nanoTime()));
                second++;
                ReceiveStats.Totals now = totals(subscribers);
                ServerMetrics.Sample server = scrape(metrics);
                out.println(intervalLine(second, everyone, last, now, serverLast, server,
                        (System.nanoTime() - Math.max(start, next - 1_000_000_000L)) / 1e9));
                last = now;
                if (server != null) {
                    serverLast = server;
                }
            }
        } finally {
            sender.close();
        }
        long sendStopped = System.nanoTime();
        drain(subscribers);
        long elapsed = sendStopped - start;
        ServerMetrics.Sample serverEnd = scrape(metrics);
        long cpu = os.getProcessCpuTime() - cpuStart;
        long receiveCpu = threads.getThreadCpuTime(receiver.thread().threadId()) - receiveCpuStart;
        long receiveAllocated = threads.getThreadAllocatedBytes(receiver.thread().threadId()) - receiveAllocatedStart;
        try {
            receiver.close(); // joins the receive thread: the final figures below are exact
        } catch (IOException e) {
            // closing anyway
        }
        long datagrams = receiver.datagrams() - datagramsStart;
        ReceiveStats.Totals totals = since(begin, totals(subscribers));
        long sent = sender.sent() - sentStart;
        LatencyHistogram latency = options.decrypt() ? new LatencyHistogram() : null;
        for (LoadParticipant s : subscribers) {
            if (latency != null && s.stats.latency() != null) {
                latency.add(s.stats.latency());
            }
        }
        int incomplete = 0;
        for (LoadParticipant s : subscribers) {
            if (s.stats.streams() < 2 * publishers.size()) {
                incomplete++;
            }
        }
        double loss = totals.expected == 0 ? 0 : 100.0 * totals.lost() / totals.expected;
        // Everyone was connected before the first packet left, so each subscriber is owed every packet sent:
        // this also counts what sequence gaps cannot see, packets lost before a stream's first or after its last.
        // Simulcast: of the video, each subscriber is owed the layer Parley chose for it, which sequence numbers
        // check; what is owed whatever it chose is the audio.
        long owed = (sender.owed() - owedStart) * subscribers.size();
        long delivered = options.simulcast() ? audioReceived(subscribers) - audioReceivedStart : totals.packets;
        double undelivered = owed == 0 ? 0 : Math.max(0, 100.0 * (owed - delivered) / owed);
        long forwarded = serverStart == null || serverEnd == null ? -1
                : (long) (serverEnd.forwardedPackets() - serverStart.forwardedPackets());
        double serverCpu = serverStart == null || serverEnd == null ? Double.NaN
                : 100.0 * (serverEnd.cpuSeconds() - serverStart.cpuSeconds()) / ((serverEnd.atNanos() - serverStart.atNanos()) / 1e9);
        double mbps = totals.bytes * 8 / (elapsed / 1e9) / 1e6;
        double toolNs = totals.packets == 0 ? Double.NaN : (double) cpu / totals.packets;
        double receiveNs = datagrams == 0 ? Double.NaN : (double) receiveCpu / datagrams;
        double receiveBytes = datagrams == 0 ? Double.NaN : (double) receiveAllocated / datagrams;
        int joined = (int) everyone.stream().filter(LoadParticipant::connected).count();

        String message = null;
        int exit = LoadTestResult.OK;
        if (loss > options.maxLossPercent()) {
            exit = LoadTestResult.LOSS;
            message = String.format(Locale.ROOT, "loss %.3f%% is above --max-loss %s%%", loss, trim(options.maxLossPercent()));
        } else if (undelivered > options.maxLossPercent()) {
            exit = LoadTestResult.LOSS;
            message = String.format(Locale.ROOT, "%.3f%% of the packets sent never reached a subscriber, above --max-loss %s%%",
                    undelivered, trim(options.maxLossPercent()));
        } else if (incomplete > 0) {
            exit = LoadTestResult.LOSS;
            message = incomplete + " of " + subscribers.size() + " subscribers received nothing of some of the "
                    + 2 * publishers.size() + " published streams";
        }
        out.println("--- summary ---");
        out.printf(Locale.ROOT, "participants: %d/%d connected at the end; join time p50 %d ms, p95 %d ms, p99 %d ms%n",
                joined, everyone.size(), quantile(joinMillis, 0.50), quantile(joinMillis, 0.95), quantile(joinMillis, 0.99));
        out.printf(Locale.ROOT, "sent: %d RTP packets in %.1f s (%d left out on purpose, %d refused by a full socket)%n",
                sent, elapsed / 1e9, sender.skipped() - skippedStart, sender.failed() - failedStart);
        out.printf(Locale.ROOT, "received: %d RTP packets (%.0f/s), %.2f Mbit/s, by %d subscribers from %d streams%n",
                totals.packets, totals.packets / (elapsed / 1e9), mbps, subscribers.size(), totals.streams);
        out.printf(Locale.ROOT, "loss: %.3f%% (%d of %d expected by sequence numbers); undelivered %.3f%% (%d of %d %s"
                + " x %d subscribers); jitter mean %.2f ms, max %.2f ms%n", loss, totals.lost(), totals.expected, undelivered,
                Math.max(0, owed - delivered), sender.owed() - owedStart,
                options.simulcast() ? "audio packets sent" : "sent", subscribers.size(), totals.meanJitterMillis(),
                totals.jitterMax);
        if (options.simulcast()) {
            long topOwed = (sender.topLayerSent() - topSentStart) * subscribers.size();
            long topReceived = topLayerReceived(subscribers) - topReceivedStart;
            long fb = feedbacks(subscribers) - feedbacksStart;
            long plis = 0;
            for (LoadParticipant p : publishers) {
                plis += p.camera().plis();
            }
            out.printf(Locale.ROOT, "simulcast: %d video packets/s per publisher (q, h, f layers), subscribers received %d"
                    + " top-layer packets, %.2f%% of the %d sent x %d subscribers; %d transport-cc feedbacks (%.1f/s per"
                    + " subscriber); %d probe padding packets received; %d PLIs to publishers in all%n",
                    SimulcastCamera.VIDEO_PACKETS_PER_SECOND, topReceived, topOwed == 0 ? 0 : 100.0 * topReceived / topOwed,
                    sender.topLayerSent() - topSentStart, subscribers.size(), fb,
                    subscribers.isEmpty() ? 0 : fb / (elapsed / 1e9) / subscribers.size(),
                    padding(subscribers) - paddingStart, plis);
            if (metrics != null) {
                try {
                    double[] estimates = metrics.values("parley_participant_available_bitrate_bps");
                    java.util.Arrays.sort(estimates);
                    out.printf(Locale.ROOT, "server: a bandwidth estimate for %d of %d participants%s%n", estimates.length,
                            everyone.size(), estimates.length == 0 ? "" : String.format(Locale.ROOT,
                                    ", lowest %.2f Mbit/s, median %.2f Mbit/s", estimates[0] / 1e6,
                                    estimates[estimates.length / 2] / 1e6));
                } catch (IOException e) {
                    out.println("server: no bandwidth estimates: " + e.getMessage());
                }
            }
        }
        if (forwarded >= 0) {
            double serverCpuSeconds = serverEnd.cpuSeconds() - serverStart.cpuSeconds();
            out.printf(Locale.ROOT, "server: forwarded %d RTP packets (received/forwarded %.2f%%), CPU %.1f%% of one core,"
                    + " %.0f forwarded packets per CPU-second%n", forwarded, forwarded == 0 ? 0 : 100.0 * totals.packets / forwarded,
                    serverCpu, serverCpuSeconds <= 0 ? 0 : forwarded / serverCpuSeconds);
        }
        if (latency != null) {
            // Arrival is when the receive thread read the datagram, before decryption.
            out.println("latency: " + latency.describe() + ", send to receive, from " + TimeUnit.NANOSECONDS.toMillis(
                    latencyFrom - start) + " ms on");
        } else {
            out.println("latency: not measured (the send time is inside the SRTP payload: --decrypt measures it)");
        }
        out.printf(Locale.ROOT, "tool: %.0f ns CPU per received packet (whole process); receive thread: %.0f ns and %.2f bytes"
                + " allocated per datagram%n", toolNs, receiveNs, receiveBytes);
        out.println(exit == LoadTestResult.OK
                ? String.format(Locale.ROOT, "result: ok (loss %.3f%% within --max-loss %s%%)", loss, trim(options.maxLossPercent()))
                : "result: FAILED: " + message);
        return new LoadTestResult(exit, joined, everyone.size(), sent, totals.packets, totals.expected, loss, undelivered,
                totals.meanJitterMillis(), totals.jitterMax, mbps, forwarded, serverCpu, toolNs, receiveNs, receiveBytes,
                quantile(joinMillis, 0.50), quantile(joinMillis, 0.95), quantile(joinMillis, 0.99), incomplete, message,
                latency);
    }

    /** Packets sent in the first second of a run of 3 s or more are left out of the latency: the JIT's warm-up. */
    private static long latencyWarmUp(Duration duration) {
        return duration.compareTo(Duration.ofSeconds(3)) >= 0 ? TimeUnit.SECONDS.toNanos(1) : 0;
    }

    /** Lets media flow for {@code --warm-up}, reporting every 5 s as the measurement does every second. */
    private void warmUp(List<LoadParticipant> everyone, List<LoadParticipant> subscribers, ServerMetrics metrics)
            throws InterruptedException {
        long start = System.nanoTime();
        long end = start + options.warmUp().toNanos();
        ReceiveStats.Totals last = totals(subscribers);
        ServerMetrics.Sample serverLast = scrape(metrics);
        long lastAt = start;
        for (int second = 5; System.nanoTime() < end; second += 5) {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, Math.min(start + second * 1_000_000_000L, end) - System.nanoTime()));
            ReceiveStats.Totals now = totals(subscribers);
            ServerMetrics.Sample server = scrape(metrics);
            long at = System.nanoTime();
            out.println("warm-up " + intervalLine((int) Math.round((at - start) / 1e9), everyone, last, now, serverLast,
                    server, (at - lastAt) / 1e9));
            last = now;
            lastAt = at;
            serverLast = server == null ? serverLast : server;
        }
        if (!options.warmUp().isZero()) {
            out.printf(Locale.ROOT, "warm-up: %d s of media sent; measuring from now%n", options.warmUp().toSeconds());
        }
    }

    /**
     * Simulcast: waits until every subscriber has received something of every stream and top-layer packets (it
     * starts on whatever layer flows first and is switched up on a keyframe), at most {@link #WARM_UP_LIMIT}.
     */
    private void topLayerWarmUp(List<LoadParticipant> publishers, List<LoadParticipant> subscribers) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + WARM_UP_LIMIT.toNanos();
        int waiting;
        do {
            TimeUnit.MILLISECONDS.sleep(100);
            waiting = 0;
            for (LoadParticipant s : subscribers) {
                if (s.stats.streams() < 2 * publishers.size() || s.feedback().topLayerPackets() == 0) {
                    waiting++;
                }
            }
        } while (waiting > 0 && System.nanoTime() < deadline);
        out.printf(Locale.ROOT, "warm-up: %s after %.1f s; measuring from now%n", waiting == 0
                ? "every subscriber gets the top layer" : waiting + " subscribers do not get the top layer yet",
                (System.nanoTime() - start) / 1e9);
    }

    private static long topLayerReceived(List<LoadParticipant> subscribers) {
        long n = 0;
        for (LoadParticipant s : subscribers) {
            n += s.feedback() == null ? 0 : s.feedback().topLayerPackets();
        }
        return n;
    }

    private static long padding(List<LoadParticipant> subscribers) {
        long n = 0;
        for (LoadParticipant s : subscribers) {
            n += s.feedback() == null ? 0 : s.feedback().paddingPackets();
        }
        return n;
    }

    private static long audioReceived(List<LoadParticipant> subscribers) {
        long n = 0;
        for (LoadParticipant s : subscribers) {
            n += s.feedback() == null ? 0 : s.feedback().audioPackets();
        }
        return n;
    }

    private static long feedbacks(List<LoadParticipant> subscribers) {
        long n = 0;
        for (LoadParticipant s : subscribers) {
            n += s.feedback() == null ? 0 : s.feedback().feedbacks();
        }
        return n;
    }

    /** Halfway between two snapshots. */
    private static ReceiveStats.Totals midway(ReceiveStats.Totals a, ReceiveStats.Totals b) {
        ReceiveStats.Totals t = new ReceiveStats.Totals();
        t.streams = b.streams;
        t.packets = (a.packets + b.packets) / 2;
        t.bytes = (a.bytes + b.bytes) / 2;
        t.expected = t.packets + (a.lost() + b.lost()) / 2;
        return t;
    }

    /** What was received between two snapshots; jitter as of the later one. */
    private static ReceiveStats.Totals since(ReceiveStats.Totals before, ReceiveStats.Totals after) {
        ReceiveStats.Totals t = new ReceiveStats.Totals();
        t.streams = after.streams;
        t.packets = after.packets - before.packets;
        t.bytes = after.bytes - before.bytes;
        t.expected = after.expected - before.expected;
        t.jitterSum = after.jitterSum;
        t.jitterMax = after.jitterMax;
        return t;
    }

    private List<String> joinAll(ExecutorService pool, List<LoadParticipant> group, URI url, JoinTokenMinter minter,
                                 boolean expectOffer) throws InterruptedException {
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Future<?>> tasks = new ArrayList<>();
        Duration tokenLife = options.duration().plus(Duration.ofMinutes(10));
        for (LoadParticipant p : group) {
            String token = minter != null
                    ? minter.mint(options.room(), p.name, p.role == LoadParticipant.Role.PUBLISHER, tokenLife)
                    : options.token();
            tasks.add(pool.submit(() -> {
                try {
                    p.join(http, url, options.room(), token, options.joinTimeout(), expectOffer);
                } catch (LoadParticipant.JoinFailure e) {
                    failures.add(e.getMessage());
                } catch (RuntimeException e) {
                    failures.add(p.name + ": " + e);
                }
            }));
        }
        for (Future<?> t : tasks) {
            try {
                t.get();
            } catch (java.util.concurrent.ExecutionException e) {
                failures.add(String.valueOf(e.getCause()));
            }
        }
        return new ArrayList<>(failures);
    }

    /** Waits until the subscribers stop receiving (what was in flight arrived), at most 3 s. */
    private void drain(List<LoadParticipant> subscribers) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        long before = -1;
        int still = 0;
        while (System.nanoTime() < deadline && still < 3) {
            TimeUnit.MILLISECONDS.sleep(100);
            long now = totals(subscribers).packets;
            still = now == before ? still + 1 : 0;
            before = now;
        }
    }

    private String intervalLine(int second, List<LoadParticipant> everyone, ReceiveStats.Totals last,
                                ReceiveStats.Totals now, ServerMetrics.Sample serverLast, ServerMetrics.Sample server,
                                double seconds) {
        long connected = everyone.stream().filter(LoadParticipant::connected).count();
        long packets = now.packets - last.packets;
        long expected = now.expected - last.expected;
        long lost = Math.max(0, expected - packets);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
                "[%4ds] connected %d/%d | recv %.0f pkt/s %.2f Mbit/s | loss %.2f%% | jitter %.2f ms",
                second, connected, everyone.size(), packets / seconds, (now.bytes - last.bytes) * 8 / seconds / 1e6,
                expected <= 0 ? 0.0 : 100.0 * lost / expected, now.meanJitterMillis()));
        if (server != null && serverLast != null) {
            double wall = (server.atNanos() - serverLast.atNanos()) / 1e9;
            line.append(String.format(Locale.ROOT, " | server: %.0f participants, fwd %.0f pkt/s, cpu %.0f%%",
                    server.participants(), (server.forwardedPackets() - serverLast.forwardedPackets()) / wall,
                    100 * (server.cpuSeconds() - serverLast.cpuSeconds()) / wall));
        }
        return line.toString();
    }

    private ServerMetrics.Sample scrape(ServerMetrics metrics) {
        if (metrics == null) {
            return null;
        }
        try {
            return metrics.scrape();
        } catch (IOException e) {
            return null;
        }
    }

    private static ReceiveStats.Totals totals(List<LoadParticipant> subscribers) {
        ReceiveStats.Totals t = new ReceiveStats.Totals();
        for (LoadParticipant s : subscribers) {
            s.stats.addTo(t);
        }
        return t;
    }

    private String checkReachable(URI url) throws InterruptedException {
        try {
            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(url.resolve("/health")).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.discarding());
            if (r.statusCode() != 200) {
                return "the server at " + url + " answered /health with " + r.statusCode() + ": is it Parley?";
            }
            return null;
        } catch (java.net.ConnectException e) {
            return "cannot reach Parley at " + url + ": connection refused (is the server running, and is this its HTTP port?)";
        } catch (IOException e) {
            return "cannot reach Parley at " + url + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The local address for media: the loopback address for a server on loopback, else any. */
    private static InetAddress bindAddressFor(String host) {
        try {
            InetAddress server = InetAddress.getByName(host);
            if (server.isLoopbackAddress()) {
                return InetAddress.getLoopbackAddress();
            }
        } catch (IOException e) {
            // resolved again by the HTTP client, which reports a failure clearly
        }
        try {
            return InetAddress.getByName("0.0.0.0");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void closeAll(List<LoadParticipant> everyone) {
        if (everyone.isEmpty()) {
            return;
        }
        ExecutorService closer = Executors.newFixedThreadPool(Math.min(CLOSE_PARALLELISM, everyone.size()));
        for (LoadParticipant p : everyone) {
            closer.execute(p::close);
        }
        closer.shutdown();
        try {
            closer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static long quantile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank))];
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}

package dev.parley.ai;

import dev.parley.ai.audio.Pcm16k;
import dev.parley.sfu.Room;
import dev.parley.sfu.tap.TapOptions;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speech recognition and emotion for meetings through NVIDIA Triton (KServe v2 gRPC).
 *
 * <p>{@link #attach} taps a room's audio: each participant's Opus is decoded, resampled to 16 kHz mono and cut into
 * speech segments on the meeting's own tap thread; segments wait in one bounded queue for the inference threads,
 * which send each to the ASR model and then to the emotion model, and hand the answers to the {@link AiListener}.
 * Nothing here runs on a media thread, and nothing waits for Triton except the inference threads: a full queue
 * drops the segment (counted), an unreachable Triton pauses the meeting's captions until it answers again.
 *
 * <p>{@link #recognize} and {@link #emotion} are the one-shot calls for uploaded audio, bounded by the same
 * deadline and call slots.
 */
public final class AiBridge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AiBridge.class);
    private static final AtomicInteger BRIDGES = new AtomicInteger();

    private final AiSettings settings;
    private final AiListener listener;
    private final AiMetrics metrics;
    private final ScheduledExecutorService scheduler;
    private volatile TritonClient client;
    private final BlockingQueue<SegmentJob> queue;
    private final List<Thread> workers;
    private final Set<Captioning> meetings = ConcurrentHashMap.newKeySet();
    private final ThreadFactory tapThreads;
    private volatile boolean closed;

    private AiBridge(AiSettings settings, AiListener listener) {
        this.settings = settings;
        this.listener = listener;
        int id = BRIDGES.incrementAndGet();
        this.queue = new ArrayBlockingQueue<>(settings.queueSegments());
        this.metrics = new AiMetrics(queue::size, this::callsInFlight);
        this.scheduler = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("parley-ai-health-" + id).factory());
        this.tapThreads = Thread.ofPlatform().daemon().name("parley-ai-tap-" + id + "-", 0).factory();
        this.client = new TritonClient(settings, metrics, scheduler, this::availabilityChanged);
        ThreadFactory inference = Thread.ofPlatform().daemon().name("parley-ai-infer-" + id + "-", 0).factory();
        this.workers = new java.util.ArrayList<>();
        for (int i = 0; i < settings.maxInFlight(); i++) {
            Thread t = inference.newThread(this::work);
            workers.add(t);
            t.start();
        }
    }

    /**
     * Starts the bridge: connects to the endpoints (lazily; an unreachable Triton is not an error here, it is
     * reported by {@link #health()} and pauses captions) and starts the health checks and inference threads.
     */
    public static AiBridge start(AiSettings settings, AiListener listener) {
        return new AiBridge(Objects.requireNonNull(settings, "settings"), Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Taps the room's audio tracks (those published now and later) and captions them until the returned handle is
     * closed (or the room closes). The listener hears the starting status at once.
     *
     * @throws IllegalStateException when the room has closed or the bridge is closed
     */
    public MeetingCaptioning attach(Room room, String meetingId) {
        if (closed) {
            throw new IllegalStateException("the AI bridge is closed");
        }
        Captioning c = new Captioning(this, meetingId, client.available() ? CaptionStatus.ACTIVE : CaptionStatus.PAUSED);
        meetings.add(c);
        try {
            c.tap(room.addTap(c, new TapOptions(settings.tapQueuePackets(), tapThreads)).get(10, TimeUnit.SECONDS));
        } catch (ExecutionException e) {
            meetings.remove(c);
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            meetings.remove(c);
            throw new IllegalStateException("the room did not open a tap within 10 s");
        } catch (InterruptedException e) {
            meetings.remove(c);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while attaching to the room");
        }
        statusChanged(meetingId, c.status());
        return c;
    }

    /**
     * Transcribes one piece of audio (an uploaded file), within the call deadline.
     *
     * @throws AiUnavailableException when no endpoint can take it, the breaker is open, the deadline passes or
     *     Triton refuses
     */
    public AsrResult recognize(Pcm16k audio) {
        return client.recognize(audio);
    }

    /**
     * Scores one piece of audio's emotion, within the call deadline.
     *
     * @throws AiUnavailableException as {@link #recognize}, and when no emotion model is configured
     */
    public EmotionResult emotion(Pcm16k audio) {
        return client.emotion(audio);
    }

    /** Each endpoint's readiness, its models' readiness and its breaker. */
    public AiHealth health() {
        return client.health();
    }

    /** The endpoints and the tensor contracts in use. */
    public AiInfo info() {
        return new AiInfo(settings.endpoints().stream().map(AiSettings.Endpoint::toString).toList(), settings.asr(),
                settings.emotion(), Pcm16k.RATE, settings.callDeadline().toMillis());
    }

    /** The live counters. */
    public AiMetrics metrics() {
        return metrics;
    }

    private int callsInFlight() {
        TritonClient c = client;
        return c == null ? 0 : c.inFlight();
    }

    AiSettings settings() {
        return settings;
    }

    /** From a tap thread: queue the segment, or drop it at once when the queue is full. */
    void offer(SegmentJob job) {
        metrics.segment();
        if (closed || !queue.offer(job)) {
            metrics.drop(AiDropReason.QUEUE_FULL);
            job.meeting().status(CaptionStatus.PAUSED);
        }
    }

    private void work() {
        while (!closed) {
            SegmentJob job;
            try {
                job = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (job != null && !job.meeting().closed()) {
                process(job);
            }
        }
    }

    private void process(SegmentJob job) {
        Captioning meeting = job.meeting();
        try {
            metrics.sent();
            AsrResult asr = client.recognize(job.audio());
            meeting.status(CaptionStatus.ACTIVE);
            if (!asr.text().isEmpty() && !meeting.closed()) {
                metrics.transcript();
                deliver(() -> listener.onTranscript(new TranscriptSegment(meeting.meetingId(), job.participantId(),
                        job.participantName(), job.startMillis(), job.endMillis(), asr.text(), asr.confidence())));
            }
        } catch (AiUnavailableException e) {
            metrics.drop(AiDropReason.of(e.reason()));
            meeting.status(CaptionStatus.PAUSED);
            LOG.debug("meeting {}: segment not transcribed: {}", meeting.meetingId(), e.getMessage());
            return;
        }
        if (settings.emotion() == null) {
            return;
        }
        try {
            EmotionResult emotion = client.emotion(job.audio());
            if (!meeting.closed()) {
                metrics.emotion();
                deliver(() -> listener.onEmotion(new EmotionSample(meeting.meetingId(), job.participantId(),
                        job.participantName(), job.startMillis(), job.endMillis(), emotion.scores())));
            }
        } catch (AiUnavailableException e) {
            LOG.debug("meeting {}: emotion not scored: {}", meeting.meetingId(), e.getMessage());
        }
    }

    private void deliver(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("AI listener failed", e);
        }
    }

    void statusChanged(String meetingId, CaptionStatus status) {
        deliver(() -> listener.onStatus(meetingId, status));
    }

    private void availabilityChanged(boolean available) {
        for (Captioning c : meetings) {
            c.status(available ? CaptionStatus.ACTIVE : CaptionStatus.PAUSED);
        }
    }

    void detached(Captioning c) {
        meetings.remove(c);
        queue.removeIf(j -> j.meeting() == c);
    }

    /** Detaches from every meeting, stops the threads and closes the channels. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Captioning c : List.copyOf(meetings)) {
            c.close();
        }
        client.close(); // first: a health check cut short by the shutdown must not report Triton down
        scheduler.shutdownNow();
        for (Thread t : workers) {
            t.interrupt();
        }
        for (Thread t : workers) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        queue.clear();
    }
}

package dev.parley.server;

import dev.parley.ai.AiBridge;
import dev.parley.ai.AiListener;
import dev.parley.ai.CaptionStatus;
import dev.parley.ai.EmotionSample;
import dev.parley.ai.EmotionScore;
import dev.parley.ai.MeetingCaptioning;
import dev.parley.ai.TranscriptSegment;
import dev.parley.control.CaptionResults;
import dev.parley.control.RoomCaptioner;
import dev.parley.sfu.SfuServer;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The AI bridge on the server's rooms: attaches it to a room's audio when the control plane asks (a meeting's
 * {@code captions} setting, a host's button) or, with {@code ai-captions=all}, when any room opens; detaches when
 * asked or when the room empties. What the bridge hears goes to the control plane's {@link CaptionResults}
 * (stored, published, pushed to the room's pages).
 *
 * <p>Two threads of its own keep everyone else from waiting: attaching (which waits for the room's tap) runs on
 * the attach thread, and results (which the control plane writes to the database) on the results thread, behind
 * a bounded queue, so a slow database never holds the bridge's inference threads and a slow Triton never holds
 * signaling, HTTP or media.
 */
final class AiCaptioner implements RoomCaptioner, AiListener, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AiCaptioner.class);
    /** Results waiting for the control plane; a flood beyond it is dropped and counted. */
    private static final int RESULT_QUEUE = 1024;

    private final SfuServer sfu;
    private final boolean allRooms;
    private volatile AiBridge bridge;
    private volatile CaptionResults results;
    private volatile Predicate<String> wanted = room -> false;
    /** Captioned rooms: their handle, and the wall-clock time the bridge's millisecond offsets count from. */
    private final Map<String, Attached> rooms = new ConcurrentHashMap<>();
    /** Per captioned room, participants reported gone that the room may still list (attach thread only). */
    private final Map<String, Set<String>> departed = new HashMap<>();
    private final ThreadPoolExecutor attacher = single("parley-ai-attach", 4096);
    private final ThreadPoolExecutor resultThread = single("parley-ai-results", RESULT_QUEUE);
    private final LongAdder resultsDropped = new LongAdder();

    private record Attached(MeetingCaptioning handle, Instant origin) {}

    AiCaptioner(SfuServer sfu, boolean allRooms) {
        this.sfu = sfu;
        this.allRooms = allRooms;
    }

    /** The bridge to attach; set once it has started (it needs this as its listener first). */
    void bridge(AiBridge bridge) {
        this.bridge = bridge;
    }

    /** Where results go, and which rooms' meetings want captions: set once the control plane has started. */
    void reportTo(CaptionResults results, Predicate<String> wantedByMeeting) {
        this.results = results;
        this.wanted = wantedByMeeting;
    }

    private static ThreadPoolExecutor single(String name, int queue) {
        ThreadPoolExecutor e = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue),
                Thread.ofPlatform().daemon().name(name).factory());
        return e;
    }

    @Override
    public boolean available() {
        return bridge != null;
    }

    @Override
    public void start(String room) {
        if (bridge == null) {
            throw new Unavailable("this server has no AI service configured for captions");
        }
        submit(() -> attach(room));
    }

    @Override
    public void stop(String room) {
        submit(() -> detach(room));
    }

    /** Someone joined {@code room}: captions start when every room is captioned or the room's meeting wants them. */
    void participantJoined(String room) {
        if (bridge != null) {
            submit(() -> {
                if (!rooms.containsKey(room) && (allRooms || wanted.test(room))) {
                    attach(room);
                }
            });
        }
    }

    /**
     * {@code participantId} left {@code room}: an empty room is no longer captioned (its tap would keep it open).
     * Signaling reports a departure before the room has processed it, so those reported gone count as gone.
     */
    void participantLeft(String room, String participantId) {
        if (bridge != null) {
            submit(() -> {
                if (!rooms.containsKey(room)) {
                    return;
                }
                Set<String> gone = departed.computeIfAbsent(room, r -> new HashSet<>());
                gone.add(participantId);
                Set<String> present = new HashSet<>();
                sfu.findRoom(room).ifPresent(r -> r.participantsNow().forEach(p -> present.add(p.id())));
                gone.retainAll(present); // forget those the room has processed: the set stays small
                gone.add(participantId);
                if (gone.containsAll(present)) {
                    detach(room);
                }
            });
        }
    }

    /** Rooms captioned now. */
    int captionedRooms() {
        return rooms.size();
    }

    /** Results dropped because the control plane fell behind. */
    long resultsDropped() {
        return resultsDropped.sum();
    }

    private void submit(Runnable r) {
        try {
            attacher.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("captions: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.warn("captions: start/stop request refused (shutting down or flooded)");
        }
    }

    /** On the attach thread. */
    private void attach(String room) {
        AiBridge b = bridge;
        if (b == null || rooms.containsKey(room)) {
            return;
        }
        Instant origin = Instant.now();
        MeetingCaptioning handle = b.attach(sfu.room(room), room);
        rooms.put(room, new Attached(handle, origin));
        log.info("captions on in room {}", room);
    }

    /** On the attach thread. */
    private void detach(String room) {
        Attached a = rooms.remove(room);
        departed.remove(room);
        if (a != null) {
            a.handle().close();
            log.info("captions off in room {} ({} segments)", room, a.handle().segments());
        }
    }

    private void report(java.util.function.Consumer<CaptionResults> r) {
        CaptionResults to = results;
        if (to == null) {
            return;
        }
        try {
            resultThread.execute(() -> {
                try {
                    r.accept(to);
                } catch (RuntimeException e) {
                    log.warn("a caption result was not handled: {}", e.toString());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            resultsDropped.increment();
        }
    }

    private Instant at(String room, long millis) {
        Attached a = rooms.get(room);
        return (a == null ? Instant.now() : a.origin()).plusMillis(millis);
    }

    @Override
    public void onTranscript(TranscriptSegment s) {
        CaptionResults.Segment segment = new CaptionResults.Segment(s.participantId(), s.participantName(),
                at(s.meetingId(), s.startMillis()), at(s.meetingId(), s.endMillis()), s.text(),
                Double.isNaN(s.confidence()) ? -1 : s.confidence(), true);
        report(r -> r.onTranscript(s.meetingId(), segment));
    }

    @Override
    public void onEmotion(EmotionSample s) {
        if (s.scores().isEmpty()) {
            return;
        }
        Map<String, Double> scores = new LinkedHashMap<>();
        for (EmotionScore e : s.scores()) {
            scores.putIfAbsent(e.label(), e.score());
        }
        EmotionScore top = s.scores().getFirst();
        CaptionResults.Emotion emotion = new CaptionResults.Emotion(s.participantId(), s.participantName(),
                at(s.meetingId(), s.startMillis()), at(s.meetingId(), s.endMillis()), top.label(), top.score(), scores);
        report(r -> r.onEmotion(s.meetingId(), emotion));
    }

    @Override
    public void onStatus(String room, CaptionStatus status) {
        CaptionResults.Status st = status == CaptionStatus.ACTIVE ? CaptionResults.Status.ACTIVE
                : CaptionResults.Status.PAUSED;
        report(r -> r.onStatus(room, st));
    }

    /** Detaches from every room; the bridge itself is closed by its owner. */
    @Override
    public void close() {
        attacher.shutdown();
        try {
            attacher.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (String room : java.util.List.copyOf(rooms.keySet())) {
            detach(room);
        }
        resultThread.shutdown();
        try {
            resultThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

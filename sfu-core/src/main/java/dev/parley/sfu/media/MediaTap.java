package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.rtp.SenderReport;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapSenderReport;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TrackTap} on the media path: streams copy their packets into its {@link TapRing} on the media loop, and
 * its own thread hands them to the listener.
 *
 * <p>Track events (added, muted, removed) are queued on the media loop too, each stamped with how many ring entries
 * were written before it; the thread delivers an event just before the entry with that number, so an event keeps
 * its place among the packets without taking a slot (events are never dropped, packets may be).
 *
 * <p>The room calls {@link #attach}, {@link #detach} and {@link #muted} from its control thread; embedders see only
 * the {@link TrackTap} methods.
 */
public final class MediaTap implements TrackTap, Runnable {
    private static final Logger log = LoggerFactory.getLogger(MediaTap.class);
    private static final AtomicInteger NUMBER = new AtomicInteger();
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** A track event, delivered before ring entry {@code position}. */
    private sealed interface Event {
        long position();

        TapFeed feed();
    }

    private record Added(long position, TapFeed feed) implements Event {}

    private record Muted(long position, TapFeed feed, boolean muted) implements Event {}

    private record Removed(long position, TapFeed feed, TrackRemoval reason) implements Event {}

    private final MediaLoop engine;
    private final TrackTapListener listener;
    private final Runnable onClose;
    private final TapRing ring;
    private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
    /** Tapped tracks by id: written by the room's control thread, read by any thread for keyframe requests. */
    private final Map<String, TapFeed> feeds = new ConcurrentHashMap<>();
    private final Thread thread;
    private final RingPacket packet = new RingPacket();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean parked;
    /** Written on the media loop only. */
    private volatile long dropped;
    /** Written on the tap's thread only. */
    private volatile long delivered;
    private volatile long listenerFailures;

    MediaTap(MediaLoop engine, String room, TrackTapListener listener, TapOptions options, Runnable onClose) {
        this.engine = engine;
        this.listener = listener;
        this.onClose = onClose;
        this.ring = new TapRing(options.queuePackets());
        ThreadFactory factory = options.threadFactory();
        if (factory == null) {
            factory = Thread.ofPlatform().daemon().name("parley-tap-" + room + "-" + NUMBER.incrementAndGet()).factory();
        }
        this.thread = factory.newThread(this);
        if (thread == null) {
            throw new IllegalArgumentException("the tap's thread factory made no thread");
        }
    }

    void start() {
        thread.start();
    }

    // --- the room's control thread ---

    /** Starts tapping {@code stream}; the listener hears of the track before its first packet. Asks for a keyframe. */
    public void attach(PublishedStream stream, TappedTrack track) {
        if (closed.get()) {
            return;
        }
        TapFeed feed = new TapFeed(this, track, stream.tapSource());
        if (feeds.putIfAbsent(track.trackId(), feed) != null) {
            return;
        }
        engine.onLoop(() -> {
            if (closed.get() || !stream.addTapOnLoop(feed)) {
                return;
            }
            feed.announced = true;
            events.add(new Added(ring.written(), feed));
            wake();
            // A recording starts on a keyframe: ask now rather than wait for the next one.
            feed.source.requestKeyframe(System.nanoTime());
        });
    }

    /** Stops tapping the track; the listener hears of it after the track's last queued packet. */
    public void detach(String trackId, TrackRemoval reason) {
        TapFeed feed = feeds.remove(trackId);
        if (feed == null) {
            return;
        }
        engine.onLoop(() -> {
            feed.source.removeTap(feed);
            if (feed.announced) {
                feed.announced = false;
                events.add(new Removed(ring.written(), feed, reason));
                wake();
            }
        });
    }

    /** The publisher of the track muted or unmuted it. */
    public void muted(String trackId, boolean muted) {
        TapFeed feed = feeds.get(trackId);
        if (feed == null) {
            return;
        }
        engine.onLoop(() -> {
            if (feed.announced) {
                events.add(new Muted(ring.written(), feed, muted));
                wake();
            }
        });
    }

    // --- the media loop ---

    /** Loop: copies an entry into the ring, or counts it dropped when the tap is behind. Never blocks or allocates. */
    void offer(TapFeed feed, byte kind, byte[] buf, int off, int len, long now) {
        if (ring.offer(feed, kind, buf, off, len, now)) {
            if (parked) {
                LockSupport.unpark(thread);
            }
        } else {
            dropped++; // single writer: the media loop
        }
    }

    private void wake() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    // --- TrackTap, any thread ---

    @Override
    public boolean requestKeyframe(String trackId) {
        TapFeed feed = feeds.get(trackId);
        if (feed == null || feed.track.kind() != MediaKind.VIDEO || closed.get()) {
            return false;
        }
        engine.onLoop(() -> feed.source.requestKeyframe(System.nanoTime()));
        return true;
    }

    @Override
    public long droppedPackets() {
        return dropped;
    }

    @Override
    public long deliveredPackets() {
        return delivered;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        onClose.run();
        LockSupport.unpark(thread);
    }

    /** Whether the tap is closed (its thread may still be finishing the listener's current call). */
    public boolean isClosed() {
        return closed.get();
    }

    /** Room control thread, once the tap is closed: stops every stream feeding it. */
    public void detachAll() {
        for (TapFeed feed : feeds.values()) {
            engine.onLoop(() -> feed.source.removeTap(feed));
        }
        feeds.clear();
    }

    // --- the tap's thread ---

    @Override
    public void run() {
        try {
            while (!closed.get()) {
                if (!deliverSome()) {
                    parked = true;
                    // Re-check after announcing the park: a producer that wrote before seeing the flag is seen here.
                    if (ring.written() == ring.read() && events.isEmpty() && !closed.get()) {
                        LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                    }
                    parked = false;
                }
            }
        } finally {
            ring.clear();
            events.clear();
            call(listener::onClosed);
        }
    }

    /** Delivers the events due now and up to a batch of ring entries; false when there was nothing. */
    private boolean deliverSome() {
        long written = ring.written();
        long read = ring.read();
        boolean any = false;
        for (int batch = 0; batch < 64 && !closed.get(); batch++) {
            any |= deliverEventsBefore(read);
            if (read >= written) {
                break;
            }
            deliverEntry(read);
            ring.release(read);
            read++;
            any = true;
        }
        return any;
    }

    private boolean deliverEventsBefore(long position) {
        boolean any = false;
        for (Event e = events.peek(); e != null && e.position() <= position; e = events.peek()) {
            events.poll();
            TappedTrack track = e.feed().track;
            switch (e) {
                case Added a -> call(() -> listener.onTrackAdded(track));
                case Muted m -> call(() -> listener.onTrackMuted(track, m.muted()));
                case Removed r -> call(() -> listener.onTrackRemoved(track, r.reason()));
            }
            any = true;
        }
        return any;
    }

    private void deliverEntry(long index) {
        int slot = ring.slot(index);
        TapFeed feed = ring.feed(slot);
        int off = ring.slotOffset(slot);
        if (ring.kind(slot) == TapRing.RTP) {
            packet.point(ring.data(), off, ring.length(slot), ring.arrival(slot));
            try {
                listener.onRtp(feed.track, packet); // called directly: no lambda to allocate per packet
            } catch (RuntimeException e) {
                failed(e);
            }
        } else {
            byte[] d = ring.data();
            TapSenderReport report = new TapSenderReport(SenderReport.ntpTimestamp(d, off),
                    SenderReport.rtpTimestamp(d, off) & 0xFFFF_FFFFL, SenderReport.packetCount(d, off),
                    SenderReport.octetCount(d, off), ring.arrival(slot));
            call(() -> listener.onSenderReport(feed.track, report));
        }
        delivered++; // single writer: this thread
    }

    private void call(Runnable listenerCall) {
        try {
            listenerCall.run();
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    private void failed(RuntimeException e) {
        if (listenerFailures++ == 0) {
            log.warn("a track tap's listener failed (further failures are counted, not logged)", e);
        }
    }

    /** How many listener calls threw. */
    public long listenerFailures() {
        return listenerFailures;
    }
}

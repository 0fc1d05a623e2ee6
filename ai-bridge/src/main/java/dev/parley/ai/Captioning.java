package dev.parley.ai;

import dev.parley.ai.audio.SpeechSegment;
import dev.parley.sfu.MediaKind;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bridge on one meeting: the room's tap listener (on the tap's own thread, a bridge thread) that turns each
 * participant's audio into speech segments and offers them to the bridge's bounded queue, never waiting for it.
 */
final class Captioning implements MeetingCaptioning, TrackTapListener {
    private final AiBridge bridge;
    private final String meetingId;
    private final long attachNanos;
    private final Map<String, TrackPipeline> tracks = new HashMap<>(); // tap thread only
    private final AtomicReference<CaptionStatus> status;
    private final AtomicLong segments = new AtomicLong();
    private volatile TrackTap tap;
    private volatile boolean closed;

    Captioning(AiBridge bridge, String meetingId, CaptionStatus initial) {
        this.bridge = bridge;
        this.meetingId = meetingId;
        this.attachNanos = System.nanoTime();
        this.status = new AtomicReference<>(initial);
    }

    void tap(TrackTap tap) {
        this.tap = tap;
    }

    @Override
    public String meetingId() {
        return meetingId;
    }

    @Override
    public CaptionStatus status() {
        return status.get();
    }

    @Override
    public long segments() {
        return segments.get();
    }

    @Override
    public long tapDroppedPackets() {
        TrackTap t = tap;
        return t == null ? 0 : t.droppedPackets();
    }

    boolean closed() {
        return closed;
    }

    /** Sets the status and tells the listener when it changed. */
    void status(CaptionStatus s) {
        if (!closed && status.getAndSet(s) != s) {
            bridge.statusChanged(meetingId, s);
        }
    }

    @Override
    public void onTrackAdded(TappedTrack track) {
        if (track.kind() == MediaKind.AUDIO && track.codec().equalsIgnoreCase("opus")) {
            tracks.put(track.trackId(), new TrackPipeline(track, bridge.settings().vad(), this::segment));
        }
    }

    @Override
    public void onRtp(TappedTrack track, TapPacket packet) {
        TrackPipeline p = tracks.get(track.trackId());
        if (p != null && !closed) {
            p.rtp(packet);
        }
    }

    @Override
    public void onTrackMuted(TappedTrack track, boolean muted) {
        TrackPipeline p = tracks.get(track.trackId());
        if (p != null && muted) {
            p.muted();
        }
    }

    @Override
    public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {
        TrackPipeline p = tracks.remove(track.trackId());
        if (p != null) {
            p.flush();
        }
    }

    @Override
    public void onClosed() {
        tracks.clear();
        if (!closed) { // the room or the server closed the tap: this meeting is over for the bridge
            closed = true;
            TrackTap t = tap;
            if (t != null) {
                bridge.metrics().tapDropped(t.droppedPackets());
            }
            bridge.detached(this);
        }
    }

    private void segment(TappedTrack track, SpeechSegment s, long startNanos, long endNanos) {
        if (closed) {
            return;
        }
        segments.incrementAndGet();
        long start = Math.max(0, (startNanos - attachNanos) / 1_000_000);
        long end = Math.max(start, (endNanos - attachNanos) / 1_000_000);
        bridge.offer(new SegmentJob(this, track.participantId(), track.participantName(), start, end, s.audio()));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        TrackTap t = tap;
        if (t != null) {
            bridge.metrics().tapDropped(t.droppedPackets());
            t.close();
        }
        bridge.detached(this);
    }
}

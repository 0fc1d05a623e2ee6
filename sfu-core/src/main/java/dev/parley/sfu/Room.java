package dev.parley.sfu;

import dev.parley.sfu.media.MediaEngine;
import dev.parley.sfu.media.MediaTap;
import dev.parley.sfu.media.PeerTransport;
import dev.parley.sfu.sdp.SdpException;
import dev.parley.sfu.sdp.ViewerNegotiation;
import dev.parley.sfu.speaker.RecentSpeakers;
import dev.parley.sfu.speaker.SpeakerDetector;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * A meeting room: the participants in it and who receives whose tracks (everyone receives everyone).
 *
 * <p>All of a room's control state is owned by its {@link SerialExecutor}; public methods hand work to it
 * and return futures. Media never waits for it: the forwarding tables it changes live on the media threads.
 */
public final class Room {
    private final String name;
    private final MediaEngine media;
    private final SerialExecutor control;
    private final int maxParticipants;
    private final int maxTracksPerParticipant;
    private final int maxTracksPerRoom;
    private final Consumer<Room> onEmpty;
    private final Map<String, Participant> participants = new LinkedHashMap<>();
    private final List<MediaTap> taps = new ArrayList<>();
    private final List<Viewer> viewers = new ArrayList<>();
    private final SpeakerDetector speakers = SpeakerDetector.forSpeech();
    /** Who spoke last, for last-N; the active speaker the participants were last told of. */
    private final RecentSpeakers recentSpeakers = new RecentSpeakers();
    private final int lastN;
    private String announcedSpeaker;
    private volatile int viewerCount;
    private volatile int size;
    private volatile List<Participant> snapshot = List.of();
    private boolean closed;

    /** The room emptied and was forgotten while a join was on its way; the join goes to a fresh room. */
    static final class RoomClosedException extends Exception {}

    Room(String name, MediaEngine media, Executor controlPool, SfuConfig limits, Consumer<Room> onEmpty) {
        this.name = name;
        this.media = media;
        this.control = new SerialExecutor(controlPool);
        this.maxParticipants = limits.maxParticipantsPerRoom();
        this.maxTracksPerParticipant = limits.maxTracksPerParticipant();
        this.maxTracksPerRoom = limits.maxTracksPerRoom();
        this.lastN = limits.lastN();
        this.onEmpty = onEmpty;
    }

    public String name() {
        return name;
    }

    /** How many participants are in the room now (a snapshot). */
    public int size() {
        return size;
    }

    /**
     * Adds a participant. The future completes with the participant, or fails with {@link RoomFullException}, or
     * {@link MediaPortsExhaustedException} when a media port range has no two ports free.
     * The others are told through their listeners.
     */
    public CompletableFuture<Participant> join(String displayName, ParticipantListener listener) {
        return call(() -> {
            if (closed) {
                throw new RoomClosedException();
            }
            if (participants.size() >= maxParticipants) {
                throw new RoomFullException(name, maxParticipants);
            }
            if (!media.hasPortsFor(2)) {
                throw new MediaPortsExhaustedException("no free media port for a new participant (every port of "
                        + media.portRange() + " is in use)");
            }
            Participant p = new Participant(this, Ids.participantId(), displayName, listener);
            List<ParticipantInfo> others = new ArrayList<>();
            for (Participant other : participants.values()) {
                others.add(other.info());
                other.listener().onParticipantJoined(p.info());
            }
            listener.onJoined(p, others);
            if (announcedSpeaker != null) {
                listener.onActiveSpeaker(announcedSpeaker);
            }
            recentSpeakers.add(p.id());
            participants.put(p.id(), p);
            size = participants.size();
            snapshot = List.copyOf(participants.values());
            // The newcomer receives every track already published.
            for (Participant other : participants.values()) {
                if (other != p) {
                    for (Track t : other.tracks()) {
                        p.subscribe(t);
                    }
                }
            }
            applyLastN();
            p.renegotiateSubscriber();
            return p;
        });
    }

    /**
     * Opens a track tap on the room: the listener hears of every track published in it, now and later, and receives
     * their packets on the tap's own thread (see {@link dev.parley.sfu.tap}). While a tap is open the room stays,
     * even empty, so a tap survives everyone leaving and coming back. Fails with {@link IllegalStateException}
     * when the room has already emptied and been forgotten.
     */
    public CompletableFuture<TrackTap> addTap(TrackTapListener listener, TapOptions options) {
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(options, "options");
        return call(() -> {
            if (closed) {
                throw new IllegalStateException("room " + name + " has closed; open the tap on the room that replaced it");
            }
            MediaTap[] self = new MediaTap[1];
            MediaTap tap = media.openTap(name, listener, options, () -> control.execute(() -> removeTap(self[0])));
            self[0] = tap;
            taps.add(tap);
            for (Participant p : participants.values()) {
                for (Track t : p.tracks()) {
                    tap.attach(t.stream(), tapped(t));
                }
            }
            return tap;
        });
    }

    /**
     * Adds a viewer (WHEP): someone who receives the current speaker's video and audio without being a
     * participant. The future completes with the viewer, whose {@link Viewer#answer()} goes back to the client,
     * or fails with {@link SdpException} for an unusable offer. {@code onEnded} hears when the server ends the
     * viewer (ICE consent lost, room closed); not after {@link Viewer#close()}. The room stays while viewers watch.
     */
    public CompletableFuture<Viewer> watch(String offer, java.util.function.Consumer<LeaveReason> onEnded) {
        Objects.requireNonNull(onEnded, "onEnded");
        return call(() -> {
            if (closed) {
                throw new RoomClosedException();
            }
            String id = "v" + Ids.random(11);
            Viewer[] self = new Viewer[1];
            PeerTransport transport = media.createTransport(name, "viewer " + id,
                    why -> control.execute(() -> {
                        if (self[0] != null) {
                            self[0].timedOut();
                        }
                    }));
            ViewerNegotiation.Result result;
            try {
                result = ViewerNegotiation.answer(offer, transport.local(), Ids.sessionId(), Ids.ssrc(), Ids.ssrc(), "parley-" + name.hashCode());
            } catch (SdpException e) {
                transport.close();
                throw e;
            }
            transport.setRemote(result.remote());
            Viewer v = new Viewer(this, id, transport, result, onEnded);
            self[0] = v;
            viewers.add(v);
            viewerCount = viewers.size();
            v.follow(currentSpeaker());
            return v;
        });
    }

    /** How many viewers watch the room now (a snapshot, for metrics). */
    public int viewerCount() {
        return viewerCount;
    }

    /** How many taps are open on the room now. */
    public CompletableFuture<Integer> tapCount() {
        return call(taps::size);
    }

    /** The participants now, read without waiting for the room's control thread (for metrics). */
    public List<Participant> participantsNow() {
        return List.copyOf(snapshot);
    }

    /** The participants now, as snapshots. */
    public CompletableFuture<List<ParticipantInfo>> participants() {
        return call(() -> {
            List<ParticipantInfo> infos = new ArrayList<>();
            for (Participant p : participants.values()) {
                infos.add(p.info());
            }
            return infos;
        });
    }

    // --- called by Participant, on the control executor ---

    MediaEngine media() {
        return media;
    }

    Iterable<Participant> members() {
        return participants.values();
    }

    /**
     * Refuses a publish that would take {@code publisher} from its current tracks to {@code wanted}, when that
     * grows it beyond the per-participant or per-room limit. Shrinking or staying the same is always allowed.
     */
    void checkTrackLimits(Participant publisher, int wanted) throws TooManyTracksException {
        int current = publisher.tracks().size();
        if (wanted <= current) {
            return;
        }
        if (wanted > maxTracksPerParticipant) {
            throw new TooManyTracksException("a participant may publish at most " + maxTracksPerParticipant
                    + " tracks; this offer has " + wanted);
        }
        int inRoom = 0;
        for (Participant p : participants.values()) {
            inRoom += p.tracks().size();
        }
        if (inRoom - current + wanted > maxTracksPerRoom) {
            throw new TooManyTracksException("room " + name + " allows at most " + maxTracksPerRoom + " tracks in all and has "
                    + inRoom + "; this offer would add " + (wanted - current));
        }
    }

    void trackPublished(Participant publisher, Track track) {
        for (MediaTap tap : taps) {
            tap.attach(track.stream(), tapped(track));
        }
        followSpeaker();
        for (Participant p : participants.values()) {
            if (p != publisher) {
                p.subscribe(track);
                p.renegotiateSubscriber();
            }
        }
        applyLastN();
    }

    void trackUnpublished(Track track) {
        for (MediaTap tap : taps) {
            tap.detach(track.id(), TrackRemoval.UNPUBLISHED);
        }
        for (Viewer v : viewers) {
            v.trackGone(track);
        }
        followSpeaker();
    }

    void muted(Participant publisher, MediaKind kind, boolean muted) {
        for (MediaTap tap : taps) {
            for (Track t : publisher.tracks()) {
                if (t.kind() == kind) {
                    tap.muted(t.id(), muted);
                }
            }
        }
    }

    private static TappedTrack tapped(Track t) {
        Participant owner = t.owner();
        ParticipantInfo info = owner.info();
        boolean muted = t.kind() == MediaKind.AUDIO ? info.audioMuted() : info.videoMuted();
        return new TappedTrack(t.id(), owner.id(), owner.name(), t.kind(), t.codec().name(), t.stream().payloadType(),
                t.codec().clockRate(), Math.max(1, t.codec().channels()), t.codec().fmtp(), muted);
    }

    private void removeTap(MediaTap tap) {
        if (taps.remove(tap)) {
            tap.detachAll();
            closeIfEmpty();
        }
    }

    void removeViewer(Viewer v) {
        if (viewers.remove(v)) {
            viewerCount = viewers.size();
            closeIfEmpty();
        }
    }

    /**
     * Feeds the speaker detector with each participant's recent loudness (its loudest audio track; silence when
     * none has said anything lately), tells the participants when the speaker changes and points the viewers at it.
     */
    void tickSpeaker(long now) {
        for (Participant p : participants.values()) {
            int loudness = -1;
            for (Track t : p.tracks()) {
                if (t.kind() == MediaKind.AUDIO) {
                    loudness = Math.max(loudness, Math.max(0, t.stream().recentLoudness()));
                }
            }
            if (loudness >= 0) {
                speakers.observe(p.id(), loudness, now);
            }
        }
        announceSpeaker(now);
        followSpeaker();
    }

    /** Tells everyone of a new active speaker, who becomes the most recent for last-N. */
    private void announceSpeaker(long now) {
        String id = speakers.speaker(now);
        if (id == null || id.equals(announcedSpeaker) || !participants.containsKey(id)) {
            return;
        }
        announcedSpeaker = id;
        recentSpeakers.spoke(id);
        for (Participant p : participants.values()) {
            p.listener().onActiveSpeaker(id);
        }
        applyLastN();
    }

    /** Last-N: each participant receives video from the {@code lastN} most recent speakers but itself. */
    private void applyLastN() {
        if (lastN <= 0) {
            return;
        }
        for (Participant p : participants.values()) {
            p.showVideoOnlyOf(java.util.Set.copyOf(recentSpeakers.mostRecent(lastN, p.id())));
        }
    }

    private Participant currentSpeaker() {
        String id = speakers.speaker(System.nanoTime());
        return id == null ? null : participants.get(id);
    }

    private void followSpeaker() {
        if (viewers.isEmpty()) {
            return;
        }
        Participant speaker = currentSpeaker();
        for (Viewer v : viewers) {
            v.follow(speaker);
        }
    }

    private void closeIfEmpty() {
        if (participants.isEmpty() && taps.isEmpty() && viewers.isEmpty() && !closed) {
            closed = true;
            onEmpty.accept(this);
        }
    }

    void updated(Participant changed) {
        for (Participant p : participants.values()) {
            if (p != changed) {
                p.listener().onParticipantUpdated(changed.info());
            }
        }
    }

    void remove(Participant gone, LeaveReason reason) {
        if (participants.remove(gone.id()) == null) {
            return;
        }
        size = participants.size();
        snapshot = List.copyOf(participants.values());
        for (MediaTap tap : taps) {
            for (Track t : gone.tracks()) {
                tap.detach(t.id(), TrackRemoval.PARTICIPANT_LEFT);
            }
        }
        for (Participant p : participants.values()) {
            p.unsubscribeFrom(gone);
            p.renegotiateSubscriber();
            p.listener().onParticipantLeft(gone.id(), reason);
        }
        speakers.forget(gone.id());
        recentSpeakers.remove(gone.id());
        if (gone.id().equals(announcedSpeaker)) {
            announcedSpeaker = null; // the others hear that it left; the next one to speak is announced
        }
        applyLastN();
        for (Viewer v : viewers) {
            for (Track t : gone.tracks()) {
                v.trackGone(t);
            }
        }
        followSpeaker();
        // A tapped room stays while empty: a recording goes on when everyone leaves and someone comes back.
        closeIfEmpty();
    }

    void closeAll(LeaveReason reason) {
        for (Participant p : List.copyOf(participants.values())) {
            p.removeBy(reason);
        }
        for (MediaTap tap : List.copyOf(taps)) {
            tap.close();
        }
        for (Viewer v : List.copyOf(viewers)) {
            v.roomClosing(reason);
        }
        viewers.clear();
        viewerCount = 0;
        closeIfEmpty();
    }

    Executor control() {
        return control;
    }

    interface ControlTask<T> {
        T run() throws Exception;
    }

    /** Runs a task on the room's control executor and completes a future with its result. */
    <T> CompletableFuture<T> call(ControlTask<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        control.execute(() -> {
            try {
                result.complete(task.run());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }
}

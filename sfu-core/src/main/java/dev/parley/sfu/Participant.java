package dev.parley.sfu;

import dev.parley.sfu.media.PeerTransport;
import dev.parley.sfu.media.TransportListener;
import dev.parley.sfu.sdp.IceParameters;
import dev.parley.sfu.sdp.LocalTransport;
import dev.parley.sfu.sdp.PublishedTrack;
import dev.parley.sfu.sdp.PublisherNegotiation;
import dev.parley.sfu.sdp.RtxOffer;
import dev.parley.sfu.sdp.SdpException;
import dev.parley.sfu.sdp.SubscriberOffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Someone in a room, with two peer connections to Parley: a publisher connection the browser offers on
 * (its own microphone and camera) and a subscriber connection Parley offers on (everyone else's tracks).
 *
 * <p>State is owned by the room's control executor; the public methods are safe to call from any thread.
 */
public final class Participant {
    private static final Logger log = LoggerFactory.getLogger(Participant.class);
    private final Room room;
    private final String id;
    private final String name;
    private final ParticipantListener listener;
    private final long sessionId = Ids.sessionId();
    private volatile boolean audioMuted;
    private volatile boolean videoMuted;
    private boolean left;

    private volatile PeerTransport publisher;
    private final List<Track> tracks = new ArrayList<>();

    private volatile PeerTransport subscriber;
    private final List<Section> sections = new ArrayList<>();
    /** Tracks this participant should receive that found no m-section under the cap; placed as sections free up. */
    private final List<Track> unplaced = new ArrayList<>();
    private int nextMid;
    private int offerVersion;
    private int awaitedVersion;
    private int offeredSections;
    private boolean subscriptionsChanged;
    /** Last-N: whose video this participant receives (null: everyone's), and whose it was last told is paused. */
    private java.util.Set<String> videoShown;
    private List<String> videoPausedTold = List.of();
    /** The tile (width, height) the page shows each publisher's camera in, by publisher id, as it last said. */
    private final java.util.Map<String, int[]> videoSizes = new java.util.HashMap<>();

    /**
     * One m-section of the subscriber connection: a remote track and the SSRC it has towards this participant.
     * When its track goes away the section turns inactive, and the next new track of the same kind takes it
     * over, so the SDP does not grow with every join and leave.
     */
    private static final class Section {
        final String mid;
        Track source;
        int ssrc = Ids.ssrc();
        /** Video: the SSRC of the retransmissions (RFC 4588) paired with {@link #ssrc}. */
        int rtxSsrc = Ids.ssrc();
        boolean active = true;
        boolean forwarding;
        /** Its forward is paused by last-N. */
        boolean paused;

        Section(String mid, Track source) {
            this.mid = mid;
            this.source = source;
        }

        void reuseFor(Track track) {
            source = track;
            ssrc = Ids.ssrc();
            rtxSsrc = Ids.ssrc();
            active = true;
        }
    }

    Participant(Room room, String id, String name, ParticipantListener listener) {
        this.room = room;
        this.id = id;
        this.name = name;
        this.listener = listener;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Room room() {
        return room;
    }

    /** Whether it publishes any track now. On the room's control thread only (where listener calls run). */
    public boolean publishesTracks() {
        return !tracks.isEmpty();
    }

    /**
     * Media counters as of the last second: what the participant publishes (inbound) and what Parley forwards
     * to it (outbound), per kind. Safe to call from any thread, e.g. a metrics scrape.
     */
    public List<StreamStats> mediaStats() {
        List<StreamStats> all = new ArrayList<>();
        PeerTransport pub = publisher;
        PeerTransport sub = subscriber;
        if (pub != null) {
            all.addAll(pub.stats());
        }
        if (sub != null) {
            all.addAll(sub.stats());
        }
        return all;
    }

    /**
     * Parley's estimate, in bits per second, of what it can send to this participant (from its transport-cc
     * feedback), as of the last once-a-second tick; -1 while unknown. Safe to call from any thread.
     */
    public long availableBitrateBps() {
        PeerTransport sub = subscriber;
        return sub == null ? -1 : sub.lastAvailableBitrateBps();
    }

    /** The ICE username fragment the client gave for its publisher connection, null before its first offer. */
    public String publisherUfrag() {
        PeerTransport pub = publisher;
        IceParameters remote = pub == null ? null : pub.remote();
        return remote == null ? null : remote.ufrag();
    }

    public ParticipantInfo info() {
        return new ParticipantInfo(id, name, audioMuted, videoMuted);
    }

    /**
     * Applies the browser's offer for its publisher connection and returns Parley's answer.
     * Fails with {@link SdpException} when the offer is unusable, or {@link TooManyTracksException} when it would
     * exceed the room's track limits; nothing changes then.
     */
    public CompletableFuture<String> publish(String offer) {
        return publish(offer, Map.of());
    }

    /**
     * As {@link #publish(String)}, with the source of some of the offer's sections by mid (the others are
     * microphones and cameras). Also fails with {@link SdpException} when a declared mid is not a section the
     * answer accepts or a track would change its source, and {@link TooManyScreensException} when more than one
     * section is a screen; nothing changes then.
     */
    public CompletableFuture<String> publish(String offer, Map<String, TrackSource> sources) {
        Map<String, TrackSource> declared = Map.copyOf(sources);
        return room.call(() -> {
            ensureActive();
            PeerTransport transport = publisher;
            boolean fresh = transport == null;
            if (fresh) {
                transport = room.media().createTransport(room.name(), "publisher " + id, timeoutListener());
            }
            PublisherNegotiation.Result result;
            Map<String, TrackSource> trackSources;
            LocalTransport restarted = null;
            try {
                result = PublisherNegotiation.answer(offer, transport.local(), sessionId);
                IceParameters known = transport.remote();
                if (known != null && !known.ufrag().equals(result.remote().ufrag())) {
                    // An ICE restart: the answer carries new credentials of ours, put in force once it is sure.
                    restarted = transport.freshCredentials();
                    result = PublisherNegotiation.answer(offer, restarted, sessionId);
                }
                // Each accepted m-section is one track afterwards; those the offer no longer has are removed.
                room.checkTrackLimits(this, result.tracks().size());
                trackSources = TrackSources.resolve(result.tracks(), declared, mid -> {
                    Track t = trackByMid(mid);
                    return t == null ? null : t.source();
                });
            } catch (SdpException | TooManyTracksException | TooManyScreensException e) {
                if (fresh) {
                    transport.close();
                }
                throw e;
            }
            publisher = transport;
            if (restarted != null) {
                publisher.restartIce(restarted, result.remote());
            }
            publisher.setRemote(result.remote());
            List<String> mids = new ArrayList<>();
            for (PublishedTrack pt : result.tracks()) {
                mids.add(pt.mid());
                if (trackByMid(pt.mid()) == null) {
                    Track track = new Track("t" + Ids.random(11), this, pt.kind(), pt.codec(), publisher.addPublishedTrack(pt),
                            trackSources.get(pt.mid()));
                    if (pt.simulcast()) {
                        tellNeededLayers(track, pt);
                    }
                    tracks.add(track);
                    room.trackPublished(this, track);
                }
            }
            for (Iterator<Track> it = tracks.iterator(); it.hasNext(); ) {
                Track t = it.next();
                if (!mids.contains(t.stream().mid())) {
                    it.remove();
                    t.stream().close();
                    room.trackUnpublished(t);
                    for (Participant p : room.members()) {
                        if (p != this) {
                            p.unsubscribe(t);
                            p.renegotiateSubscriber();
                        }
                    }
                }
            }
            return result.answer();
        });
    }

    /**
     * Applies the browser's answer to subscriber offer {@code version}. Fails with {@link StaleAnswerException}
     * when a newer offer has replaced it, or {@link SdpException} when the answer is unusable.
     */
    public CompletableFuture<Void> acceptSubscriberAnswer(String answer, int version) {
        return room.call(() -> {
            ensureActive();
            if (awaitedVersion == 0 || version != awaitedVersion) {
                throw new StaleAnswerException(version, offerVersion);
            }
            SubscriberOffer.Answer read = SubscriberOffer.readAnswer(answer, offeredSections);
            IceParameters remote = read.remote();
            if (remote != null) {
                // New browser credentials here answer an ICE restart offer (restartSubscriberIce).
                subscriber.setRemote(remote);
            } else {
                // Every m-section rejected: nothing to receive, so no ICE consent is owed on this connection.
                subscriber.suspendConsent();
            }
            awaitedVersion = 0;
            for (int i = 0; i < offeredSections; i++) {
                Section s = sections.get(i);
                boolean accepted = read.accepted(i);
                if (s.active && !s.forwarding && accepted) {
                    if (read.acceptedRtx(i) && s.source.kind() == MediaKind.VIDEO) {
                        s.source.stream().addSubscriber(subscriber, s.ssrc, s.source.codec().subscriberPayloadType(),
                                s.rtxSsrc, RtxOffer.subscriberPayloadType(s.source.codec()));
                    } else {
                        s.source.stream().addSubscriber(subscriber, s.ssrc, s.source.codec().subscriberPayloadType());
                    }
                    s.forwarding = true;
                    s.paused = false;
                    int[] size = s.source.kind() == MediaKind.VIDEO ? videoSizes.get(s.source.owner().id()) : null;
                    if (size != null) {
                        s.source.stream().setVideoSize(subscriber, size[0], size[1]);
                    }
                } else if (s.forwarding && !accepted) {
                    s.source.stream().removeSubscriber(subscriber);
                    s.forwarding = false;
                }
            }
            applyVideoShown();
            renegotiateSubscriber();
            return null;
        });
    }

    /** Records that the participant muted or unmuted its microphone, or turned its camera off or on; others are told. */
    public CompletableFuture<Void> setMuted(MediaKind kind, boolean muted) {
        return room.call(() -> {
            ensureActive();
            boolean changed = muted != (kind == MediaKind.AUDIO ? audioMuted : videoMuted);
            if (kind == MediaKind.AUDIO) {
                audioMuted = muted;
            } else {
                videoMuted = muted;
            }
            room.updated(this);
            if (changed) {
                room.muted(this, kind, muted); // taps hear of changes only
            }
            return null;
        });
    }

    /** Leaves the room; the others are told with {@code reason}. Leaving twice is harmless. */
    public CompletableFuture<Void> leave(LeaveReason reason) {
        return room.call(() -> {
            if (!left) {
                close();
                room.remove(this, reason);
            }
            return null;
        });
    }

    // --- on the room's control executor ---

    ParticipantListener listener() {
        return listener;
    }

    List<Track> tracks() {
        return tracks;
    }

    void removeBy(LeaveReason reason) {
        if (left) {
            return;
        }
        close();
        room.remove(this, reason);
        listener.onRemoved(reason);
    }

    void subscribe(Track track) {
        if (left || !listener.receivesTracks()) {
            return;
        }
        if (subscriber == null) {
            try {
                subscriber = room.media().createTransport(room.name(), "subscriber " + id, timeoutListener());
            } catch (MediaPortsExhaustedException e) {
                // Joins are refused before the range runs out; should it still, this track waits for the next one.
                log.warn("{} cannot subscribe to {}: {}", id, track, e.getMessage());
                return;
            }
        }
        for (Section s : sections) {
            if (!s.active && !s.forwarding && s.source.kind() == track.kind()) {
                s.reuseFor(track);
                subscriptionsChanged = true;
                return;
            }
        }
        if (sections.size() >= SubscriberOffer.MAX_SECTIONS) {
            // A bigger offer would be refused by the browser (and its answer by Parley): wait for a free section.
            unplaced.add(track);
            return;
        }
        sections.add(new Section(String.valueOf(nextMid++), track));
        subscriptionsChanged = true;
    }

    void unsubscribe(Track track) {
        unplaced.remove(track);
        for (Section s : sections) {
            if (s.source == track && s.active) {
                s.active = false;
                if (s.forwarding) {
                    s.source.stream().removeSubscriber(subscriber);
                    s.forwarding = false;
                }
                subscriptionsChanged = true;
                placeWaitingTrack(s);
            }
        }
    }

    /** Gives a section that just became free to the first waiting track of its kind. */
    private void placeWaitingTrack(Section free) {
        for (Iterator<Track> it = unplaced.iterator(); it.hasNext(); ) {
            Track t = it.next();
            if (t.kind() == free.source.kind()) {
                it.remove();
                free.reuseFor(t);
                return;
            }
        }
    }

    void unsubscribeFrom(Participant gone) {
        videoSizes.remove(gone.id());
        for (Track t : gone.tracks) {
            unsubscribe(t);
        }
    }

    /**
     * Sends a new subscriber offer if subscriptions changed and no offer is outstanding; an outstanding
     * offer defers this until its answer arrives, so changes that pile up go out as one offer.
     */
    void renegotiateSubscriber() {
        if (left || !subscriptionsChanged || awaitedVersion != 0 || sections.isEmpty()) {
            return;
        }
        subscriptionsChanged = false;
        offerVersion++;
        awaitedVersion = offerVersion;
        offeredSections = sections.size();
        List<SubscriberOffer.Section> offer = new ArrayList<>(sections.size());
        for (Section s : sections) {
            Track t = s.source;
            offer.add(new SubscriberOffer.Section(s.mid, t.kind(), s.active, t.codec(), s.ssrc, t.owner().id(), t.id(),
                    t.source(), s.rtxSsrc));
        }
        listener.onSubscriberOffer(SubscriberOffer.write(sessionId, offerVersion, subscriber.local(), offer), offerVersion);
    }

    /** Last-N: from now on this participant receives video only from {@code owners}' tracks (audio from all). */
    void showVideoOnlyOf(java.util.Set<String> owners) {
        videoShown = owners;
        applyVideoShown();
    }

    /** Pauses and resumes video forwards to match {@link #videoShown}; tells the listener when the paused set changes. */
    private void applyVideoShown() {
        if (videoShown == null || left) {
            return;
        }
        List<String> paused = new ArrayList<>();
        for (Section s : sections) {
            if (!s.active || s.source.kind() != MediaKind.VIDEO) {
                continue;
            }
            String owner = s.source.owner().id();
            boolean pause = !videoShown.contains(owner);
            if (pause && !paused.contains(owner)) {
                paused.add(owner);
            }
            if (s.forwarding && s.paused != pause) {
                s.source.stream().setPaused(subscriber, pause);
                s.paused = pause;
            }
        }
        if (!paused.equals(videoPausedTold)) {
            videoPausedTold = List.copyOf(paused);
            listener.onVideoPaused(videoPausedTold);
        }
    }

    private Track trackByMid(String mid) {
        for (Track t : tracks) {
            if (t.stream().mid().equals(mid)) {
                return t;
            }
        }
        return null;
    }

    private void close() {
        left = true;
        for (Track t : tracks) {
            t.stream().close();
        }
        if (publisher != null) {
            publisher.close();
        }
        if (subscriber != null) {
            subscriber.close();
        }
    }

    private void ensureActive() {
        if (left) {
            throw new IllegalStateException("participant " + id + " has left the room");
        }
    }

    /**
     * The size of the tile (device pixels) in which this participant's page shows {@code publisherId}'s camera;
     * 0x0 when it is not shown. It decides the simulcast layer forwarded to this participant (docs/architecture.md).
     */
    public CompletableFuture<Void> setVideoSize(String publisherId, int width, int height) {
        return room.call(() -> {
            ensureActive();
            boolean present = false;
            for (Participant p : room.members()) {
                present |= p != this && p.id().equals(publisherId);
            }
            if (!present) {
                return null; // gone, or never here: nothing to remember
            }
            videoSizes.put(publisherId, new int[] {width, height});
            for (Section s : sections) {
                if (s.active && s.source.kind() == MediaKind.VIDEO && s.source.owner().id().equals(publisherId)) {
                    if (s.forwarding) {
                        s.source.stream().setVideoSize(subscriber, width, height);
                    }
                }
            }
            return null;
        });
    }

    /** Passes on which of a simulcast track's layers anybody needs, so the publisher can pause the others. */
    private void tellNeededLayers(Track track, PublishedTrack published) {
        track.stream().onNeededLayers(needed -> room.control().execute(() -> {
            if (left || !tracks.contains(track)) {
                return;
            }
            List<String> rids = new ArrayList<>();
            for (int i = 0; i < needed.length; i++) {
                if (needed[i]) {
                    rids.add(published.rids().get(i));
                }
            }
            listener.onPublisherLayers(published.mid(), List.copyOf(rids));
        }));
    }

    private TransportListener timeoutListener() {
        return why -> room.control().execute(() -> {
            if (!heldForReconnect) {
                removeBy(LeaveReason.TIMEOUT);
            }
        });
    }

    // --- reconnecting ---

    /** While true, a lost ICE consent does not remove the participant: its client is reconnecting. */
    private volatile boolean heldForReconnect;

    /**
     * Holds the participant in the room while its client reconnects (its signaling is gone for a grace period
     * the caller bounds): losing ICE consent meanwhile does not remove it. Released, a transport that lost
     * consent meanwhile gets a new allowance for its first check, and fails as usual without one.
     */
    public void holdForReconnect(boolean hold) {
        heldForReconnect = hold;
        if (!hold) {
            room.control().execute(() -> {
                if (!left) {
                    if (publisher != null) {
                        publisher.rearmConsentIfFailed();
                    }
                    if (subscriber != null) {
                        subscriber.rearmConsentIfFailed();
                    }
                }
            });
        }
    }

    /**
     * Restarts ICE on the subscriber connection, where Parley offers: new credentials of ours, and a new
     * subscriber offer carrying them replaces any offer still unanswered (whose answer becomes stale). Also the
     * way to have the current offer again after a reconnect. Nothing happens before the first offer.
     */
    public CompletableFuture<Void> restartSubscriberIce() {
        return room.call(() -> {
            ensureActive();
            if (subscriber == null || offerVersion == 0) {
                return null;
            }
            subscriber.restartIce(subscriber.freshCredentials(), null);
            awaitedVersion = 0;
            subscriptionsChanged = true;
            renegotiateSubscriber();
            return null;
        });
    }
}

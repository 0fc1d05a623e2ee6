package dev.parley.sfu;

import dev.parley.sfu.media.PeerTransport;
import dev.parley.sfu.media.SwitchingRewriter;
import dev.parley.sfu.sdp.IceParameters;
import dev.parley.sfu.sdp.ViewerNegotiation;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Someone who watches a room without being in it (a WHEP client): one connection that receives the room's
 * current speaker's video and audio. When the speaker changes the viewer keeps its two SSRCs and continuous
 * numbering (see {@link SwitchingRewriter}); video switches at the new speaker's next keyframe, which is
 * requested at once. Viewers do not appear in the participant list.
 *
 * <p>State is owned by the room's control executor; the public methods are safe to call from any thread.
 */
public final class Viewer {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Room room;
    private final String id;
    private final PeerTransport transport;
    private final ViewerNegotiation.Result negotiated;
    private final Consumer<LeaveReason> onEnded;
    private final SwitchingRewriter audioRewriter;
    private final SwitchingRewriter videoRewriter;
    private Track audioSource;
    private Track videoSource;
    private boolean closed;

    Viewer(Room room, String id, PeerTransport transport, ViewerNegotiation.Result negotiated, Consumer<LeaveReason> onEnded) {
        this.room = room;
        this.id = id;
        this.transport = transport;
        this.negotiated = negotiated;
        this.onEnded = onEnded;
        this.audioRewriter = negotiated.audio() == null ? null : new SwitchingRewriter(SwitchingRewriter.Payload.AUDIO,
                negotiated.audio().codec().clockRate(), RANDOM.nextInt(0x10000), RANDOM.nextInt());
        this.videoRewriter = negotiated.video() == null ? null : new SwitchingRewriter(
                negotiated.video().codec().name().equalsIgnoreCase("VP8") ? SwitchingRewriter.Payload.VP8 : SwitchingRewriter.Payload.H264,
                negotiated.video().codec().clockRate(), RANDOM.nextInt(0x10000), RANDOM.nextInt());
    }

    public String id() {
        return id;
    }

    public Room room() {
        return room;
    }

    /** Parley's SDP answer to the viewer's offer. */
    public String answer() {
        return negotiated.answer();
    }

    /** The viewer's ICE credentials (from its offer). */
    public IceParameters remote() {
        return transport.remote();
    }

    /** The participant whose video the viewer receives now, or null when nobody publishes video (for tests and status). */
    public CompletableFuture<String> videoSourceParticipant() {
        return room.call(() -> videoSource == null ? null : videoSource.owner().id());
    }

    /** Stops watching. Closing twice is harmless. */
    public CompletableFuture<Void> close() {
        return room.call(() -> {
            closeOnControl();
            room.removeViewer(this);
            return null;
        });
    }

    // --- on the room's control executor ---

    /** Points the viewer at {@code speaker}'s tracks (or keeps or picks sources when it has none of a kind). */
    void follow(Participant speaker) {
        if (closed) {
            return;
        }
        if (negotiated.audio() != null) {
            Track next = choose(speaker, MediaKind.AUDIO, audioSource);
            if (next != audioSource) {
                switchTo(MediaKind.AUDIO, next);
            }
        }
        if (negotiated.video() != null) {
            Track next = choose(speaker, MediaKind.VIDEO, videoSource);
            if (next != videoSource) {
                switchTo(MediaKind.VIDEO, next);
            }
        }
    }

    /** A track went away: the viewer stops receiving it (and follows someone else on the next {@link #follow}). */
    void trackGone(Track t) {
        if (t == audioSource) {
            t.stream().removeSubscriber(transport);
            audioSource = null;
        }
        if (t == videoSource) {
            t.stream().removeSubscriber(transport);
            videoSource = null;
        }
    }

    void closeOnControl() {
        if (closed) {
            return;
        }
        closed = true;
        if (audioSource != null) {
            audioSource.stream().removeSubscriber(transport);
        }
        if (videoSource != null) {
            videoSource.stream().removeSubscriber(transport);
        }
        transport.close();
    }

    void timedOut() {
        if (!closed) {
            closeOnControl();
            room.removeViewer(this);
            onEnded.accept(LeaveReason.TIMEOUT);
        }
    }

    void roomClosing(LeaveReason reason) {
        if (!closed) {
            closeOnControl();
            onEnded.accept(reason);
        }
    }

    private Track choose(Participant speaker, MediaKind kind, Track current) {
        ViewerNegotiation.Section section = kind == MediaKind.AUDIO ? negotiated.audio() : negotiated.video();
        if (speaker != null) {
            Track t = trackOf(speaker, kind, section);
            if (t != null) {
                return t;
            }
        }
        if (current != null && current.owner().tracks().contains(current)) {
            return current;
        }
        for (Participant p : room.members()) {
            Track t = trackOf(p, kind, section);
            if (t != null) {
                return t;
            }
        }
        return null;
    }

    private static Track trackOf(Participant p, MediaKind kind, ViewerNegotiation.Section section) {
        for (Track t : p.tracks()) {
            if (t.kind() == kind && t.codec().name().equalsIgnoreCase(section.codec().name())) {
                return t;
            }
        }
        return null;
    }

    private void switchTo(MediaKind kind, Track next) {
        Track previous = kind == MediaKind.AUDIO ? audioSource : videoSource;
        if (previous != null) {
            previous.stream().removeSubscriber(transport);
        }
        if (next != null) {
            ViewerNegotiation.Section s = kind == MediaKind.AUDIO ? negotiated.audio() : negotiated.video();
            next.stream().addSwitchedSubscriber(transport, s.ssrc(), s.payloadType(),
                    kind == MediaKind.AUDIO ? audioRewriter : videoRewriter);
        }
        if (kind == MediaKind.AUDIO) {
            audioSource = next;
        } else {
            videoSource = next;
        }
    }
}

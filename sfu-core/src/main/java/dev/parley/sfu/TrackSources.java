package dev.parley.sfu;

import dev.parley.sfu.sdp.PublishedTrack;
import dev.parley.sfu.sdp.SdpException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Decides the source of each track a publisher's offer sends, from what its {@code publish} declared (mid to
 * source), before anything changes: a refused declaration leaves the previous publish in force.
 *
 * <p>Rules: an undeclared section is a microphone (audio) or a camera (video); {@code camera} and
 * {@code screen} are for video sections, {@code microphone} for audio ones; every declared mid is a section the
 * answer accepts; a track keeps the source it was first published with (a subscriber's layout must not change
 * under it); and at most one section is a screen, since one person presents one screen at a time.
 */
final class TrackSources {
    static final int MAX_SCREENS = 1;

    private TrackSources() {}

    /**
     * @param existing the source of the participant's track already published under a mid, or null for a new one
     * @return the source of every accepted track, by mid
     */
    static Map<String, TrackSource> resolve(List<PublishedTrack> tracks, Map<String, TrackSource> declared,
                                            Function<String, TrackSource> existing) throws SdpException, TooManyScreensException {
        Map<String, TrackSource> sources = new HashMap<>();
        for (PublishedTrack t : tracks) {
            sources.put(t.mid(), TrackSource.defaultFor(t.kind()));
        }
        for (Map.Entry<String, TrackSource> d : declared.entrySet()) {
            String mid = d.getKey();
            TrackSource source = d.getValue();
            PublishedTrack track = tracks.stream().filter(t -> t.mid().equals(mid)).findFirst().orElse(null);
            if (track == null) {
                throw new SdpException("'sources' names mid " + mid + ", which is not a section this offer sends");
            }
            if ((source == TrackSource.MICROPHONE) != (track.kind() == MediaKind.AUDIO)) {
                throw new SdpException("mid " + mid + " is " + track.kind().sdpName() + " and cannot be a "
                        + source.wireName());
            }
            sources.put(mid, source);
        }
        int screens = 0;
        for (Map.Entry<String, TrackSource> s : sources.entrySet()) {
            TrackSource before = existing.apply(s.getKey());
            if (before != null && before != s.getValue()) {
                throw new SdpException("mid " + s.getKey() + " was published as " + before.wireName()
                        + " and cannot become " + s.getValue().wireName() + "; send it in a new section");
            }
            if (s.getValue() == TrackSource.SCREEN) {
                screens++;
            }
        }
        if (screens > MAX_SCREENS) {
            throw new TooManyScreensException("a participant shares at most " + MAX_SCREENS
                    + " screen; this offer declares " + screens);
        }
        return sources;
    }
}

package dev.parley.sfu;

/** The kind of a track, as in SDP's {@code m=} line. */
public enum MediaKind {
    AUDIO, VIDEO;

    public String sdpName() {
        return this == AUDIO ? "audio" : "video";
    }
}

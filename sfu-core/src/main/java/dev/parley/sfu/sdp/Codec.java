package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;

/**
 * A negotiated codec: what the publisher sends, and what Parley offers its subscribers.
 *
 * @param fmtp format parameters, verbatim from the publisher's offer (empty when none)
 */
public record Codec(MediaKind kind, String name, int clockRate, int channels, String fmtp) {
    /** The payload type Parley uses for this codec towards subscribers, whatever the publisher used. */
    public int subscriberPayloadType() {
        return switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "OPUS" -> 111;
            case "VP8" -> 96;
            case "H264" -> 102;
            default -> throw new IllegalStateException("no payload type for codec " + name);
        };
    }

    String rtpmap() {
        return name + "/" + clockRate + (channels > 1 ? "/" + channels : "");
    }
}

package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;

/**
 * A track a publisher's offer sends and Parley's answer accepts.
 *
 * @param payloadType the publisher's payload type for {@code codec}
 * @param ssrc the media SSRC announced in the offer
 * @param audioLevelExtension the RFC 6464 header extension id, 0 when not negotiated
 */
public record PublishedTrack(String mid, MediaKind kind, Codec codec, int payloadType, int ssrc, int audioLevelExtension) {}

package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;
import java.util.List;

/**
 * A track a publisher's offer sends and Parley's answer accepts.
 *
 * @param payloadType the publisher's payload type for {@code codec}
 * @param ssrc the media SSRC announced in the offer; meaningless when {@code ssrcSignaled} is false
 * @param ssrcSignaled whether the offer announced the SSRC ({@code a=ssrc}); when it did not, Parley learns it
 *     from the first packet whose mid header extension names this track's m-section
 * @param audioLevelExtension the RFC 6464 header extension id, 0 when not negotiated
 * @param midExtension the RFC 8843 mid header extension id, 0 when not negotiated
 * @param rtxPayloadType the publisher's RFC 4588 retransmission payload type for {@code codec}, -1 when not
 *     negotiated
 * @param rtxSsrc the retransmission SSRC the offer paired with {@code ssrc} ({@code a=ssrc-group:FID});
 *     meaningless when {@code rtxSsrcSignaled} is false, and then learnt like {@code ssrc}
 * @param transportCcExtension the transport-wide sequence number header extension id, 0 when not negotiated
 * @param rids the simulcast layers' RTP stream ids (RFC 8853), lowest layer first; empty without simulcast
 * @param ridExtension the RFC 8852 rtp-stream-id header extension id, 0 when not negotiated
 * @param repairedRidExtension the repaired-rtp-stream-id header extension id, 0 when not negotiated
 */
public record PublishedTrack(String mid, MediaKind kind, Codec codec, int payloadType, int ssrc, boolean ssrcSignaled,
                             int audioLevelExtension, int midExtension, int rtxPayloadType, int rtxSsrc,
                             boolean rtxSsrcSignaled, int transportCcExtension, List<String> rids, int ridExtension,
                             int repairedRidExtension) {
    public PublishedTrack {
        rids = List.copyOf(rids);
    }

    /** A track without retransmissions, transport-wide congestion control or simulcast. */
    public PublishedTrack(String mid, MediaKind kind, Codec codec, int payloadType, int ssrc, boolean ssrcSignaled,
                          int audioLevelExtension, int midExtension) {
        this(mid, kind, codec, payloadType, ssrc, ssrcSignaled, audioLevelExtension, midExtension, -1, 0, false, 0,
                List.of(), 0, 0);
    }

    /** Whether the publisher may send retransmissions in the RFC 4588 format. */
    public boolean hasRtx() {
        return rtxPayloadType >= 0;
    }

    /** Whether the publisher sends this track as simulcast layers, each its own SSRC named by its rid. */
    public boolean simulcast() {
        return !rids.isEmpty();
    }
}

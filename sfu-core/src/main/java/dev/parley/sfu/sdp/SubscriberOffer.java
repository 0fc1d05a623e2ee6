package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.TrackSource;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes Parley's offers for a subscriber connection and reads the browser's answers.
 *
 * <p>Every remote track is one m-section Parley sends on, identified by {@code a=msid:<participant> <track>}
 * and one SSRC Parley chose for this subscriber. A track whose publisher left stays in the SDP as
 * {@code inactive} until a new track of the same kind takes its m-section over (with a new msid and SSRC):
 * m-sections are never removed, and keeping them bundled means the subscriber's single transport survives
 * even when everyone else has left.
 */
public final class SubscriberOffer {
    /**
     * The most m-sections a subscriber offer carries. A section costs about 600 bytes of SDP in the offer and
     * the browser's answer alike, so 256 keep both well inside the 256 KiB an SDP (and a signaling message) may
     * have, and inside what browsers handle smoothly. Tracks beyond it wait for a section to free up.
     */
    public static final int MAX_SECTIONS = 256;

    /**
     * A browser's answer: its transport parameters, null when it rejected every m-section (port 0), which
     * leaves nothing to receive; and which sections it accepted, by position.
     */
    public record Answer(IceParameters remote, List<Boolean> acceptedSections, List<Boolean> rtxSections) {
        public Answer(IceParameters remote, List<Boolean> acceptedSections) {
            this(remote, acceptedSections, java.util.Collections.nCopies(acceptedSections.size(), false));
        }

        public boolean accepted(int section) {
            return acceptedSections.get(section);
        }

        /** Whether the browser kept retransmissions (RFC 4588) in that section: else it gets them on the media SSRC. */
        public boolean acceptedRtx(int section) {
            return rtxSections.get(section);
        }
    }

    /**
     * One m-section of a subscriber offer.
     *
     * @param source what the track carries; a screen is marked {@code a=content:slides} (RFC 4796), which is how
     *     the subscriber tells a shared screen from a camera
     * @param rtxSsrc video: the SSRC of the retransmission stream paired with {@code ssrc}, offered with the
     *     codec's {@code rtx} payload type; 0 to offer none
     */
    public record Section(String mid, MediaKind kind, boolean active, Codec codec, int ssrc, String streamId, String trackId,
                          TrackSource source, int rtxSsrc) {
        public Section(String mid, MediaKind kind, boolean active, Codec codec, int ssrc, String streamId, String trackId) {
            this(mid, kind, active, codec, ssrc, streamId, trackId, TrackSource.defaultFor(kind), 0);
        }

        boolean offersRtx() {
            return kind == MediaKind.VIDEO && rtxSsrc != 0;
        }
    }

    private SubscriberOffer() {}

    public static String write(long sessionId, int version, LocalTransport local, List<Section> sections) {
        if (sections.isEmpty()) {
            throw new IllegalArgumentException("a subscriber offer needs at least one m-section");
        }
        List<String> mids = new ArrayList<>();
        for (Section s : sections) {
            mids.add(s.mid());
        }
        StringBuilder sdp = new StringBuilder(1024 + 600 * sections.size());
        sdp.append("v=0\r\n")
                .append("o=- ").append(sessionId).append(' ').append(version).append(" IN IP4 127.0.0.1\r\n")
                .append("s=-\r\n")
                .append("t=0 0\r\n")
                .append("a=ice-lite\r\n")
                .append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n")
                .append("a=msid-semantic: WMS *\r\n");
        for (Section s : sections) {
            int pt = s.codec().subscriberPayloadType();
            int rtxPt = RtxOffer.subscriberPayloadType(s.codec());
            sdp.append("m=").append(s.kind().sdpName()).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt)
                    .append(s.offersRtx() ? " " + rtxPt : "").append("\r\n");
            sdp.append("c=IN IP4 0.0.0.0\r\n");
            sdp.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
            local.writeTo(sdp, "actpass");
            sdp.append("a=mid:").append(s.mid()).append("\r\n");
            // Under the id Parley stamps its own transport sequence numbers with (TransportCcSender).
            sdp.append("a=extmap:").append(TransportSequenceExtension.PARLEY_ID).append(' ')
                    .append(TransportSequenceExtension.URI).append("\r\n");
            sdp.append(s.active() ? "a=sendonly\r\n" : "a=inactive\r\n");
            sdp.append("a=msid:").append(s.streamId()).append(' ').append(s.trackId()).append("\r\n");
            if (s.source() == TrackSource.SCREEN) {
                sdp.append("a=content:slides\r\n");
            }
            sdp.append("a=rtcp-mux\r\n");
            sdp.append("a=rtcp-rsize\r\n");
            sdp.append("a=rtpmap:").append(pt).append(' ').append(s.codec().rtpmap()).append("\r\n");
            if (!s.codec().fmtp().isEmpty()) {
                sdp.append("a=fmtp:").append(pt).append(' ').append(s.codec().fmtp()).append("\r\n");
            }
            if (s.kind() == MediaKind.VIDEO) {
                sdp.append("a=rtcp-fb:").append(pt).append(" nack\r\n");
                sdp.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
                sdp.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
            }
            if (s.offersRtx()) {
                RtxOffer.writeRtpmap(sdp, rtxPt, pt);
            }
            sdp.append("a=rtcp-fb:").append(pt).append(" transport-cc\r\n");
            long ssrc = s.ssrc() & 0xFFFFFFFFL;
            long rtxSsrc = s.rtxSsrc() & 0xFFFFFFFFL;
            if (s.offersRtx()) {
                sdp.append("a=ssrc-group:FID ").append(ssrc).append(' ').append(rtxSsrc).append("\r\n");
            }
            sdp.append("a=ssrc:").append(ssrc).append(" cname:").append(s.streamId()).append("\r\n");
            sdp.append("a=ssrc:").append(ssrc).append(" msid:").append(s.streamId()).append(' ').append(s.trackId()).append("\r\n");
            if (s.offersRtx()) {
                sdp.append("a=ssrc:").append(rtxSsrc).append(" cname:").append(s.streamId()).append("\r\n");
                sdp.append("a=ssrc:").append(rtxSsrc).append(" msid:").append(s.streamId()).append(' ').append(s.trackId()).append("\r\n");
            }
            local.writeCandidates(sdp);
        }
        return sdp.toString();
    }

    /**
     * Reads the browser's answer: its transport parameters, checked against what the offer allows.
     * An answer that rejects every m-section (port 0, as some stacks do once every track is inactive) is
     * valid and carries no transport parameters.
     *
     * @param sectionCount how many m-sections the answered offer had
     */
    public static Answer readAnswer(String answer, int sectionCount) throws SdpException {
        SessionDescription sdp = SessionDescription.parse(answer);
        if (sdp.media().size() != sectionCount) {
            throw new SdpException("the answer has " + sdp.media().size() + " m-sections, the offer had " + sectionCount);
        }
        List<Boolean> accepted = new ArrayList<>(sectionCount);
        List<Boolean> rtx = new ArrayList<>(sectionCount);
        boolean any = false;
        for (MediaSection m : sdp.media()) {
            accepted.add(m.port() != 0);
            rtx.add(m.port() != 0 && RtxOffer.accepted(m));
            any |= m.port() != 0;
        }
        if (!any) {
            return new Answer(null, List.copyOf(accepted), List.copyOf(rtx));
        }
        IceParameters remote = PublisherNegotiation.remoteParameters(sdp);
        if (!remote.setup().equals("active")) {
            throw new SdpException("the answer must take the DTLS client role (a=setup:active), not " + remote.setup());
        }
        return new Answer(remote, List.copyOf(accepted), List.copyOf(rtx));
    }
}

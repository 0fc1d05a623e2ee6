package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers a viewer's offer (WHEP): the viewer receives one audio and one video stream, Parley sends.
 *
 * <p>The first audio m-section that can receive Opus and the first video m-section that can receive VP8 (else
 * H.264 packetization-mode 1) are accepted as {@code sendonly}, each with one SSRC; every other section is
 * rejected. The payload types are the viewer's own.
 */
public final class ViewerNegotiation {
    /** One accepted m-section: what Parley sends on it. */
    public record Section(String mid, Codec codec, int payloadType, int ssrc) {}

    /** The answer, the viewer's transport parameters, and the accepted sections (null when none of that kind). */
    public record Result(String answer, IceParameters remote, Section audio, Section video) {}

    private ViewerNegotiation() {}

    /**
     * @param audioSsrc the SSRC to send audio under
     * @param videoSsrc the SSRC to send video under
     * @param streamId the msid stream both tracks are announced in
     * @throws SdpException when the offer is unusable or receives neither audio nor video Parley can send
     */
    public static Result answer(String offer, LocalTransport local, long sessionId, int audioSsrc, int videoSsrc,
                                String streamId) throws SdpException {
        SessionDescription sdp = SessionDescription.parse(offer);
        if (sdp.media().isEmpty()) {
            throw new SdpException("the offer has no media sections");
        }
        IceParameters remote = PublisherNegotiation.remoteParameters(sdp);
        Set<String> bundled = Set.copyOf(sdp.bundleMids());
        Section audio = null;
        Section video = null;
        List<String> mids = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        Set<String> seen = new java.util.HashSet<>();
        for (MediaSection m : sdp.media()) {
            String mid = m.attribute("mid");
            if (mid == null || !mid.matches("[A-Za-z0-9_.\\-]{1,32}") || !seen.add(mid)) {
                throw new SdpException("every m-section needs a unique, valid a=mid (unified plan)");
            }
            MediaKind kind = switch (m.kind()) {
                case "audio" -> MediaKind.AUDIO;
                case "video" -> MediaKind.VIDEO;
                default -> null;
            };
            Section accepted = null;
            boolean wanted = kind != null && PublisherNegotiation.isOffered(m, bundled.contains(mid))
                    && (m.direction().equals("recvonly") || m.direction().equals("sendrecv"))
                    && (kind == MediaKind.AUDIO ? audio == null : video == null);
            if (wanted) {
                if (!m.protocol().equals("UDP/TLS/RTP/SAVPF")) {
                    throw new SdpException("m=" + m.kind() + " uses " + m.protocol() + "; Parley needs UDP/TLS/RTP/SAVPF");
                }
                Map<Integer, Codec> codecs = PublisherNegotiation.codecs(m, kind);
                int pt = PublisherNegotiation.chooseCodec(kind, codecs, m.formats());
                if (pt >= 0) {
                    accepted = new Section(mid, codecs.get(pt), pt, kind == MediaKind.AUDIO ? audioSsrc : videoSsrc);
                }
            }
            if (accepted == null) {
                String formats = m.formats().isEmpty() ? "0" : String.join(" ", m.formats());
                body.append("m=").append(m.kind()).append(" 0 ").append(m.protocol()).append(' ').append(formats).append("\r\n")
                        .append("c=IN IP4 0.0.0.0\r\n")
                        .append("a=mid:").append(mid).append("\r\n")
                        .append("a=inactive\r\n");
                continue;
            }
            if (kind == MediaKind.AUDIO) {
                audio = accepted;
            } else {
                video = accepted;
            }
            mids.add(mid);
            writeAccepted(body, m.kind(), accepted, local, streamId);
        }
        if (audio == null && video == null) {
            throw new SdpException("the offer receives neither Opus audio nor VP8/H.264 video (recvonly m-sections)");
        }
        StringBuilder answer = new StringBuilder(2048);
        answer.append("v=0\r\n")
                .append("o=- ").append(sessionId).append(" 2 IN IP4 127.0.0.1\r\n")
                .append("s=-\r\n")
                .append("t=0 0\r\n")
                .append("a=ice-lite\r\n")
                .append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n")
                .append("a=msid-semantic: WMS ").append(streamId).append("\r\n")
                .append(body);
        return new Result(answer.toString(), remote, audio, video);
    }

    private static void writeAccepted(StringBuilder sdp, String kind, Section s, LocalTransport local, String streamId) {
        int pt = s.payloadType();
        sdp.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n");
        sdp.append("c=IN IP4 0.0.0.0\r\n");
        sdp.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
        local.writeTo(sdp, "passive");
        sdp.append("a=mid:").append(s.mid()).append("\r\n");
        sdp.append("a=sendonly\r\n");
        sdp.append("a=msid:").append(streamId).append(' ').append(kind).append("\r\n");
        sdp.append("a=rtcp-mux\r\n");
        sdp.append("a=rtcp-rsize\r\n");
        sdp.append("a=rtpmap:").append(pt).append(' ').append(s.codec().rtpmap()).append("\r\n");
        if (!s.codec().fmtp().isEmpty()) {
            sdp.append("a=fmtp:").append(pt).append(' ').append(s.codec().fmtp()).append("\r\n");
        }
        if (s.codec().kind() == MediaKind.VIDEO) {
            sdp.append("a=rtcp-fb:").append(pt).append(" nack\r\n");
            sdp.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
            sdp.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
        }
        long ssrc = s.ssrc() & 0xFFFFFFFFL;
        sdp.append("a=ssrc:").append(ssrc).append(" cname:").append(streamId).append("\r\n");
        sdp.append("a=ssrc:").append(ssrc).append(" msid:").append(streamId).append(' ').append(kind).append("\r\n");
        local.writeCandidates(sdp);
    }
}

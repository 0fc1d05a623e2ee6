package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Answers a publisher's offer: the browser sends its microphone and camera, Parley receives.
 *
 * <p>Parley accepts one codec per m-section (Opus for audio; VP8, else H.264 packetization-mode 1, for
 * video) and, for video, that codec's RFC 4588 retransmission format ({@code rtx} with {@code apt}, see
 * {@link RtxOffer}; for simulcast only together with the repaired-rtp-stream-id extension); no FEC; the mid, audio-level and transport-cc header extensions; and up to
 * three simulcast layers of video named by rid (see {@link SimulcastOffer}). The browser then
 * sends exactly the first codec of the answer, so subscribers can be offered just that codec. A section
 * without {@code a=ssrc} is accepted when the mid extension is negotiated: its SSRC is learnt from the packets.
 */
public final class PublisherNegotiation {
    static final String EXT_MID = "urn:ietf:params:rtp-hdrext:sdes:mid";
    static final String EXT_AUDIO_LEVEL = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";

    /** The answer to send back, the browser's transport parameters, and the tracks it will send. */
    public record Result(String answer, IceParameters remote, List<PublishedTrack> tracks) {}

    private PublisherNegotiation() {}

    public static Result answer(String offer, LocalTransport local, long sessionId) throws SdpException {
        SessionDescription sdp = SessionDescription.parse(offer);
        if (sdp.media().isEmpty()) {
            throw new SdpException("the offer has no media sections");
        }
        IceParameters remote = remoteParameters(sdp);
        List<PublishedTrack> tracks = new ArrayList<>();
        List<String> mids = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        Set<String> seenMids = new HashSet<>();
        Set<String> bundled = Set.copyOf(sdp.bundleMids());
        for (MediaSection m : sdp.media()) {
            String mid = m.attribute("mid");
            if (mid == null || mid.isEmpty()) {
                throw new SdpException("every m-section needs a=mid (unified plan); m=" + m.kind() + " has none");
            }
            if (!mid.matches("[A-Za-z0-9_.\\-]{1,32}") || !seenMids.add(mid)) {
                throw new SdpException("a=mid:" + mid + " is invalid or repeated");
            }
            PublishedTrack track = accept(m, mid, bundled.contains(mid));
            if (track == null) {
                writeRejected(body, m, mid);
                continue;
            }
            tracks.add(track);
            mids.add(mid);
            writeAccepted(body, m, track, local);
        }
        StringBuilder answer = new StringBuilder();
        answer.append("v=0\r\n")
                .append("o=- ").append(sessionId).append(" 2 IN IP4 127.0.0.1\r\n")
                .append("s=-\r\n")
                .append("t=0 0\r\n")
                .append("a=ice-lite\r\n");
        if (!mids.isEmpty()) {
            answer.append("a=group:BUNDLE ").append(String.join(" ", mids)).append("\r\n");
        }
        answer.append("a=msid-semantic: WMS\r\n");
        answer.append(body);
        return new Result(answer.toString(), remote, List.copyOf(tracks));
    }

    static IceParameters remoteParameters(SessionDescription sdp) throws SdpException {
        MediaSection first = null;
        for (MediaSection m : sdp.media()) {
            if (m.port() != 0) {
                first = m;
                break;
            }
        }
        if (first == null) {
            throw new SdpException("every m-section is rejected (port 0)");
        }
        String ufrag = sdp.attribute(first, "ice-ufrag");
        String pwd = sdp.attribute(first, "ice-pwd");
        String fingerprint = sdp.attribute(first, "fingerprint");
        String setup = sdp.attribute(first, "setup");
        if (ufrag == null || ufrag.isEmpty() || pwd == null || pwd.isEmpty()) {
            throw new SdpException("missing a=ice-ufrag or a=ice-pwd");
        }
        if (fingerprint == null || !fingerprint.toLowerCase(Locale.ROOT).startsWith("sha-256 ")) {
            throw new SdpException("missing a=fingerprint with sha-256 (DTLS-SRTP is required)");
        }
        if (!fingerprint.substring(8).matches("([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}")) {
            throw new SdpException("a=fingerprint is not a SHA-256 fingerprint: " + fingerprint);
        }
        return new IceParameters(ufrag, pwd, "sha-256 " + fingerprint.substring(8).toUpperCase(Locale.ROOT),
                setup == null ? "actpass" : setup);
    }

    private static PublishedTrack accept(MediaSection m, String mid, boolean bundled) throws SdpException {
        MediaKind kind = switch (m.kind()) {
            case "audio" -> MediaKind.AUDIO;
            case "video" -> MediaKind.VIDEO;
            default -> null;
        };
        if (kind == null || !isOffered(m, bundled)) {
            return null;
        }
        String direction = m.direction();
        if (!direction.equals("sendonly") && !direction.equals("sendrecv")) {
            return null;
        }
        if (!m.protocol().equals("UDP/TLS/RTP/SAVPF")) {
            throw new SdpException("m=" + m.kind() + " uses " + m.protocol() + "; Parley needs UDP/TLS/RTP/SAVPF");
        }
        Map<Integer, Codec> codecs = codecs(m, kind);
        int chosen = chooseCodec(kind, codecs, m.formats());
        if (chosen < 0) {
            return null;
        }
        List<String> rids = SimulcastOffer.rids(m);
        if (!rids.isEmpty() && kind != MediaKind.VIDEO) {
            throw new SdpException("m=" + m.kind() + " offers simulcast; Parley takes simulcast for video only");
        }
        // Simulcast layers carry no a=ssrc: each layer's SSRC is learnt from the rid extension of its packets.
        long ssrc = rids.isEmpty() ? primarySsrc(m) : -1;
        int midExtension = extensionId(m, EXT_MID);
        if (ssrc < 0 && midExtension == 0 && rids.isEmpty()) {
            throw new SdpException("m=" + m.kind() + " has neither an a=ssrc line nor the " + EXT_MID
                    + " header extension, so its packets cannot be told apart");
        }
        int audioLevel = kind == MediaKind.AUDIO ? extensionId(m, EXT_AUDIO_LEVEL) : 0;
        // Simulcast layers take RTX only with repaired-rid (RFC 8852): it alone names the layer a retransmission
        // SSRC repairs. Without it, a layer's NACKs are answered on its media SSRC.
        int repairedRid = rids.isEmpty() ? 0 : extensionId(m, SimulcastOffer.EXT_REPAIRED_RID);
        int rtx = kind == MediaKind.VIDEO && (rids.isEmpty() || repairedRid > 0)
                ? RtxOffer.payloadType(codecs, m.formats(), chosen) : -1;
        long rtxSsrc = rtx >= 0 && ssrc >= 0 ? RtxOffer.pairedSsrc(m, ssrc) : -1;
        int transportCc = extensionId(m, TransportSequenceExtension.URI);
        return new PublishedTrack(mid, kind, codecs.get(chosen), chosen, (int) Math.max(ssrc, 0), ssrc >= 0,
                audioLevel, midExtension, rtx, (int) Math.max(rtxSsrc, 0), rtxSsrc >= 0, transportCc,
                rids, rids.isEmpty() ? 0 : extensionId(m, SimulcastOffer.EXT_RID),
                repairedRid);
    }

    /**
     * Whether the offerer wants this m-section: a port other than 0, or port 0 with {@code a=bundle-only} inside
     * the BUNDLE group (RFC 8843 section 6): Firefox offers every section after the first that way under
     * max-bundle. Port 0 without both means the offerer disabled the section.
     */
    static boolean isOffered(MediaSection m, boolean bundled) {
        return m.port() != 0 || (bundled && m.has("bundle-only"));
    }

    static Map<Integer, Codec> codecs(MediaSection m, MediaKind kind) throws SdpException {
        Map<Integer, String> fmtp = new HashMap<>();
        for (String f : m.attributes("fmtp")) {
            int space = f.indexOf(' ');
            if (space > 0) {
                Integer pt = parsePayloadType(f.substring(0, space));
                if (pt != null) {
                    fmtp.put(pt, f.substring(space + 1).trim());
                }
            }
        }
        Map<Integer, Codec> codecs = new HashMap<>();
        for (String r : m.attributes("rtpmap")) {
            int space = r.indexOf(' ');
            if (space <= 0) {
                throw new SdpException("malformed a=rtpmap:" + r);
            }
            Integer pt = parsePayloadType(r.substring(0, space));
            String[] enc = r.substring(space + 1).trim().split("/");
            if (pt == null || enc.length < 2) {
                throw new SdpException("malformed a=rtpmap:" + r);
            }
            try {
                int clock = Integer.parseInt(enc[1]);
                int channels = enc.length > 2 ? Integer.parseInt(enc[2]) : 1;
                codecs.put(pt, new Codec(kind, enc[0], clock, channels, fmtp.getOrDefault(pt, "")));
            } catch (NumberFormatException e) {
                throw new SdpException("malformed a=rtpmap:" + r);
            }
        }
        return codecs;
    }

    private static Integer parsePayloadType(String s) {
        try {
            int pt = Integer.parseInt(s.trim());
            return pt >= 0 && pt <= 127 ? pt : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The payload type to accept, in the browser's order of preference within Parley's supported set. */
    static int chooseCodec(MediaKind kind, Map<Integer, Codec> codecs, List<String> formats) {
        if (kind == MediaKind.AUDIO) {
            return firstMatching(codecs, formats, c -> c.name().equalsIgnoreCase("opus") && c.clockRate() == 48000);
        }
        int vp8 = firstMatching(codecs, formats, c -> c.name().equalsIgnoreCase("VP8") && c.clockRate() == 90000);
        if (vp8 >= 0) {
            return vp8;
        }
        int baseline = firstMatching(codecs, formats, c -> isH264(c) && c.fmtp().contains("profile-level-id=42e01f"));
        return baseline >= 0 ? baseline : firstMatching(codecs, formats, PublisherNegotiation::isH264);
    }

    private static boolean isH264(Codec c) {
        return c.name().equalsIgnoreCase("H264") && c.clockRate() == 90000 && c.fmtp().contains("packetization-mode=1");
    }

    private static int firstMatching(Map<Integer, Codec> codecs, List<String> formats, java.util.function.Predicate<Codec> test) {
        for (String f : formats) {
            Integer pt = parsePayloadType(f);
            Codec c = pt == null ? null : codecs.get(pt);
            if (c != null && test.test(c)) {
                return pt;
            }
        }
        return -1;
    }

    /**
     * The media SSRC: the first {@code a=ssrc} that is not the retransmission half of an FID group; -1 when
     * the section announces none (the browser then names the section in each packet's mid extension).
     */
    private static long primarySsrc(MediaSection m) throws SdpException {
        Set<Long> retransmission = new HashSet<>();
        for (String g : m.attributes("ssrc-group")) {
            String[] parts = g.trim().split(" +");
            if (parts.length == 3 && parts[0].equals("FID")) {
                retransmission.add(parseSsrc(parts[2]));
            }
        }
        for (String s : m.attributes("ssrc")) {
            int space = s.indexOf(' ');
            long ssrc = parseSsrc(space < 0 ? s : s.substring(0, space));
            if (!retransmission.contains(ssrc)) {
                return ssrc;
            }
        }
        return -1;
    }

    private static long parseSsrc(String s) throws SdpException {
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new SdpException("invalid SSRC: " + s);
        }
    }

    static int extensionId(MediaSection m, String uri) {
        for (String e : m.attributes("extmap")) {
            String[] parts = e.trim().split(" +");
            if (parts.length >= 2 && parts[1].equals(uri)) {
                String id = parts[0];
                int slash = id.indexOf('/');
                try {
                    int v = Integer.parseInt(slash < 0 ? id : id.substring(0, slash));
                    return v >= 1 && v <= 14 ? v : 0;
                } catch (NumberFormatException ex) {
                    return 0;
                }
            }
        }
        return 0;
    }

    private static void writeRejected(StringBuilder sdp, MediaSection m, String mid) {
        String formats = m.formats().isEmpty() ? "0" : String.join(" ", m.formats());
        sdp.append("m=").append(m.kind()).append(" 0 ").append(m.protocol()).append(' ').append(formats).append("\r\n");
        sdp.append("c=IN IP4 0.0.0.0\r\n");
        sdp.append("a=mid:").append(mid).append("\r\n");
        sdp.append("a=inactive\r\n");
    }

    private static void writeAccepted(StringBuilder sdp, MediaSection m, PublishedTrack t, LocalTransport local) {
        int pt = t.payloadType();
        sdp.append("m=").append(m.kind()).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt)
                .append(t.hasRtx() ? " " + t.rtxPayloadType() : "").append("\r\n");
        sdp.append("c=IN IP4 0.0.0.0\r\n");
        sdp.append("a=rtcp:9 IN IP4 0.0.0.0\r\n");
        local.writeTo(sdp, "passive");
        sdp.append("a=mid:").append(t.mid()).append("\r\n");
        if (t.midExtension() > 0) {
            sdp.append("a=extmap:").append(t.midExtension()).append(' ').append(EXT_MID).append("\r\n");
        }
        if (t.audioLevelExtension() > 0) {
            sdp.append("a=extmap:").append(t.audioLevelExtension()).append(' ').append(EXT_AUDIO_LEVEL).append("\r\n");
        }
        if (t.transportCcExtension() > 0) {
            sdp.append("a=extmap:").append(t.transportCcExtension()).append(' ').append(TransportSequenceExtension.URI).append("\r\n");
        }
        if (t.simulcast()) {
            SimulcastOffer.writeAnswer(sdp, t);
        }
        sdp.append("a=recvonly\r\n");
        sdp.append("a=rtcp-mux\r\n");
        sdp.append("a=rtcp-rsize\r\n");
        sdp.append("a=rtpmap:").append(pt).append(' ').append(t.codec().rtpmap()).append("\r\n");
        if (!t.codec().fmtp().isEmpty()) {
            sdp.append("a=fmtp:").append(pt).append(' ').append(t.codec().fmtp()).append("\r\n");
        }
        if (t.kind() == MediaKind.VIDEO) {
            sdp.append("a=rtcp-fb:").append(pt).append(" nack\r\n");
            sdp.append("a=rtcp-fb:").append(pt).append(" nack pli\r\n");
            sdp.append("a=rtcp-fb:").append(pt).append(" ccm fir\r\n");
        }
        writeCongestionFeedback(sdp, m, t);
        if (t.hasRtx()) {
            RtxOffer.writeRtpmap(sdp, t.rtxPayloadType(), pt);
        }
        if (t.simulcast()) {
            SimulcastOffer.writeLayers(sdp, t);
        }
        local.writeCandidates(sdp);
    }

    /**
     * Transport-cc feedback (Parley sends it when the extension is negotiated: the browser then estimates its
     * bandwidth toward Parley) and, for video, REMB (Parley sends the bitrate its subscribers can take, which Chrome
     * caps its sending at); each only when the offer has it for the payload type.
     */
    private static void writeCongestionFeedback(StringBuilder sdp, MediaSection m, PublishedTrack t) {
        int pt = t.payloadType();
        if (t.transportCcExtension() > 0 && offersFeedback(m, pt, "transport-cc")) {
            sdp.append("a=rtcp-fb:").append(pt).append(" transport-cc\r\n");
        }
        if (t.kind() == MediaKind.VIDEO && offersFeedback(m, pt, "goog-remb")) {
            sdp.append("a=rtcp-fb:").append(pt).append(" goog-remb\r\n");
        }
    }

    private static boolean offersFeedback(MediaSection m, int pt, String type) {
        for (String fb : m.attributes("rtcp-fb")) {
            String[] parts = fb.trim().split(" +");
            if (parts.length == 2 && parts[1].equals(type) && (parts[0].equals("*") || parts[0].equals(Integer.toString(pt)))) {
                return true;
            }
        }
        return false;
    }
}

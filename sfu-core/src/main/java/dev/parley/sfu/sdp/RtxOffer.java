package dev.parley.sfu.sdp;

import dev.parley.sfu.MediaKind;
import java.util.List;
import java.util.Map;

/**
 * RFC 4588 retransmissions in SDP: the {@code rtx/90000} payload type tied to its codec by {@code a=fmtp:<rtx>
 * apt=<codec>}, and the {@code a=ssrc-group:FID <media> <rtx>} that pairs the two SSRCs. Read from publishers'
 * offers and subscribers' answers, written into Parley's answers and offers.
 */
public final class RtxOffer {
    private RtxOffer() {}

    /** The payload type Parley offers subscribers for retransmissions of {@code codec}: the one after the codec's. */
    public static int subscriberPayloadType(Codec codec) {
        return codec.subscriberPayloadType() + 1;
    }

    /**
     * The payload type among {@code formats} (the m-line's) that carries retransmissions of payload type
     * {@code apt}: {@code rtx/90000} with {@code apt=<apt>}; -1 when there is none.
     */
    static int payloadType(Map<Integer, Codec> codecs, List<String> formats, int apt) {
        for (String f : formats) {
            int pt;
            try {
                pt = Integer.parseInt(f.trim());
            } catch (NumberFormatException e) {
                continue;
            }
            Codec c = codecs.get(pt);
            if (c != null && c.name().equalsIgnoreCase("rtx") && c.clockRate() == 90000 && apt(c.fmtp()) == apt) {
                return pt;
            }
        }
        return -1;
    }

    /** The {@code apt} parameter of an rtx format's fmtp, -1 when absent or malformed. */
    static int apt(String fmtp) {
        for (String p : fmtp.split(";")) {
            String kv = p.trim();
            if (kv.regionMatches(true, 0, "apt=", 0, 4)) {
                try {
                    int v = Integer.parseInt(kv.substring(4).trim());
                    return v >= 0 && v <= 127 ? v : -1;
                } catch (NumberFormatException e) {
                    return -1;
                }
            }
        }
        return -1;
    }

    /** The retransmission SSRC an {@code a=ssrc-group:FID} pairs with {@code mediaSsrc}; -1 when none does. */
    static long pairedSsrc(MediaSection m, long mediaSsrc) {
        for (String g : m.attributes("ssrc-group")) {
            String[] parts = g.trim().split(" +");
            if (parts.length == 3 && parts[0].equals("FID")) {
                try {
                    long media = Long.parseLong(parts[1]);
                    long rtx = Long.parseLong(parts[2]);
                    if (media == mediaSsrc && rtx >= 0 && rtx <= 0xFFFFFFFFL && rtx != mediaSsrc) {
                        return rtx;
                    }
                } catch (NumberFormatException e) {
                    // not a group of ours to read
                }
            }
        }
        return -1;
    }

    /** Writes the rtpmap and fmtp lines of retransmission payload type {@code rtx} for {@code apt}. */
    static void writeRtpmap(StringBuilder sdp, int rtx, int apt) {
        sdp.append("a=rtpmap:").append(rtx).append(" rtx/90000\r\n");
        sdp.append("a=fmtp:").append(rtx).append(" apt=").append(apt).append("\r\n");
    }

    /**
     * Whether a subscriber's answer section keeps retransmissions: one of its m-line formats is {@code rtx/90000}
     * whose {@code apt} names another of its formats.
     */
    static boolean accepted(MediaSection answer) {
        Map<Integer, Codec> codecs;
        try {
            codecs = PublisherNegotiation.codecs(answer, MediaKind.VIDEO);
        } catch (SdpException e) {
            return false;
        }
        for (String f : answer.formats()) {
            int apt;
            try {
                apt = Integer.parseInt(f.trim());
            } catch (NumberFormatException e) {
                continue;
            }
            Codec c = codecs.get(apt);
            if (c != null && !c.name().equalsIgnoreCase("rtx") && payloadType(codecs, answer.formats(), apt) >= 0) {
                return true;
            }
        }
        return false;
    }
}

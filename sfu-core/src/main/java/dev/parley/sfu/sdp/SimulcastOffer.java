package dev.parley.sfu.sdp;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads an m-section's simulcast description (RFC 8853 {@code a=simulcast:send}, RFC 8851 {@code a=rid:<id> send})
 * and writes Parley's receiving side of it. Parley takes at most {@link #MAX_LAYERS} layers, listed lowest first
 * (the order the web client gives its encodings), and neither alternatives ({@code ,}) nor rid restrictions it
 * would have to enforce; it ignores the restrictions a rid line carries (they bind the sender, not Parley).
 */
final class SimulcastOffer {
    static final String EXT_RID = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
    static final String EXT_REPAIRED_RID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
    static final int MAX_LAYERS = 3;
    /** RFC 8851 rid-id is alphanumerics, '-' and '_'; 16 bytes is what fits a one-byte header extension element. */
    private static final Pattern RID = Pattern.compile("[A-Za-z0-9_\\-]{1,16}");

    private SimulcastOffer() {}

    /**
     * The rids the section sends as simulcast, lowest layer first; empty when it has no {@code a=simulcast}.
     *
     * @throws SdpException when the description is malformed, names rids without {@code a=rid} lines, has more than
     *     {@link #MAX_LAYERS} layers, or lacks the rtp-stream-id header extension that tells the layers apart
     */
    static List<String> rids(MediaSection m) throws SdpException {
        String simulcast = m.attribute("simulcast");
        if (simulcast == null) {
            return List.of();
        }
        Set<String> declared = new HashSet<>();
        for (String line : m.attributes("rid")) {
            String[] parts = line.trim().split(" +");
            if (parts.length < 2 || !RID.matcher(parts[0]).matches()) {
                throw new SdpException("malformed a=rid:" + line + " (want a=rid:<id> send, id of A-Z a-z 0-9 - _ up to 16)");
            }
            if (!parts[1].equals("send")) {
                throw new SdpException("a=rid:" + line + " is not 'send'; a publisher's layers are sent to Parley");
            }
            if (!declared.add(parts[0])) {
                throw new SdpException("a=rid:" + parts[0] + " is declared twice");
            }
        }
        String[] parts = simulcast.trim().split(" +");
        if (parts.length != 2 || !parts[0].equals("send")) {
            throw new SdpException("a=simulcast:" + simulcast + " is not of the form 'send <rid>;<rid>;...'"
                    + " (Parley receives simulcast, it does not send it)");
        }
        List<String> rids = new ArrayList<>();
        for (String item : parts[1].split(";", -1)) {
            if (item.contains(",")) {
                throw new SdpException("a=simulcast alternatives ('" + item + "') are not supported; list one rid per layer");
            }
            // '~' marks a layer that starts paused; Parley receives it all the same once it flows.
            String rid = item.startsWith("~") ? item.substring(1) : item;
            if (!RID.matcher(rid).matches()) {
                throw new SdpException("a=simulcast names an invalid rid '" + item + "'");
            }
            if (!declared.contains(rid)) {
                throw new SdpException("a=simulcast names rid '" + rid + "' that no a=rid line declares");
            }
            if (rids.contains(rid)) {
                throw new SdpException("a=simulcast names rid '" + rid + "' twice");
            }
            rids.add(rid);
        }
        if (rids.size() > MAX_LAYERS) {
            throw new SdpException("a=simulcast has " + rids.size() + " layers; Parley takes at most " + MAX_LAYERS);
        }
        if (PublisherNegotiation.extensionId(m, EXT_RID) == 0) {
            throw new SdpException("a=simulcast needs the " + EXT_RID + " header extension to tell the layers apart");
        }
        return List.copyOf(rids);
    }

    /** Parley's answer for the layers: the extensions, a receiving rid line per layer, and the simulcast line. */
    static void writeAnswer(StringBuilder sdp, PublishedTrack t) {
        sdp.append("a=extmap:").append(t.ridExtension()).append(' ').append(EXT_RID).append("\r\n");
        if (t.repairedRidExtension() > 0) {
            sdp.append("a=extmap:").append(t.repairedRidExtension()).append(' ').append(EXT_REPAIRED_RID).append("\r\n");
        }
    }

    static void writeLayers(StringBuilder sdp, PublishedTrack t) {
        for (String rid : t.rids()) {
            sdp.append("a=rid:").append(rid).append(" recv\r\n");
        }
        sdp.append("a=simulcast:recv ").append(String.join(";", t.rids())).append("\r\n");
    }
}

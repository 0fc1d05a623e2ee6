package dev.parley.server;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The SDP a scripted WebRTC client (not a browser) sends: publisher offers of any size, answers to subscriber offers. */
final class ScriptedSdp {
    static final String FINGERPRINT = "sha-256 " + "1A:".repeat(31) + "2B";
    private static final Pattern M_LINE = Pattern.compile("(?m)^m=");

    private ScriptedSdp() {}

    /** A publisher offer sending {@code tracks} Opus tracks, SSRCs from {@code ssrcBase} up. */
    static String publishOffer(int tracks, int ssrcBase) {
        List<String> lines = new ArrayList<>(List.of("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0"));
        StringBuilder bundle = new StringBuilder("a=group:BUNDLE");
        for (int i = 0; i < tracks; i++) {
            bundle.append(' ').append(i);
        }
        lines.add(bundle.toString());
        for (int i = 0; i < tracks; i++) {
            lines.addAll(List.of("m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                    "a=ice-ufrag:bot", "a=ice-pwd:botpassword0123456789012", "a=fingerprint:" + FINGERPRINT,
                    "a=setup:actpass", "a=mid:" + i, "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                    "a=ssrc:" + (ssrcBase + i) + " cname:bot"));
        }
        lines.add("");
        return String.join("\r\n", lines);
    }

    /** The answer a receiving client gives to a subscriber offer: every section accepted, DTLS client role. */
    static String acceptAll(String offer) {
        return offer.replace("a=setup:actpass", "a=setup:active")
                .replace("a=sendonly", "a=recvonly")
                .replaceAll("a=ice-ufrag:[^\\r]+", "a=ice-ufrag:sub")
                .replaceAll("a=ice-pwd:[^\\r]+", "a=ice-pwd:subscriberpassword01234567")
                .replaceAll("a=fingerprint:[^\\r]+", "a=fingerprint:" + FINGERPRINT)
                .replace("a=ice-lite\r\n", "");
    }

    /** The answer some stacks give once every section of the offer is inactive: each one rejected with port 0. */
    static String rejectAll(String offer) {
        StringBuilder answer = new StringBuilder("v=0\r\no=- 5 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        String[] media = null;
        for (String line : offer.split("\r\n")) {
            if (line.startsWith("m=")) {
                media = line.substring(2).split(" ");
            } else if (line.startsWith("a=mid:") && media != null) {
                answer.append("m=").append(media[0]).append(" 0 ").append(media[2]).append(' ').append(media[3]).append("\r\n")
                        .append("c=IN IP4 0.0.0.0\r\n").append(line).append("\r\na=inactive\r\n");
            }
        }
        return answer.toString();
    }

    static int sections(String sdp) {
        return (int) M_LINE.matcher(sdp).results().count();
    }

    static int sendingSections(String sdp) {
        return (int) Pattern.compile("(?m)^a=sendonly").matcher(sdp).results().count();
    }
}

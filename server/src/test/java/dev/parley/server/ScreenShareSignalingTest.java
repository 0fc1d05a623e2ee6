package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SessionDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Screen share over the signaling protocol (docs/protocol.md, "Screen share"): a {@code publish} whose
 * {@code sources} name a screen section reaches subscribers as a second video section of the same participant
 * marked {@code a=content:slides}; a second screen is refused with {@code too_many_screens} and changes nothing.
 */
class ScreenShareSignalingTest {
    private static final String FINGERPRINT = "sha-256 " + "1A:".repeat(31) + "2B";

    @RegisterExtension
    static final RunningServer server = RunningServer.perClass();

    @Test
    void theScreenReachesSubscribersAsItsOwnTrackMarkedAsTheScreen() throws Exception {
        RunningServer.Signaling ada = server.signaling();
        ada.join("screen-share", "Ada", null);
        JsonNode adaJoined = ada.next("joined");
        String adaId = adaJoined.get("participantId").asText();
        assertFalse(adaJoined.get("subscriberOffer").asBoolean(), "nobody publishes yet: no offer follows");
        ada.send(publish(offer("1", "2"), Map.of("2", "screen")));
        ada.next("publishAnswer");

        RunningServer.Signaling bob = server.signaling();
        bob.join("screen-share", "Bob", null);
        assertTrue(bob.next("joined").get("subscriberOffer").asBoolean(), "Ada publishes: an offer follows");
        JsonNode first = bob.next("subscriberOffer");
        SessionDescription offer = SessionDescription.parse(first.get("sdp").asText());
        List<MediaSection> video = sending(offer, "video");
        assertEquals(2, video.size(), "Ada's camera and screen: " + offer.media());
        for (MediaSection m : video) {
            assertEquals(adaId, m.attribute("msid").split(" ")[0]);
        }
        assertEquals(1, video.stream().filter(m -> "slides".equals(m.attribute("content"))).count(),
                "the screen is marked, the camera is not");

        // A second screen: refused with its own code, and nothing changes for Bob.
        ada.send(publish(offer("1", "2", "3"), Map.of("2", "screen", "3", "screen")));
        JsonNode refused = ada.error("too_many_screens");
        assertEquals("publish", refused.get("requestType").asText());
        assertTrue(!refused.get("message").asText().isBlank());
        // Bad declarations get the protocol's codes too.
        ada.send(publish(offer("1", "2"), Map.of("2", "window")));
        assertEquals("publish", ada.error("bad_message").get("requestType").asText());
        ada.send(publish(offer("1", "2"), Map.of("9", "screen")));
        assertEquals("publish", ada.error("bad_sdp").get("requestType").asText());

        // Bob answers; Ada stops sharing; Bob's next offer still has three sections, the screen's now inactive.
        bob.send(RunningServer.JSON.createObjectNode().put("type", "subscriberAnswer")
                .put("sdp", answer(first.get("sdp").asText())).put("version", first.get("version").asInt()).toString());
        ada.send(publish(offer("1"), Map.of()));
        ada.next("publishAnswer");
        SessionDescription after = SessionDescription.parse(bob.next("subscriberOffer").get("sdp").asText());
        assertEquals(3, after.media().size(), "the refused second screen never reached Bob: " + after.media());
        List<MediaSection> stillSending = sending(after, "video");
        assertEquals(1, stillSending.size(), "only the camera is still sent");
        assertNull(stillSending.get(0).attribute("content"));
    }

    private static List<MediaSection> sending(SessionDescription sdp, String kind) {
        return sdp.media().stream().filter(m -> m.kind().equals(kind) && m.direction().equals("sendonly")).toList();
    }

    private static String publish(String sdp, Map<String, String> sources) {
        ObjectNode message = RunningServer.JSON.createObjectNode().put("type", "publish").put("sdp", sdp);
        ObjectNode s = message.putObject("sources");
        sources.forEach(s::put);
        return message.toString();
    }

    private static String answer(String offer) {
        return offer.replace("a=setup:actpass", "a=setup:active")
                .replace("a=sendonly", "a=recvonly")
                .replaceAll("a=ice-ufrag:[^\\r]+", "a=ice-ufrag:subu")
                .replaceAll("a=ice-pwd:[^\\r]+", "a=ice-pwd:subscriberpassword012345")
                .replaceAll("a=fingerprint:[^\\r]+", "a=fingerprint:" + FINGERPRINT)
                .replace("a=ice-lite\r\n", "");
    }

    /** A browser-shaped publisher offer: Opus in mid 0, then one VP8 section per given mid. */
    private static String offer(String... videoMids) {
        List<String> lines = new ArrayList<>(List.of("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
                "a=group:BUNDLE 0 " + String.join(" ", videoMids),
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=ssrc:1001 cname:x"));
        for (String mid : videoMids) {
            lines.addAll(List.of("m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0",
                    "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                    "a=setup:actpass", "a=mid:" + mid, "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000",
                    "a=ssrc:" + (2000 + Integer.parseInt(mid)) + " cname:x"));
        }
        lines.add("");
        return String.join("\r\n", lines);
    }
}

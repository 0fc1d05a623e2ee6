package dev.parley.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SdpException;
import dev.parley.sfu.sdp.SessionDescription;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A participant shares its screen as a second video track: subscribers get it as its own m-section marked as a
 * screen, a second screen is refused without changing anything, and stopping the share retires its section.
 * Publishers here negotiate only; media over a screen section takes the same path as any video track.
 */
class ScreenShareTest {
    private static final String FINGERPRINT = "sha-256 " + "1A:".repeat(31) + "2B";
    private SfuServer sfu;

    /** A subscriber whose offers the test takes and answers one by one, as a browser does. */
    static final class Subscriber extends ParticipantListener.Ignoring {
        final BlockingQueue<String> offers = new LinkedBlockingQueue<>();
        final BlockingQueue<Integer> versions = new LinkedBlockingQueue<>();
        Participant self;

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            offers.add(sdp);
            versions.add(version);
        }

        /** The next offer, answered (every section accepted); fails after a generous deadline. */
        SessionDescription nextOffer() throws Exception {
            String sdp = offers.poll(10, TimeUnit.SECONDS);
            Integer version = versions.poll(1, TimeUnit.SECONDS);
            assertNotNull(sdp, "a subscriber offer arrives");
            String answer = sdp.replace("a=setup:actpass", "a=setup:active")
                    .replace("a=sendonly", "a=recvonly")
                    .replaceAll("a=ice-ufrag:[^\\r]+", "a=ice-ufrag:subu")
                    .replaceAll("a=ice-pwd:[^\\r]+", "a=ice-pwd:subscriberpassword012345")
                    .replaceAll("a=fingerprint:[^\\r]+", "a=fingerprint:" + FINGERPRINT)
                    .replace("a=ice-lite\r\n", "");
            self.acceptSubscriberAnswer(answer, version).get(5, TimeUnit.SECONDS);
            return SessionDescription.parse(sdp);
        }
    }

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofMinutes(5), 10));
    }

    @AfterEach
    void stop() {
        sfu.close();
    }

    @Test
    void aScreenIsItsOwnVideoTrackAndSubscribersKnowItIsTheScreen() throws Exception {
        Participant ada = join("share", new ParticipantListener.Ignoring());
        ada.publish(offer(0x1000, "1", "2"), Map.of("2", TrackSource.SCREEN)).get(5, TimeUnit.SECONDS);
        Subscriber bob = subscriber("share");

        SessionDescription offer = bob.nextOffer();
        List<MediaSection> video = active(offer, "video");
        assertEquals(2, video.size(), "camera and screen are two video sections: " + offer.media());
        for (MediaSection m : video) {
            assertEquals(ada.id(), m.attribute("msid").split(" ")[0], "both are Ada's");
        }
        List<MediaSection> screens = video.stream().filter(m -> "slides".equals(m.attribute("content"))).toList();
        assertEquals(1, screens.size(), "exactly one section is marked as the screen");
        MediaSection camera = video.stream().filter(m -> m.attribute("content") == null).findFirst().orElseThrow();
        assertNotEquals(camera.attribute("msid"), screens.get(0).attribute("msid"), "two tracks, two msids");
        assertEquals(1, active(offer, "audio").size());
        assertTrue(ada.tracks().stream().anyMatch(t -> t.source() == TrackSource.SCREEN && t.kind() == MediaKind.VIDEO));
        assertTrue(ada.tracks().stream().anyMatch(t -> t.source() == TrackSource.CAMERA));
        assertTrue(ada.tracks().stream().anyMatch(t -> t.source() == TrackSource.MICROPHONE));
    }

    @Test
    void aSecondScreenIsRefusedAndChangesNothingThenStoppingTheShareRetiresItsSection() throws Exception {
        Participant ada = join("two-screens", new ParticipantListener.Ignoring());
        ada.publish(offer(0x1000, "1", "2"), Map.of("2", TrackSource.SCREEN)).get(5, TimeUnit.SECONDS);
        Subscriber bob = subscriber("two-screens");
        assertEquals(1, screens(bob.nextOffer()).size());

        ExecutionException refused = assertThrows(ExecutionException.class, () -> ada.publish(offer(0x1000, "1", "2", "3"),
                Map.of("2", TrackSource.SCREEN, "3", TrackSource.SCREEN)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(TooManyScreensException.class, refused.getCause());
        assertEquals(3, ada.tracks().size(), "the refused offer added no track");

        // The share stops: the screen's section is gone from the offer (port 0 in a browser's).
        ada.publish(offer(0x1000, "1"), Map.of()).get(5, TimeUnit.SECONDS);
        SessionDescription after = bob.nextOffer();
        assertEquals(3, after.media().size(), "the refused second screen never reached Bob: " + after.media());
        assertEquals(0, screens(after).size(), "the screen's section is inactive now");
        assertEquals(1, active(after, "video").size(), "the camera still flows");
        assertEquals(null, active(after, "video").get(0).attribute("content"));

        // Sharing again, in a new section, is one screen again.
        ada.publish(offer(0x1000, "1", "4"), Map.of("4", TrackSource.SCREEN)).get(5, TimeUnit.SECONDS);
        SessionDescription again = bob.nextOffer();
        assertEquals(1, screens(again).size(), "the new screen takes the retired section over");
        assertEquals(3, again.media().size());
    }

    @Test
    void declarationsThatDoNotFitTheOfferAreRefused() throws Exception {
        Participant ada = join("bad-sources", new ParticipantListener.Ignoring());
        assertRefused(ada, offer(0x1000, "1"), Map.of("7", TrackSource.SCREEN), "a mid the offer does not have");
        assertRefused(ada, offer(0x1000, "1"), Map.of("0", TrackSource.SCREEN), "the audio section");
        assertRefused(ada, offer(0x1000, "1"), Map.of("1", TrackSource.MICROPHONE), "a video section as microphone");
        assertEquals(0, ada.tracks().size(), "nothing was published");

        ada.publish(offer(0x1000, "1"), Map.of()).get(5, TimeUnit.SECONDS);
        assertRefused(ada, offer(0x1000, "1"), Map.of("1", TrackSource.SCREEN), "a camera turning into a screen");
        assertEquals(TrackSource.CAMERA, ada.tracks().stream().filter(t -> t.kind() == MediaKind.VIDEO)
                .findFirst().orElseThrow().source());
    }

    private static void assertRefused(Participant p, String offer, Map<String, TrackSource> sources, String what) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> p.publish(offer, sources).get(5, TimeUnit.SECONDS),
                "refused: " + what);
        assertInstanceOf(SdpException.class, e.getCause(), what);
        assertTrue(!e.getCause().getMessage().isBlank());
    }

    private Participant join(String room, ParticipantListener listener) throws Exception {
        return sfu.join(room, "p" + System.nanoTime(), listener).get(5, TimeUnit.SECONDS);
    }

    private Subscriber subscriber(String room) throws Exception {
        Subscriber s = new Subscriber();
        s.self = join(room, s);
        return s;
    }

    private static List<MediaSection> active(SessionDescription sdp, String kind) {
        return sdp.media().stream().filter(m -> m.kind().equals(kind) && m.direction().equals("sendonly")).toList();
    }

    private static List<MediaSection> screens(SessionDescription sdp) {
        return active(sdp, "video").stream().filter(m -> "slides".equals(m.attribute("content"))).toList();
    }

    /** A browser-shaped publisher offer: Opus in mid 0, then one VP8 section per given mid. */
    private static String offer(int ssrcBase, String... videoMids) {
        List<String> lines = new ArrayList<>(List.of("v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
                "a=group:BUNDLE 0 " + String.join(" ", videoMids),
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                "a=ssrc:" + (ssrcBase + 1) + " cname:x"));
        for (String mid : videoMids) {
            lines.addAll(List.of("m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0",
                    "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                    "a=setup:actpass", "a=mid:" + mid, "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000",
                    "a=ssrc:" + (ssrcBase + 16 * Integer.parseInt(mid)) + " cname:x"));
        }
        lines.add("");
        return String.join("\r\n", lines);
    }
}

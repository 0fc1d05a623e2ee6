package dev.parley.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.MediaKind;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class PublisherNegotiationTest {
    static final String FINGERPRINT = "sha-256 " + "AB:".repeat(31) + "CD";
    static final LocalTransport LOCAL = new LocalTransport("srvufrag", "serverpassword0123456789", FINGERPRINT,
            List.of(new InetSocketAddress("127.0.0.1", 40000)));

    /** The shape of what Chrome offers on a publisher connection: sendonly Opus and VP8/H.264 with RTX. */
    static final String CHROME_OFFER = String.join("\r\n",
            "v=0",
            "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
            "s=-",
            "t=0 0",
            "a=group:BUNDLE 0 1",
            "a=extmap-allow-mixed",
            "a=msid-semantic: WMS stream1",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Ab12",
            "a=ice-pwd:browserpassword123456789",
            "a=ice-options:trickle",
            "a=fingerprint:sha-256 " + "12:".repeat(31) + "ef",
            "a=setup:actpass",
            "a=mid:0",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=sendonly",
            "a=msid:stream1 audio1",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:111 opus/48000/2",
            "a=rtcp-fb:111 transport-cc",
            "a=fmtp:111 minptime=10;useinbandfec=1",
            "a=rtpmap:63 red/48000/2",
            "a=rtpmap:9 G722/8000",
            "a=ssrc:1111 cname:abc",
            "a=ssrc:1111 msid:stream1 audio1",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103",
            "c=IN IP4 0.0.0.0",
            "a=rtcp:9 IN IP4 0.0.0.0",
            "a=ice-ufrag:Ab12",
            "a=ice-pwd:browserpassword123456789",
            "a=fingerprint:sha-256 " + "12:".repeat(31) + "ef",
            "a=setup:actpass",
            "a=mid:1",
            "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=sendonly",
            "a=msid:stream1 video1",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:96 VP8/90000",
            "a=rtcp-fb:96 nack",
            "a=rtcp-fb:96 nack pli",
            "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
            "a=rtpmap:102 H264/90000",
            "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            "a=rtpmap:103 rtx/90000",
            "a=fmtp:103 apt=102",
            "a=ssrc-group:FID 2222 3333",
            "a=ssrc:2222 cname:abc",
            "a=ssrc:3333 cname:abc",
            "") ;

    @Test
    void acceptsOpusAndVp8AndLearnsTheBrowsersTransport() throws Exception {
        PublisherNegotiation.Result r = PublisherNegotiation.answer(CHROME_OFFER, LOCAL, 42);
        assertEquals("Ab12", r.remote().ufrag());
        assertEquals("sha-256 " + "12:".repeat(31) + "EF", r.remote().fingerprint());
        assertEquals(2, r.tracks().size());
        PublishedTrack audio = r.tracks().get(0);
        assertEquals(MediaKind.AUDIO, audio.kind());
        assertEquals("opus", audio.codec().name());
        assertEquals(111, audio.payloadType());
        assertEquals(1111, audio.ssrc());
        assertEquals(1, audio.audioLevelExtension());
        PublishedTrack video = r.tracks().get(1);
        assertEquals("VP8", video.codec().name());
        assertEquals(2222, video.ssrc(), "the RTX SSRC of the FID group is not the media SSRC");

        SessionDescription answer = SessionDescription.parse(r.answer());
        assertEquals("", answer.sessionAttribute("ice-lite"));
        assertEquals("BUNDLE 0 1", answer.sessionAttribute("group"));
        MediaSection a = answer.media().get(0);
        assertEquals(List.of("111"), a.formats(), "exactly one codec, so the browser sends what subscribers are offered");
        assertEquals("recvonly", a.direction());
        assertEquals("passive", a.attribute("setup"));
        assertEquals("srvufrag", a.attribute("ice-ufrag"));
        assertEquals(FINGERPRINT, a.attribute("fingerprint"));
        assertTrue(a.attributes("candidate").get(0).contains("127.0.0.1 40000 typ host"));
        assertEquals(List.of("96"), answer.media().get(1).formats());
        assertFalse(r.answer().contains("rtx"), "no RTX: retransmissions come from Parley's own history");
    }

    @Test
    void choosesH264WhenVp8IsNotOffered() throws Exception {
        String offer = CHROME_OFFER.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 AV1/90000");
        PublishedTrack video = PublisherNegotiation.answer(offer, LOCAL, 1).tracks().get(1);
        assertEquals("H264", video.codec().name());
        assertEquals(102, video.payloadType());
        assertTrue(video.codec().fmtp().contains("profile-level-id=42e01f"));
    }

    @Test
    void rejectsWhatItCannotUseWithAReason() {
        assertMessage("missing a=fingerprint", CHROME_OFFER.replaceAll("a=fingerprint:[^\\r]*\\r\\n", ""));
        assertMessage("missing a=ice-ufrag", CHROME_OFFER.replaceAll("a=ice-ufrag:[^\\r]*\\r\\n", ""));
        assertMessage("needs a=mid", CHROME_OFFER.replace("a=mid:1\r\n", ""));
        assertMessage("the SDP is empty", "");
        assertMessage("must start with v=0", "o=- 1 1 IN IP4 0.0.0.0\r\n");
        assertMessage("no a=ssrc", CHROME_OFFER.replaceAll("a=ssrc(-group)?:[^\\r]*\\r\\n", ""));
    }

    @Test
    void aRecvonlySectionIsRejectedNotAccepted() throws Exception {
        String offer = CHROME_OFFER.replace("a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendonly",
                "a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=recvonly");
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        assertEquals(1, r.tracks().size());
        assertEquals(0, SessionDescription.parse(r.answer()).media().get(1).port());
    }

    private static void assertMessage(String expected, String offer) {
        SdpException e = assertThrows(SdpException.class, () -> PublisherNegotiation.answer(offer, LOCAL, 1));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

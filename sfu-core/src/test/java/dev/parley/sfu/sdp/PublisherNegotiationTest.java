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

    /**
     * What Firefox ESR 153 offered on Parley's publisher connection (candidates left out): VP8 as payload type
     * 120, the fingerprint at session level, and the video section as {@code a=bundle-only} with port 0.
     */
    static final String FIREFOX_OFFER = String.join("\r\n",
            "v=0",
            "o=mozilla...THIS_IS_SDPARTA-99.0 2818597632052114631 0 IN IP4 0.0.0.0",
            "s=-",
            "t=0 0",
            "a=sendrecv",
            "a=fingerprint:sha-256 C0:1F:78:30:81:A7:00:D5:F8:32:A0:6C:93:2E:55:37:C5:FF:E5:3B:37:49:7B:C1:69:91:64:CB:84:99:36:B2",
            "a=group:BUNDLE 0 1",
            "a=ice-options:trickle",
            "a=msid-semantic:WMS *",
            "m=audio 37304 UDP/TLS/RTP/SAVPF 109 9 0 8 101",
            "c=IN IP4 127.0.0.1",
            "a=sendonly",
            "a=end-of-candidates",
            "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
            "a=extmap:2/recvonly urn:ietf:params:rtp-hdrext:csrc-audio-level",
            "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=extmap-allow-mixed",
            "a=fmtp:109 maxplaybackrate=48000;stereo=1;useinbandfec=1",
            "a=fmtp:101 0-15",
            "a=ice-pwd:034006d36915db75271f2711ef54ceb8",
            "a=ice-ufrag:796e64b1",
            "a=mid:0",
            "a=msid:{2374cd53-6cf7-4c4a-a113-fc1349ad66a5} {af7fd881-0759-49fd-a7be-6b24be4c303f}",
            "a=rtcp:36154 IN IP4 127.0.0.1",
            "a=rtcp-fb:109 transport-cc",
            "a=rtcp-mux",
            "a=rtpmap:109 opus/48000/2",
            "a=rtpmap:9 G722/8000/1",
            "a=rtpmap:0 PCMU/8000",
            "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000",
            "a=setup:actpass",
            "a=ssrc:2585862766 cname:{64d67c75-7665-4e68-8da4-ea7aba2ca3ce}",
            "m=video 0 UDP/TLS/RTP/SAVPF 120 124 121 125 99 100 123 122 119",
            "c=IN IP4 0.0.0.0",
            "a=bundle-only",
            "a=sendonly",
            "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid",
            "a=extmap:4 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
            "a=extmap:5 urn:ietf:params:rtp-hdrext:toffset",
            "a=extmap:6/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
            "a=extmap:7 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
            "a=extmap-allow-mixed",
            "a=fmtp:120 max-fs=12288;max-fr=60",
            "a=fmtp:124 apt=120",
            "a=fmtp:121 max-fs=12288;max-fr=60",
            "a=fmtp:125 apt=121",
            "a=fmtp:100 apt=99",
            "a=fmtp:119 apt=122",
            "a=ice-pwd:034006d36915db75271f2711ef54ceb8",
            "a=ice-ufrag:796e64b1",
            "a=mid:1",
            "a=msid:{2374cd53-6cf7-4c4a-a113-fc1349ad66a5} {5d9effa4-aede-4946-90c8-29e63591c031}",
            "a=rtcp-fb:120 nack",
            "a=rtcp-fb:120 nack pli",
            "a=rtcp-fb:120 ccm fir",
            "a=rtcp-fb:120 goog-remb",
            "a=rtcp-fb:120 transport-cc",
            "a=rtcp-fb:121 nack",
            "a=rtcp-fb:121 nack pli",
            "a=rtcp-mux",
            "a=rtcp-rsize",
            "a=rtpmap:120 VP8/90000",
            "a=rtpmap:124 rtx/90000",
            "a=rtpmap:121 VP9/90000",
            "a=rtpmap:125 rtx/90000",
            "a=rtpmap:99 AV1/90000",
            "a=rtpmap:100 rtx/90000",
            "a=rtpmap:123 ulpfec/90000",
            "a=rtpmap:122 red/90000",
            "a=rtpmap:119 rtx/90000",
            "a=setup:actpass",
            "a=ssrc:122552929 cname:{64d67c75-7665-4e68-8da4-ea7aba2ca3ce}",
            "a=ssrc:1403714371 cname:{64d67c75-7665-4e68-8da4-ea7aba2ca3ce}",
            "a=ssrc-group:FID 122552929 1403714371",
            "");

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
        MediaSection v = answer.media().get(1);
        assertEquals(List.of("96", "97"), v.formats(), "VP8 and its retransmission format, nothing else");
        assertEquals(List.of("96 VP8/90000", "97 rtx/90000"), v.attributes("rtpmap"));
        assertEquals(List.of("97 apt=96"), v.attributes("fmtp"));
        assertEquals(97, video.rtxPayloadType());
        assertEquals(3333, video.rtxSsrc());
        assertTrue(video.rtxSsrcSignaled());
        assertEquals(-1, audio.rtxPayloadType(), "audio is not retransmitted");
    }

    @Test
    void theRetransmissionFormatFollowsTheChosenCodec() throws Exception {
        String offer = CHROME_OFFER.replace("a=rtpmap:96 VP8/90000", "a=rtpmap:96 AV1/90000");
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        assertEquals(103, r.tracks().get(1).rtxPayloadType(), "apt=102, the H.264 chosen");
        assertEquals(List.of("102", "103"), SessionDescription.parse(r.answer()).media().get(1).formats());
    }

    @Test
    void withoutRtxOfferedNoneIsAnswered() throws Exception {
        String offer = CHROME_OFFER.replace("a=fmtp:97 apt=96\r\n", "").replace(" 96 97 102 103", " 96 102 103")
                .replace("a=rtpmap:97 rtx/90000\r\n", "");
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        PublishedTrack video = r.tracks().get(1);
        assertFalse(video.hasRtx());
        assertEquals(List.of("96"), SessionDescription.parse(r.answer()).media().get(1).formats());
        assertFalse(r.answer().contains("rtx"));
        // An rtx format whose apt names a codec that was not chosen is no retransmission format for it.
        String wrongApt = CHROME_OFFER.replace("a=fmtp:97 apt=96", "a=fmtp:97 apt=45");
        assertFalse(PublisherNegotiation.answer(wrongApt, LOCAL, 1).tracks().get(1).hasRtx());
    }

    @Test
    void withoutSsrcLinesTheRtxSsrcIsLeftToLearn() throws Exception {
        String offer = CHROME_OFFER.replaceAll("a=ssrc(-group)?:[^\\r]*\\r\\n", "");
        PublishedTrack video = PublisherNegotiation.answer(offer, LOCAL, 1).tracks().get(1);
        assertTrue(video.hasRtx());
        assertFalse(video.rtxSsrcSignaled());
        assertFalse(video.ssrcSignaled());
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
        assertMessage("neither an a=ssrc line nor the urn:ietf:params:rtp-hdrext:sdes:mid header extension",
                CHROME_OFFER.replaceAll("a=ssrc(-group)?:[^\\r]*\\r\\n", "").replaceAll("a=extmap:4 [^\\r]*\\r\\n", ""));
    }

    @Test
    void aSectionWithoutSsrcIsAcceptedWhenTheMidExtensionNamesIt() throws Exception {
        String offer = FIREFOX_OFFER.replaceAll("a=ssrc(-group)?:[^\\r]*\\r\\n", "");
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        assertEquals(2, r.tracks().size());
        for (PublishedTrack t : r.tracks()) {
            assertFalse(t.ssrcSignaled(), t.mid() + ": the SSRC is to be learnt from the packets");
            assertEquals(3, t.midExtension(), "Firefox's id for the mid extension");
        }
        MediaSection video = SessionDescription.parse(r.answer()).media().get(1);
        assertEquals(List.of("3 " + PublisherNegotiation.EXT_MID, "7 " + dev.parley.sfu.rtp.TransportSequenceExtension.URI),
                video.attributes("extmap"),
                "the answer keeps the mid extension, or the browser would stop naming its packets");
        assertTrue(PublisherNegotiation.answer(FIREFOX_OFFER, LOCAL, 1).tracks().get(1).ssrcSignaled());
    }

    @Test
    void aRecvonlySectionIsRejectedNotAccepted() throws Exception {
        String offer = CHROME_OFFER.replace("a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=sendonly",
                "a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=recvonly");
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        assertEquals(1, r.tracks().size());
        assertEquals(0, SessionDescription.parse(r.answer()).media().get(1).port());
    }

    @Test
    void acceptsFirefoxsBundleOnlyVideoSection() throws Exception {
        PublisherNegotiation.Result r = PublisherNegotiation.answer(FIREFOX_OFFER, LOCAL, 7);
        assertEquals("796e64b1", r.remote().ufrag());
        assertEquals("sha-256 C0:1F:78:30:81:A7:00:D5:F8:32:A0:6C:93:2E:55:37:C5:FF:E5:3B:37:49:7B:C1:69:91:64:CB:84:99:36:B2",
                r.remote().fingerprint(), "Firefox puts the fingerprint at session level");
        assertEquals(2, r.tracks().size(), "the port-0 bundle-only video section is part of the bundle, not rejected");
        PublishedTrack audio = r.tracks().get(0);
        assertEquals(109, audio.payloadType());
        assertEquals(2585862766L, audio.ssrc() & 0xFFFFFFFFL);
        assertEquals(1, audio.audioLevelExtension());
        PublishedTrack video = r.tracks().get(1);
        assertEquals(MediaKind.VIDEO, video.kind());
        assertEquals("VP8", video.codec().name());
        assertEquals(120, video.payloadType());
        assertEquals(96, video.codec().subscriberPayloadType(), "subscribers get VP8 as 96 whatever Firefox used");
        assertEquals(122552929, video.ssrc(), "the FID group after the ssrc lines still marks the RTX SSRC");

        SessionDescription answer = SessionDescription.parse(r.answer());
        assertEquals(List.of("0", "1"), answer.bundleMids());
        MediaSection v = answer.media().get(1);
        assertEquals(9, v.port(), "an accepted section gets a port in the answer");
        assertEquals(List.of("120", "124"), v.formats(), "VP8 and its rtx (apt=120)");
        assertEquals("recvonly", v.direction());
        assertEquals(List.of("3 " + PublisherNegotiation.EXT_MID, "7 " + dev.parley.sfu.rtp.TransportSequenceExtension.URI),
                v.attributes("extmap"));
        assertTrue(v.attributes("rtcp-fb").contains("120 nack pli"));
    }

    @Test
    void aPortZeroSectionIsRejectedUnlessBundleOnlyInsideTheBundle() throws Exception {
        String outsideBundle = FIREFOX_OFFER.replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0");
        assertVideoRejected(outsideBundle);
        String noBundle = FIREFOX_OFFER.replace("a=group:BUNDLE 0 1\r\n", "");
        assertVideoRejected(noBundle);
        String disabled = FIREFOX_OFFER.replace("a=bundle-only\r\n", "");
        assertVideoRejected(disabled);
    }

    /** Chrome's video section for a camera published with three encodings q, h, f: rids instead of a=ssrc. */
    static final String CHROME_SIMULCAST_OFFER = CHROME_OFFER
            .replace("a=ssrc-group:FID 2222 3333\r\na=ssrc:2222 cname:abc\r\na=ssrc:3333 cname:abc\r\n",
                    "a=rid:q send\r\na=rid:h send\r\na=rid:f send\r\na=simulcast:send q;h;f\r\n")
            .replace("a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n",
                    "a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                            + "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
                            + "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n");

    @Test
    void acceptsThreeSimulcastLayersNamedByRid() throws Exception {
        assertTrue(CHROME_SIMULCAST_OFFER.contains("a=simulcast:send q;h;f") && !CHROME_SIMULCAST_OFFER.contains("a=ssrc:2222"));
        PublisherNegotiation.Result r = PublisherNegotiation.answer(CHROME_SIMULCAST_OFFER, LOCAL, 1);
        PublishedTrack video = r.tracks().get(1);
        assertTrue(video.simulcast());
        assertEquals(List.of("q", "h", "f"), video.rids());
        assertEquals(10, video.ridExtension());
        assertEquals(11, video.repairedRidExtension());
        assertFalse(video.ssrcSignaled(), "each layer's SSRC is learnt from its rid");
        assertFalse(r.tracks().get(0).simulcast());

        MediaSection v = SessionDescription.parse(r.answer()).media().get(1);
        assertEquals(List.of("q recv", "h recv", "f recv"), v.attributes("rid"));
        assertEquals("recv q;h;f", v.attribute("simulcast"));
        assertTrue(v.attributes("extmap").contains("10 " + SimulcastOffer.EXT_RID), v.attributes("extmap").toString());
        assertTrue(v.attributes("extmap").contains("11 " + SimulcastOffer.EXT_REPAIRED_RID));
        assertFalse(SessionDescription.parse(r.answer()).media().get(0).attributes("extmap").toString().contains("stream-id"));
    }

    @Test
    void simulcastLayersGetRtxWhenRepairedRidNamesTheLayerARetransmissionRepairs() throws Exception {
        PublisherNegotiation.Result r = PublisherNegotiation.answer(CHROME_SIMULCAST_OFFER, LOCAL, 1);
        PublishedTrack video = r.tracks().get(1);
        assertTrue(video.hasRtx(), "rtx with apt=96 is accepted for the layers");
        assertEquals(97, video.rtxPayloadType());
        assertFalse(video.rtxSsrcSignaled(), "each layer's RTX SSRC is learnt from repaired-rid");
        MediaSection v = SessionDescription.parse(r.answer()).media().get(1);
        assertEquals(List.of("96", "97"), v.formats());
        assertTrue(v.attributes("rtpmap").contains("97 rtx/90000"), v.attributes("rtpmap").toString());
        assertTrue(v.attributes("fmtp").contains("97 apt=96"), v.attributes("fmtp").toString());
        assertTrue(v.attributes("extmap").contains("11 " + SimulcastOffer.EXT_REPAIRED_RID));
        assertTrue(v.attributes("rtcp-fb").contains("96 nack"), "each layer is NACKed");

        // Without repaired-rid nothing would say which layer an RTX SSRC repairs: NACKs are then answered on the
        // layers' media SSRCs, and rtx is left out of the answer.
        String noRepairedRid = CHROME_SIMULCAST_OFFER
                .replace("a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n", "");
        PublisherNegotiation.Result plain = PublisherNegotiation.answer(noRepairedRid, LOCAL, 1);
        assertFalse(plain.tracks().get(1).hasRtx());
        assertEquals(0, plain.tracks().get(1).repairedRidExtension());
        MediaSection pv = SessionDescription.parse(plain.answer()).media().get(1);
        assertEquals(List.of("96"), pv.formats());
        assertFalse(plain.answer().contains("rtx/90000"));
        assertTrue(pv.attributes("rtcp-fb").contains("96 nack"));
    }

    @Test
    void acceptsPausedLayersRestrictionsAndFewerLayers() throws Exception {
        String paused = CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send q;~h;f")
                .replace("a=rid:f send", "a=rid:f send max-width=1280;max-height=720");
        assertEquals(List.of("q", "h", "f"), PublisherNegotiation.answer(paused, LOCAL, 1).tracks().get(1).rids());
        String two = CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send q;f");
        assertEquals(List.of("q", "f"), PublisherNegotiation.answer(two, LOCAL, 1).tracks().get(1).rids());
    }

    @Test
    void rejectsMalformedSimulcastWithAReason() {
        assertMessage("at most 3", CHROME_SIMULCAST_OFFER.replace("a=rid:q send", "a=rid:q send\r\na=rid:x send")
                .replace("a=simulcast:send q;h;f", "a=simulcast:send q;h;f;x"));
        assertMessage("no a=rid line declares", CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send q;h;z"));
        assertMessage("malformed a=rid", CHROME_SIMULCAST_OFFER.replace("a=rid:h send", "a=rid:h! send"));
        assertMessage("malformed a=rid", CHROME_SIMULCAST_OFFER.replace("a=rid:h send", "a=rid:h"));
        assertMessage("malformed a=rid", CHROME_SIMULCAST_OFFER.replace("a=rid:h send", "a=rid:abcdefghijklmnopq send"));
        assertMessage("is not 'send'", CHROME_SIMULCAST_OFFER.replace("a=rid:h send", "a=rid:h recv"));
        assertMessage("declared twice", CHROME_SIMULCAST_OFFER.replace("a=rid:h send", "a=rid:q send"));
        assertMessage("invalid rid", CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send q;;f"));
        assertMessage("twice", CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send q;h;q"));
        assertMessage("alternatives", CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send q,h;f"));
        assertMessage("not of the form", CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:recv q;h;f"));
        assertMessage("not of the form", CHROME_SIMULCAST_OFFER.replace("a=simulcast:send q;h;f", "a=simulcast:send"));
        assertMessage("rtp-stream-id header extension",
                CHROME_SIMULCAST_OFFER.replace("a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n", ""));
        assertMessage("video only", CHROME_OFFER.replace("a=ssrc:1111 cname:abc",
                "a=rid:a send\r\na=simulcast:send a\r\na=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
    }

    private static void assertVideoRejected(String offer) throws SdpException {
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        assertEquals(1, r.tracks().size());
        assertEquals(MediaKind.AUDIO, r.tracks().get(0).kind());
        SessionDescription answer = SessionDescription.parse(r.answer());
        assertEquals(0, answer.media().get(1).port());
        assertEquals(List.of("0"), answer.bundleMids());
    }

    private static void assertMessage(String expected, String offer) {
        SdpException e = assertThrows(SdpException.class, () -> PublisherNegotiation.answer(offer, LOCAL, 1));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void acceptsTransportWideCongestionControlAndRembWhereOffered() throws Exception {
        String twcc = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
        String offer = CHROME_OFFER
                .replace("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n",
                        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\na=extmap:3 " + twcc + "\r\n")
                .replace("a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n",
                        "a=mid:1\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=extmap:3 " + twcc + "\r\n")
                .replace("a=rtcp-fb:96 nack\r\n", "a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\na=rtcp-fb:96 nack\r\n");
        PublisherNegotiation.Result r = PublisherNegotiation.answer(offer, LOCAL, 1);
        assertEquals(3, r.tracks().get(0).transportCcExtension());
        assertEquals(3, r.tracks().get(1).transportCcExtension());
        SessionDescription answer = SessionDescription.parse(r.answer());
        MediaSection audio = answer.media().get(0);
        MediaSection video = answer.media().get(1);
        assertTrue(audio.attributes("extmap").contains("3 " + twcc));
        assertTrue(audio.attributes("rtcp-fb").contains("111 transport-cc"));
        assertFalse(audio.attributes("rtcp-fb").contains("111 goog-remb"), "REMB is for video");
        assertTrue(video.attributes("extmap").contains("3 " + twcc));
        assertTrue(video.attributes("rtcp-fb").contains("96 transport-cc"));
        assertTrue(video.attributes("rtcp-fb").contains("96 goog-remb"));

        PublisherNegotiation.Result plain = PublisherNegotiation.answer(CHROME_OFFER, LOCAL, 1);
        assertEquals(0, plain.tracks().get(1).transportCcExtension(), "not offered, not used");
        assertFalse(plain.answer().contains("transport-cc") || plain.answer().contains("goog-remb"),
                "nothing answered that was not offered");
    }

    @Test
    void firefoxTransportCcExtensionIsAcceptedUnderItsOwnId() throws Exception {
        PublisherNegotiation.Result r = PublisherNegotiation.answer(FIREFOX_OFFER, LOCAL, 1);
        assertEquals(7, r.tracks().get(1).transportCcExtension());
        assertTrue(SessionDescription.parse(r.answer()).media().get(1).attributes("rtcp-fb").contains("120 transport-cc"));
    }
}

package dev.parley.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.TrackSource;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubscriberOfferTest {
    static final Codec OPUS = new Codec(MediaKind.AUDIO, "opus", 48000, 2, "minptime=10;useinbandfec=1");
    static final Codec VP8 = new Codec(MediaKind.VIDEO, "VP8", 90000, 1, "");

    @Test
    void offersEachRemoteTrackAsItsOwnSendonlySectionWithParleysSsrc() throws Exception {
        String sdp = SubscriberOffer.write(7, 3, PublisherNegotiationTest.LOCAL, List.of(
                new SubscriberOffer.Section("0", MediaKind.AUDIO, true, OPUS, 0xDEADBEEF, "pBob", "tA"),
                new SubscriberOffer.Section("1", MediaKind.VIDEO, false, VP8, 1234, "pCarol", "tV")));
        SessionDescription d = SessionDescription.parse(sdp);
        assertEquals("BUNDLE 0 1", d.sessionAttribute("group"));
        MediaSection audio = d.media().get(0);
        assertEquals("sendonly", audio.direction());
        assertEquals("pBob tA", audio.attribute("msid"));
        assertEquals("actpass", audio.attribute("setup"));
        assertTrue(audio.attributes("ssrc").contains("3735928559 cname:pBob"), "SSRCs are written unsigned");
        assertEquals(List.of("111"), audio.formats());
        MediaSection video = d.media().get(1);
        assertEquals("inactive", video.direction(), "a departed publisher's section stays, inactive, so the bundle survives");
        assertEquals(List.of("96"), video.formats());
        assertTrue(video.attributes("rtcp-fb").contains("96 nack pli"));
        assertTrue(sdp.contains("o=- 7 3 IN IP4"));
    }

    @Test
    void readsTheBrowsersAnswerAndInsistsOnTheDtlsClientRole() throws Exception {
        String answer = PublisherNegotiationTest.CHROME_OFFER.replace("a=setup:actpass", "a=setup:active");
        IceParameters remote = SubscriberOffer.readAnswer(answer, 2).remote();
        assertEquals("Ab12", remote.ufrag());
        assertEquals("active", remote.setup());
        SdpException passive = assertThrows(SdpException.class,
                () -> SubscriberOffer.readAnswer(answer.replace("a=setup:active", "a=setup:passive"), 2));
        assertTrue(passive.getMessage().contains("setup:active"));
        SdpException count = assertThrows(SdpException.class, () -> SubscriberOffer.readAnswer(answer, 3));
        assertTrue(count.getMessage().contains("the offer had 3"));
    }

    @Test
    void anAnswerRejectingEverySectionIsValidAndCarriesNoTransport() throws Exception {
        String rejected = String.join("\r\n", "v=0", "o=- 9 3 IN IP4 127.0.0.1", "s=-", "t=0 0",
                "m=audio 0 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:0", "a=inactive",
                "m=video 0 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0", "a=mid:1", "a=inactive", "");
        SubscriberOffer.Answer answer = SubscriberOffer.readAnswer(rejected, 2);
        assertNull(answer.remote(), "nothing is received, so there are no transport parameters to use");
        assertEquals(List.of(false, false), answer.acceptedSections());

        String oneAccepted = PublisherNegotiationTest.CHROME_OFFER.replace("a=setup:actpass", "a=setup:active")
                .replaceFirst("m=video 9 ", "m=video 0 ");
        assertEquals(List.of(true, false), SubscriberOffer.readAnswer(oneAccepted, 2).acceptedSections());
    }

    @Test
    void videoIsOfferedWithRetransmissionsOnTheirOwnSsrc() throws Exception {
        String sdp = SubscriberOffer.write(7, 3, PublisherNegotiationTest.LOCAL, List.of(
                new SubscriberOffer.Section("0", MediaKind.AUDIO, true, OPUS, 5, "pBob", "tA", TrackSource.MICROPHONE, 6),
                new SubscriberOffer.Section("1", MediaKind.VIDEO, true, VP8, 1234, "pCarol", "tV", TrackSource.CAMERA,
                        0xFFFFFFFE)));
        SessionDescription d = SessionDescription.parse(sdp);
        MediaSection audio = d.media().get(0);
        assertEquals(List.of("111"), audio.formats(), "no RTX for audio");
        assertTrue(audio.attributes("ssrc-group").isEmpty());
        MediaSection video = d.media().get(1);
        assertEquals(List.of("96", "97"), video.formats());
        assertTrue(video.attributes("rtpmap").contains("97 rtx/90000"));
        assertEquals(List.of("97 apt=96"), video.attributes("fmtp"));
        assertEquals(List.of("FID 1234 4294967294"), video.attributes("ssrc-group"));
        assertTrue(video.attributes("ssrc").contains("4294967294 msid:pCarol tV"), "the RTX SSRC belongs to the same track");

        String withoutRtx = SubscriberOffer.write(7, 3, PublisherNegotiationTest.LOCAL, List.of(
                new SubscriberOffer.Section("1", MediaKind.VIDEO, true, VP8, 1234, "pCarol", "tV")));
        assertEquals(List.of("96"), SessionDescription.parse(withoutRtx).media().get(0).formats());
        assertTrue(!withoutRtx.contains("rtx") && !withoutRtx.contains("FID"));
    }

    @Test
    void readsWhetherTheAnswerKeptRetransmissions() throws Exception {
        String answer = PublisherNegotiationTest.CHROME_OFFER.replace("a=setup:actpass", "a=setup:active");
        assertEquals(List.of(false, true), SubscriberOffer.readAnswer(answer, 2).rtxSections(),
                "Chrome's video answers rtx with apt; audio has none");
        String dropped = answer.replace(" 96 97 102 103", " 96 102");
        assertEquals(List.of(false, false), SubscriberOffer.readAnswer(dropped, 2).rtxSections(),
                "an rtx format not on the m-line is not accepted");
        String noApt = answer.replace("a=fmtp:97 apt=96", "a=fmtp:97 x=1").replace("a=fmtp:103 apt=102", "");
        assertEquals(List.of(false, false), SubscriberOffer.readAnswer(noApt, 2).rtxSections());
        String rejectedVideo = answer.replaceFirst("m=video 9 ", "m=video 0 ");
        assertEquals(List.of(false, false), SubscriberOffer.readAnswer(rejectedVideo, 2).rtxSections());
    }

    @Test
    void offersTransportCcUnderTheIdParleyStampsWith() throws Exception {
        String sdp = SubscriberOffer.write(7, 3, PublisherNegotiationTest.LOCAL, List.of(
                new SubscriberOffer.Section("0", MediaKind.AUDIO, true, OPUS, 1, "pBob", "tA"),
                new SubscriberOffer.Section("1", MediaKind.VIDEO, true, VP8, 2, "pBob", "tV")));
        for (MediaSection m : SessionDescription.parse(sdp).media()) {
            assertEquals(List.of(dev.parley.sfu.rtp.TransportSequenceExtension.PARLEY_ID + " "
                    + dev.parley.sfu.rtp.TransportSequenceExtension.URI), m.attributes("extmap"));
            assertTrue(m.attributes("rtcp-fb").contains(m.formats().getFirst() + " transport-cc"));
        }
    }
}

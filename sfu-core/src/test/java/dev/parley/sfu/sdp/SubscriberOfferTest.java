package dev.parley.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.MediaKind;
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

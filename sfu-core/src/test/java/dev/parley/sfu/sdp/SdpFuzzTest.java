package dev.parley.sfu.sdp;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Offers and answers come from the network: mangled ones must be refused with SdpException, nothing else. */
class SdpFuzzTest {
    private static final String ALPHABET = "v=oamcst0123456789 :/;-\r\n\tABCabc.*#";

    @Test
    void mutatedOffersAreAnsweredOrRefusedNeverCrash() {
        SplittableRandom random = new SplittableRandom(7983);
        String seed = PublisherNegotiationTest.CHROME_OFFER;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder(seed);
            int edits = 1 + random.nextInt(8);
            for (int e = 0; e < edits && sb.length() > 0; e++) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(4)) {
                    case 0 -> sb.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    case 1 -> sb.deleteCharAt(at);
                    case 2 -> sb.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    default -> sb.setLength(at);
                }
            }
            String offer = sb.toString();
            try {
                PublisherNegotiation.answer(offer, PublisherNegotiationTest.LOCAL, 1);
                SubscriberOffer.readAnswer(offer, 2);
            } catch (SdpException expected) {
                // refused with a reason
            } catch (RuntimeException e) {
                fail("offer #" + i + " threw " + e + "\n" + offer, e);
            }
        }
    }
}

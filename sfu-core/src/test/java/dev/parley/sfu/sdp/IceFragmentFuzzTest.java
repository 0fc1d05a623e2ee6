package dev.parley.sfu.sdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The trickle-ICE fragment parser reads what WHIP clients send and rejects anything else with SdpException only. */
class IceFragmentFuzzTest {
    private static final int ROUNDS = 20_000;
    static final String FRAGMENT = "a=ice-options:trickle ice2\r\n"
            + "a=group:BUNDLE 0 1\r\n"
            + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
            + "a=mid:0\r\n"
            + "a=ice-ufrag:EsAw\r\n"
            + "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
            + "a=candidate:1387637174 1 udp 2122260223 192.0.2.1 61764 typ host generation 0 ufrag EsAw network-id 1\r\n"
            + "a=candidate:3471623853 1 udp 2122194687 198.51.100.2 61765 typ host generation 0 ufrag EsAw network-id 2\r\n"
            + "a=end-of-candidates\r\n";

    @Test
    void readsAClientsFragment() throws SdpException {
        IceFragment f = IceFragment.parse(FRAGMENT);
        assertEquals("EsAw", f.ufrag());
        assertEquals("P2uYro0UCOQ4zxjKXaWCBui1", f.pwd());
        assertEquals(2, f.candidates().size());
        assertTrue(f.endOfCandidates());
        assertFalse(f.restartsIce("EsAw"));
        assertTrue(f.restartsIce("other"));
        assertFalse(IceFragment.parse("a=end-of-candidates\n").restartsIce("x"), "no credentials: a trickle, not a restart");
    }

    @Test
    void refusesWhatIsNotAFragment() {
        assertThrows(SdpException.class, () -> IceFragment.parse("hello"));
        assertThrows(SdpException.class, () -> IceFragment.parse("a=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n"),
                "a candidate before any m= line");
        assertThrows(SdpException.class, () -> IceFragment.parse("m=audio 9 X 0\r\na=candidate:1 1 udp x 1.2.3.4 5 typ host\r\n"));
        assertThrows(SdpException.class, () -> IceFragment.parse("a=ice-ufrag:abcd\r\n"), "ufrag without pwd");
        assertThrows(SdpException.class, () -> IceFragment.parse("a=end-of-candidates\r\n".repeat(2000)));
        assertThrows(SdpException.class, () -> IceFragment.parse(
                "m=audio 9 X 0\r\n" + "a=candidate:1 1 udp 1 1.2.3.4 5 typ host\r\n".repeat(IceFragment.MAX_CANDIDATES + 1)));
    }

    @Test
    void mutatedFragmentsFailOnlyWithSdpException() {
        Random random = new Random(9725);
        for (int i = 0; i < ROUNDS; i++) {
            String input = mutate(FRAGMENT, random);
            try {
                IceFragment f = IceFragment.parse(input);
                assertTrue(f.candidates().size() <= IceFragment.MAX_CANDIDATES);
            } catch (SdpException expected) {
                // the documented refusal
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for input: " + input, e);
            }
        }
    }

    private static String mutate(String in, Random random) {
        char[] c = in.toCharArray();
        switch (random.nextInt(5)) {
            case 0 -> {
                for (int n = 1 + random.nextInt(6); n > 0; n--) {
                    c[random.nextInt(c.length)] = (char) random.nextInt(128);
                }
                return new String(c);
            }
            case 1 -> {
                return in.substring(0, random.nextInt(in.length()));
            }
            case 2 -> {
                String[] lines = in.split("\r\n");
                StringBuilder b = new StringBuilder();
                for (int n = random.nextInt(12); n > 0; n--) {
                    b.append(lines[random.nextInt(lines.length)]).append(random.nextBoolean() ? "\r\n" : "\n");
                }
                return b.toString();
            }
            case 3 -> {
                String[] odd = {"a=candidate:", "a=ice-ufrag:", "a=ice-pwd:", "m=", "a=candidate:1 1 udp 99999999999 h 1 typ",
                        "a=candidate:1 0 udp 1 h 70000 typ host", "\u0000", "a=ice-ufrag:\u00e9\u00e9\u00e9\u00e9"};
                int at = random.nextInt(in.length());
                return in.substring(0, at) + "\r\n" + odd[random.nextInt(odd.length)] + "\r\n" + in.substring(at);
            }
            default -> {
                StringBuilder b = new StringBuilder();
                for (int n = random.nextInt(200); n > 0; n--) {
                    b.append((char) random.nextInt(0x3000));
                }
                return b.toString();
            }
        }
    }
}

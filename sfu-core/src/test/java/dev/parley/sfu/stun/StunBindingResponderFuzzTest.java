package dev.parley.sfu.stun;

import dev.parley.peerkit.StunMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random and mutated datagrams: the responder never throws, never reads outside its window,
 * never accepts a request whose MESSAGE-INTEGRITY does not verify (by the test's own check), and only answers with well-formed
 * error responses; unmutated valid requests are always accepted.
 */
class StunBindingResponderFuzzTest {
    private static final int ITERATIONS = 100_000;
    private static final Map<String, String> PASSWORDS = Map.of(
            "sRv8uFrG", "server+Password/0123456789",
            "aaaa", "aaaa-password-aaaa-aaaa-aa",
            "Zz9+", "zz+/zz+/zz+/zz+/zz+/zz+/");
    private static final String[] UFRAGS = PASSWORDS.keySet().toArray(String[]::new);

    private final StunBindingResponder responder = new StunBindingResponder(PASSWORDS::get);
    private final Random random = new Random(0x57A7_F022L);
    private final InetSocketAddress[] sources = {
        address("198.51.100.20", 3478), address("2001:db8:1::20", 65_535), address("10.0.0.1", 1)
    };
    private int accepted;
    private int withResponse;

    @Test
    void randomAndMutatedDatagramsNeverBreakTheResponder() {
        for (int i = 0; i < ITERATIONS; i++) {
            Valid valid = validRequest();
            switch (i % 10) {
                case 0 -> roundTrips(valid);
                case 1 -> check(randomBytes(random.nextInt(120)), valid.from);
                case 2 -> check(randomStunLikeMessage(), valid.from);
                default -> check(mutate(valid.bytes), valid.from);
            }
        }
        // The run must have reached the interesting paths, not just the cheap header checks.
        assertTrue(accepted >= ITERATIONS / 10, "accepted " + accepted);
        assertTrue(withResponse > ITERATIONS / 100, "error responses " + withResponse);
    }

    private void roundTrips(Valid valid) {
        StunResult result = check(valid.bytes, valid.from);
        StunResult.Accepted ok = assertInstanceOf(StunResult.Accepted.class, result);
        assertEquals(valid.localUfrag, ok.localUfrag());
        assertEquals(valid.remoteUfrag, ok.remoteUfrag());
        assertEquals(valid.priority, ok.priority());
        assertEquals(valid.useCandidate, ok.useCandidate());
        try {
            assertEquals(valid.from, DecodedStun.parse(ok.response()).xorMappedAddress());
        } catch (UnknownHostException e) {
            fail(e);
        }
    }

    /** Runs one datagram, checks every invariant, and returns the result. */
    private StunResult check(byte[] datagram, InetSocketAddress from) {
        StunResult result;
        StunResult embedded;
        int offset = 1 + random.nextInt(40);
        byte[] surrounded = randomBytes(offset + datagram.length + random.nextInt(40));
        System.arraycopy(datagram, 0, surrounded, offset, datagram.length);
        try {
            result = responder.handle(datagram, 0, datagram.length, from);
            embedded = responder.handle(surrounded, offset, datagram.length, from);
        } catch (RuntimeException e) {
            throw new AssertionError("threw on " + HexFormat.of().formatHex(datagram), e);
        }
        // Bytes outside the window differ between the two runs; equal answers mean they were not read.
        assertSameAnswer(result, embedded, datagram);

        switch (result) {
            case StunResult.Accepted ok -> {
                accepted++;
                assertTrue(independentlyAuthentic(datagram),
                        "accepted a request that does not verify: " + HexFormat.of().formatHex(datagram));
                DecodedStun response = DecodedStun.parse(ok.response());
                assertEquals(StunMessage.BINDING_SUCCESS, response.type());
                assertTrue(response.integrityVerifies(PASSWORDS.get(ok.localUfrag())));
                assertTrue(response.fingerprintVerifies());
            }
            case StunResult.Rejected rejected when rejected.response() != null -> {
                withResponse++;
                DecodedStun response = DecodedStun.parse(rejected.response());
                assertEquals(StunMessage.BINDING_ERROR, response.type());
                assertArrayEquals(Arrays.copyOfRange(datagram, 8, 20), response.transactionId());
                assertTrue(response.fingerprintVerifies());
                if (response.attribute(StunMessage.MESSAGE_INTEGRITY) == null) {
                    assertTrue(rejected.response().length <= datagram.length, "unauthenticated answer amplifies");
                } else {
                    assertTrue(independentlyAuthentic(datagram), "authenticated error to unauthentic request");
                }
            }
            case StunResult.Rejected rejected -> {
            }
        }
        return result;
    }

    private static void assertSameAnswer(StunResult a, StunResult b, byte[] datagram) {
        String hex = HexFormat.of().formatHex(datagram);
        assertEquals(a.getClass(), b.getClass(), hex);
        switch (a) {
            case StunResult.Accepted x -> {
                StunResult.Accepted y = (StunResult.Accepted) b;
                assertEquals(x.localUfrag(), y.localUfrag(), hex);
                assertEquals(x.remoteUfrag(), y.remoteUfrag(), hex);
                assertEquals(x.priority(), y.priority(), hex);
                assertEquals(x.useCandidate(), y.useCandidate(), hex);
                assertArrayEquals(x.response(), y.response(), hex);
            }
            case StunResult.Rejected x -> {
                StunResult.Rejected y = (StunResult.Rejected) b;
                assertEquals(x.reason(), y.reason(), hex);
                assertArrayEquals(x.response(), y.response(), hex);
            }
        }
    }

    /**
     * The test's own short-term credential check, written from RFC 8489 without the code under test:
     * a Binding request whose first MESSAGE-INTEGRITY verifies with the password of the ufrag in the
     * USERNAME before it, and whose last attribute is a correct FINGERPRINT.
     */
    private static boolean independentlyAuthentic(byte[] d) {
        if (d.length < 20 || DecodedStun.shortAt(d, 0) != 0x0001 || DecodedStun.shortAt(d, 2) != d.length - 20) {
            return false;
        }
        String username = null;
        int pos = 20;
        int lastAttribute = -1;
        int integrity = -1;
        while (pos + 4 <= d.length) {
            int type = DecodedStun.shortAt(d, pos);
            int length = DecodedStun.shortAt(d, pos + 2);
            if (pos + 4 + length > d.length) {
                return false;
            }
            if (integrity < 0 && type == StunMessage.USERNAME && username == null) {
                username = new String(d, pos + 4, length, StandardCharsets.US_ASCII);
            }
            if (integrity < 0 && type == StunMessage.MESSAGE_INTEGRITY && length == 20) {
                integrity = pos;
            }
            lastAttribute = pos;
            pos += 4 + ((length + 3) & ~3);
        }
        if (pos != d.length || integrity < 0 || username == null || username.indexOf(':') < 0
                || DecodedStun.shortAt(d, lastAttribute) != StunMessage.FINGERPRINT) {
            return false;
        }
        String password = PASSWORDS.get(username.substring(0, username.indexOf(':')));
        if (password == null) {
            return false;
        }
        byte[] covered = Arrays.copyOf(d, integrity);
        int length = integrity - 20 + 24;
        covered[2] = (byte) (length >>> 8);
        covered[3] = (byte) length;
        int crc = (int) (StunMessage.crc32(Arrays.copyOf(d, lastAttribute)) ^ 0x5354554EL);
        return Arrays.equals(StunMessage.hmacSha1(password, covered), Arrays.copyOfRange(d, integrity + 4,
                integrity + 24)) && DecodedStun.intAt(d, lastAttribute + 4) == crc;
    }

    // ---- inputs --------------------------------------------------------------------------

    private record Valid(byte[] bytes, InetSocketAddress from, String localUfrag, String remoteUfrag,
                         long priority, boolean useCandidate) {
    }

    private Valid validRequest() {
        String local = UFRAGS[random.nextInt(UFRAGS.length)];
        String remote = "r" + Integer.toHexString(random.nextInt());
        long priority = random.nextLong() & 0xFFFF_FFFFL;
        boolean useCandidate = random.nextBoolean();
        byte[] id = randomBytes(12);
        byte[] bytes = StunMessage.browserCheck(id, local + ":" + remote, priority, useCandidate, PASSWORDS.get(local));
        return new Valid(bytes, sources[random.nextInt(sources.length)], local, remote, priority, useCandidate);
    }

    private byte[] mutate(byte[] valid) {
        byte[] d = valid.clone();
        int kind = random.nextInt(8);
        switch (kind) {
            case 0 -> { // bit flips
                for (int n = 1 + random.nextInt(4); n > 0; n--) {
                    int bit = random.nextInt(d.length * 8);
                    d[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 1 -> d[random.nextInt(d.length)] = (byte) random.nextInt(256);
            case 2 -> d = Arrays.copyOf(d, random.nextInt(d.length)); // truncation
            case 3 -> { // header length lie
                int lie = random.nextInt(4) == 0 ? random.nextInt(65_536) : d.length - 20 + 4 * (random.nextInt(9) - 4);
                d[2] = (byte) (lie >>> 8);
                d[3] = (byte) lie;
            }
            case 4 -> { // attribute length lie, at an attribute boundary
                int at = attributeStart(d);
                int lie = random.nextBoolean() ? random.nextInt(65_536) : random.nextInt(40);
                d[at + 2] = (byte) (lie >>> 8);
                d[at + 3] = (byte) lie;
            }
            case 5 -> { // splice in a random attribute before a random boundary
                int at = attributeStart(d);
                int length = random.nextInt(24);
                byte[] attribute = new byte[4 + ((length + 3) & ~3)];
                random.nextBytes(attribute);
                attribute[2] = 0;
                attribute[3] = (byte) length;
                d = splice(d, at, attribute);
                d[2] = (byte) ((d.length - 20) >>> 8);
                d[3] = (byte) (d.length - 20);
            }
            case 6 -> d = Arrays.copyOf(d, d.length + 4 * (1 + random.nextInt(4))); // trailing bytes
            default -> { // message type change
                d[0] = (byte) random.nextInt(4);
                d[1] = (byte) random.nextInt(256);
            }
        }
        // Half the time re-seal FINGERPRINT so the mutation reaches the integrity check.
        if (random.nextBoolean()) {
            refingerprint(d);
        }
        return d;
    }

    private int attributeStart(byte[] d) {
        int pos = 20;
        int chosen = 20;
        while (pos + 4 <= d.length) {
            if (random.nextInt(3) == 0) {
                chosen = pos;
            }
            pos += 4 + ((DecodedStun.shortAt(d, pos + 2) + 3) & ~3);
        }
        return Math.min(chosen, d.length - 4);
    }

    private static void refingerprint(byte[] d) {
        if (d.length >= 28) {
            StunMessage.refingerprint(d);
        }
    }

    private byte[] randomStunLikeMessage() {
        int bodyLength = 4 * random.nextInt(30);
        byte[] d = randomBytes(20 + bodyLength);
        d[0] = 0;
        d[1] = 1;
        d[2] = (byte) (bodyLength >>> 8);
        d[3] = (byte) bodyLength;
        d[4] = 0x21;
        d[5] = 0x12;
        d[6] = (byte) 0xA4;
        d[7] = 0x42;
        // Use attribute types the responder knows, so the walk gets past the first few.
        int[] types = {0x0006, 0x0008, 0x0024, 0x0025, 0x8028, 0x8029, 0x802A, 0x8022};
        for (int pos = 20; pos + 4 <= d.length; pos += 4 + 4 * random.nextInt(6)) {
            int type = types[random.nextInt(types.length)];
            d[pos] = (byte) (type >>> 8);
            d[pos + 1] = (byte) type;
            d[pos + 2] = 0;
            d[pos + 3] = (byte) random.nextInt(25);
        }
        if (random.nextBoolean()) {
            refingerprint(d);
        }
        return d;
    }

    private static byte[] splice(byte[] d, int at, byte[] insert) {
        byte[] out = new byte[d.length + insert.length];
        System.arraycopy(d, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(d, at, out, at + insert.length, d.length - at);
        return out;
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static InetSocketAddress address(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void independentVerifierAgreesOnKnownInputs() {
        // Guards the fuzz oracle itself: it must accept a genuine request and refuse a tampered one.
        Valid valid = validRequest();
        assertTrue(independentlyAuthentic(valid.bytes));
        byte[] tampered = valid.bytes.clone();
        tampered[25] ^= 1;
        refingerprint(tampered);
        assertFalse(independentlyAuthentic(tampered));
    }
}

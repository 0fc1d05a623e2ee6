package dev.parley.sfu.dtls;

import dev.parley.peerkit.ClientHelloCatcher;
import dev.parley.peerkit.DtlsSrtpClient;
import dev.parley.peerkit.PeerCertificate;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ClientHelloCheckTest {
    private static final PeerCertificate CERT = PeerCertificate.generate();
    /** The first datagram of a real DTLS-SRTP client. */
    private static final byte[] HELLO = firstFlight();
    private static final int BODY = 13 + 12;

    @Test
    void aRealClientHelloPasses() {
        assertTrue(ClientHelloCheck.isPlausible(HELLO, 0, HELLO.length));
        byte[] inside = new byte[HELLO.length + 10];
        System.arraycopy(HELLO, 0, inside, 5, HELLO.length);
        assertTrue(ClientHelloCheck.isPlausible(inside, 5, HELLO.length), "at an offset");
    }

    @Test
    void everyTruncationIsRefused() {
        for (int len = 0; len < HELLO.length; len++) {
            assertFalse(ClientHelloCheck.isPlausible(HELLO, 0, len), "cut to " + len + " bytes");
        }
    }

    @Test
    void theFirstFragmentOfALongClientHelloPasses() {
        // A ClientHello too long for one datagram (post-quantum key shares) comes in fragments; the first one is
        // judged as far as it goes. Cut the real one after its cipher suites' length, as a fragment.
        for (int fragment : new int[] {35, 36, 40, 80, HELLO.length - BODY - 1}) {
            byte[] f = Arrays.copyOf(HELLO, BODY + fragment);
            ByteBuffer.wrap(f).putShort(11, (short) (12 + fragment));
            f[BODY - 3] = 0;
            ByteBuffer.wrap(f).putShort(BODY - 2, (short) fragment);
            assertTrue(ClientHelloCheck.isPlausible(f, 0, f.length), "first fragment of " + fragment + " bytes");
        }
    }

    @Test
    void aChangeAnywhereInTheHeadersIsRefused() {
        refused("content type alert", b -> b[0] = 21);
        refused("TLS, not DTLS", b -> b[1] = 3);
        refused("unknown DTLS version", b -> b[2] = (byte) 0xFC);
        refused("epoch 1", b -> b[4] = 1);
        refused("record longer than the datagram", b -> b[12]++);
        refused("ServerHello", b -> b[13] = 2);
        refused("message_seq 1", b -> b[18] = 1);
        refused("a later fragment", b -> b[21] = 1);
        refused("fragment longer than the message", b -> b[24]++);
        refused("client_version TLS 1.2", b -> b[BODY] = 3);
        refused("session id of 33 bytes", b -> b[BODY + 34] = 33);
        refused("extensions longer than the message", b -> b[extensionsLengthAt() + 1]++);
    }

    @Test
    void randomBodiesBehindAClientHelloHeaderAreRefused() {
        Random random = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = HandshakeAdmissionTest.clientHelloShapedJunk(random);
            assertFalse(ClientHelloCheck.isPlausible(junk, 0, junk.length), "junk " + i + " passed");
        }
        for (int i = 0; i < 20_000; i++) {
            byte[] junk = HELLO.clone();
            for (int j = BODY + 2; j < junk.length; j++) {
                junk[j] = (byte) random.nextInt(256); // a real header and client_version, random after
            }
            assertFalse(ClientHelloCheck.isPlausible(junk, 0, junk.length), "junk " + i + " passed");
        }
    }

    private static void refused(String what, Consumer<byte[]> change) {
        byte[] b = HELLO.clone();
        change.accept(b);
        assertFalse(ClientHelloCheck.isPlausible(b, 0, b.length), what);
    }

    /** Where the extensions' 2-byte length field is. */
    private static int extensionsLengthAt() {
        int at = BODY + 2 + 32;
        at += 1 + (HELLO[at] & 0xFF);
        at += 1 + (HELLO[at] & 0xFF);
        at += 2 + (((HELLO[at] & 0xFF) << 8) | (HELLO[at + 1] & 0xFF));
        at += 1 + (HELLO[at] & 0xFF);
        return at;
    }

    private static byte[] firstFlight() {
        try {
            return ClientHelloCatcher.firstFlight(new DtlsSrtpClient(CERT, "sha-256 00",
                    new int[] {DtlsSrtpClient.AEAD_AES_128_GCM}, 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

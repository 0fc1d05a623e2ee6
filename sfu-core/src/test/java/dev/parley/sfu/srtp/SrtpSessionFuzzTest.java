package dev.parley.sfu.srtp;

import static dev.parley.sfu.srtp.SrtpPackets.load;
import static dev.parley.sfu.srtp.SrtpPackets.randomKeys;
import static dev.parley.sfu.srtp.SrtpPackets.rtcpReceiverReport;
import static dev.parley.sfu.srtp.SrtpPackets.rtp;
import static dev.parley.sfu.srtp.SrtpPackets.window;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Feeds random and mutated packets to the receive side. Every mutation of an authentic packet changes
 * authenticated bytes, so each must be refused; authentic packets interleaved with them must still round-trip;
 * nothing may throw, and jitsi-srtp must never fail by exception (which would include an out-of-bounds read).
 */
class SrtpSessionFuzzTest {
    private static final int ITERATIONS = 50_000; // per profile: 100k inputs in all

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void randomAndMutatedInputIsRefusedWithoutThrowing(SrtpProfile profile) {
        Random random = new Random(0x5EED + profile.ordinal());
        SrtpKeyingMaterial keys = randomKeys(profile, random);
        SrtpSession server = new SrtpSession(keys);
        SrtpSession client = new SrtpSession(keys, SrtpSession.Role.DTLS_CLIENT, SrtpSession.DEFAULT_MAX_SSRCS);
        PacketBuffer p = new PacketBuffer();
        int[] ssrcs = {0x1001, 0x2002, 0x3003};
        int seq = 0;
        int rtcpIndex = 0;
        int authentic = 0;

        for (int i = 0; i < ITERATIONS; i++) {
            boolean asRtcp = random.nextInt(4) == 0;
            int offset = random.nextInt(4);
            byte[] plain;
            if (asRtcp) {
                rtcpReceiverReport(p, offset, ssrcs[random.nextInt(ssrcs.length)], random.nextInt());
                plain = window(p);
                assertTrue(client.protectRtcp(p));
                rtcpIndex++;
            } else {
                rtp(p, offset, ssrcs[random.nextInt(ssrcs.length)], ++seq & 0xFFFF, random.nextInt(300),
                        random.nextBoolean());
                plain = window(p);
                assertTrue(client.protectRtp(p));
            }
            byte[] genuine = window(p);

            switch (random.nextInt(5)) {
                case 0 -> { // the genuine packet: must round-trip
                    load(p, offset, genuine);
                    assertTrue(unprotect(server, p, asRtcp), "authentic packet " + i);
                    assertArrayEquals(plain, window(p));
                    authentic++;
                    continue;
                }
                case 1 -> load(p, offset, flipBits(genuine, random)); // bit flips
                case 2 -> load(p, offset, Arrays.copyOf(genuine, random.nextInt(genuine.length))); // truncation
                case 3 -> load(p, offset, lieAboutLengths(genuine, random)); // CSRC count / extension length lies
                default -> load(p, offset, randomBytes(random)); // noise, sometimes shaped like RTP
            }
            int lengthBefore = p.length();
            int offsetBefore = p.offset();
            assertFalse(unprotect(server, p, asRtcp), "mutated packet " + i + " was accepted");
            assertEquals(lengthBefore, p.length());
            assertEquals(offsetBefore, p.offset());
        }
        assertEquals(0, server.unexpectedErrors(), "jitsi-srtp threw on some input");
        assertTrue(server.receiveRtpContexts() <= ssrcs.length);
        assertTrue(server.receiveRtcpContexts() <= ssrcs.length);
        assertTrue(authentic > ITERATIONS / 10);
        assertTrue(rtcpIndex > 0);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void protectNeverThrowsOnGarbage(SrtpProfile profile) {
        Random random = new Random(77);
        SrtpSession server = new SrtpSession(randomKeys(profile, random));
        PacketBuffer p = new PacketBuffer();
        for (int i = 0; i < 5_000; i++) {
            load(p, random.nextInt(8), randomBytes(random));
            if (random.nextBoolean()) {
                server.protectRtp(p);
            } else {
                server.protectRtcp(p);
            }
            assertTrue(p.offset() + p.length() <= p.capacity());
        }
        assertEquals(0, server.unexpectedErrors());
    }

    private static boolean unprotect(SrtpSession s, PacketBuffer p, boolean rtcp) {
        return rtcp ? s.unprotectRtcp(p) : s.unprotectRtp(p);
    }

    private static byte[] flipBits(byte[] packet, Random random) {
        byte[] out = packet.clone();
        int flips = 1 + random.nextInt(3);
        for (int k = 0; k < flips; k++) {
            int bit = random.nextInt(out.length * 8);
            out[bit / 8] ^= (byte) (1 << (bit % 8));
        }
        if (Arrays.equals(out, packet)) { // two flips of one bit cancelled out
            out[0] ^= 1;
        }
        return out;
    }

    private static byte[] lieAboutLengths(byte[] packet, Random random) {
        byte[] out = packet.clone();
        if (random.nextBoolean()) {
            int cc = out[0] & 0x0F;
            out[0] = (byte) ((out[0] & 0xF0) | ((cc + 1 + random.nextInt(15)) & 0x0F));
        } else {
            out[0] |= 0x10; // claim an extension, then a length that may run past the end
            if (out.length > 15) {
                out[14] = (byte) random.nextInt(256);
                out[15] ^= (byte) (1 + random.nextInt(255));
            }
        }
        return out;
    }

    private static byte[] randomBytes(Random random) {
        byte[] out = new byte[random.nextInt(PacketBuffer.MAX_DATAGRAM)];
        random.nextBytes(out);
        if (out.length > 0 && random.nextBoolean()) {
            out[0] = (byte) (0x80 | (out[0] & 0x3F)); // pass the version check
        }
        return out;
    }
}

package dev.parley.sfu.srtp;

import static dev.parley.sfu.srtp.SrtpPackets.load;
import static dev.parley.sfu.srtp.SrtpPackets.randomKeys;
import static dev.parley.sfu.srtp.SrtpPackets.rtcpReceiverReport;
import static dev.parley.sfu.srtp.SrtpPackets.rtp;
import static dev.parley.sfu.srtp.SrtpPackets.window;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SrtpSessionTest {
    private final Random random = new Random(42);

    private SrtpSession server(SrtpKeyingMaterial keys) {
        return new SrtpSession(keys);
    }

    private SrtpSession client(SrtpKeyingMaterial keys) {
        return new SrtpSession(keys, SrtpSession.Role.DTLS_CLIENT, SrtpSession.DEFAULT_MAX_SSRCS);
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtpRoundTripsBetweenServerAndClientInBothDirections(SrtpProfile profile) {
        SrtpKeyingMaterial keys = randomKeys(profile, random);
        SrtpSession server = server(keys);
        SrtpSession client = client(keys);
        PacketBuffer p = new PacketBuffer();
        for (int seq = 65_530; seq < 65_560; seq++) { // crosses the 16-bit rollover
            for (int ssrc : new int[] {0x11111111, 0xCAFEBABE}) {
                int offset = seq % 3; // ICE-TCP framing leaves the packet at a non-zero offset
                boolean ext = seq % 2 == 0;
                rtp(p, offset, ssrc, seq & 0xFFFF, 100 + seq % 50, ext);
                byte[] plain = window(p);

                assertTrue(server.protectRtp(p));
                assertEquals(plain.length + profile.srtpOverhead(), p.length());
                assertEquals(offset, p.offset());
                int header = ext ? 20 : 12;
                assertArrayEquals(Arrays.copyOf(plain, header), Arrays.copyOf(window(p), header),
                        "the RTP header stays in the clear");
                assertNotEquals(Arrays.toString(Arrays.copyOfRange(plain, header, plain.length)),
                        Arrays.toString(Arrays.copyOfRange(window(p), header, plain.length)), "payload is encrypted");

                assertTrue(client.unprotectRtp(p));
                assertArrayEquals(plain, window(p));

                rtp(p, offset, ssrc, seq & 0xFFFF, 60, ext);
                plain = window(p);
                assertTrue(client.protectRtp(p));
                assertTrue(server.unprotectRtp(p));
                assertArrayEquals(plain, window(p));
            }
        }
        assertEquals(0, server.authFailures() + server.replayedPackets() + server.malformedPackets());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void rtcpRoundTripsBetweenServerAndClientInBothDirections(SrtpProfile profile) {
        SrtpKeyingMaterial keys = randomKeys(profile, random);
        SrtpSession server = server(keys);
        SrtpSession client = client(keys);
        PacketBuffer p = new PacketBuffer();
        for (int i = 0; i < 20; i++) {
            rtcpReceiverReport(p, i % 4, 0x01020304, 0x0A0B0C0D + i);
            byte[] plain = window(p);
            assertTrue(server.protectRtcp(p));
            assertEquals(plain.length + profile.srtcpOverhead(), p.length());
            int eAndIndex = profile == SrtpProfile.AEAD_AES_128_GCM ? p.length() - 4 : plain.length;
            assertEquals(0x80, p.getUnsignedByte(eAndIndex) & 0x80, "SRTCP is sent encrypted (E flag)");
            assertTrue(client.unprotectRtcp(p));
            assertArrayEquals(plain, window(p));

            rtcpReceiverReport(p, 0, 0x55555555, i);
            plain = window(p);
            assertTrue(client.protectRtcp(p));
            assertTrue(server.unprotectRtcp(p));
            assertArrayEquals(plain, window(p));
        }
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void tamperedPacketsFailAndLeaveTheWindowAlone(SrtpProfile profile) {
        SrtpKeyingMaterial keys = randomKeys(profile, random);
        SrtpSession server = server(keys);
        SrtpSession client = client(keys);
        PacketBuffer p = new PacketBuffer();
        int seq = 1;
        for (int bit = 0; bit < 8 * 60; bit += 7) {
            rtp(p, 0, 0x1234, seq++, 40, false);
            assertTrue(client.protectRtp(p));
            byte[] good = window(p);
            byte[] bad = good.clone();
            bad[bit / 8 % bad.length] ^= (byte) (1 << (bit % 8));
            load(p, 0, bad);
            assertFalse(server.unprotectRtp(p), "bit " + bit + " flipped");
            assertEquals(bad.length, p.length());
            load(p, 0, good);
            assertTrue(server.unprotectRtp(p), "the untouched packet still authenticates");
        }
        assertTrue(server.authFailures() > 0);

        rtcpReceiverReport(p, 0, 0x99, 0x98);
        assertTrue(client.protectRtcp(p));
        p.array()[10] ^= 1;
        assertFalse(server.unprotectRtcp(p));
        assertEquals(0, server.unexpectedErrors());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void replayedPacketsFail(SrtpProfile profile) {
        SrtpKeyingMaterial keys = randomKeys(profile, random);
        SrtpSession server = server(keys);
        SrtpSession client = client(keys);
        PacketBuffer p = new PacketBuffer();
        rtp(p, 0, 7, 1000, 80, true);
        assertTrue(client.protectRtp(p));
        byte[] rtpOnWire = window(p);
        assertTrue(server.unprotectRtp(p));
        load(p, 0, rtpOnWire);
        assertFalse(server.unprotectRtp(p));
        assertEquals(1, server.replayedPackets());

        rtcpReceiverReport(p, 0, 7, 8);
        assertTrue(client.protectRtcp(p));
        byte[] rtcpOnWire = window(p);
        assertTrue(server.unprotectRtcp(p));
        load(p, 0, rtcpOnWire);
        assertFalse(server.unprotectRtcp(p));
        assertEquals(2, server.replayedPackets());
    }

    @ParameterizedTest
    @EnumSource(SrtpProfile.class)
    void forgedSsrcsDoNotGrowTheReceiveCache(SrtpProfile profile) {
        SrtpKeyingMaterial keys = randomKeys(profile, random);
        SrtpSession server = server(keys);
        SrtpSession client = client(keys);
        PacketBuffer p = new PacketBuffer();
        for (int i = 0; i < 500; i++) {
            rtp(p, 0, random.nextInt(), i, 50, false);
            p.setLength(p.length() + profile.srtpOverhead()); // a tag of zeros
            assertFalse(server.unprotectRtp(p));
            rtcpReceiverReport(p, 0, random.nextInt(), 1);
            p.array()[p.length()] = (byte) 0x80; // E flag set, index 0, zero tag
            p.setLength(p.length() + profile.srtcpOverhead());
            if (profile == SrtpProfile.AEAD_AES_128_GCM) {
                p.array()[p.length() - 4] = (byte) 0x80;
            }
            assertFalse(server.unprotectRtcp(p));
        }
        assertEquals(0, server.receiveRtpContexts());
        assertEquals(0, server.receiveRtcpContexts());
        assertEquals(1000, server.authFailures());

        rtp(p, 0, 0xABCDEF, 1, 50, false);
        assertTrue(client.protectRtp(p));
        assertTrue(server.unprotectRtp(p));
        assertEquals(1, server.receiveRtpContexts(), "an authentic packet binds its SSRC");
    }

    @Test
    void receiveCacheIsBoundedAndKeepsWorkingAfterEviction() {
        SrtpKeyingMaterial keys = randomKeys(SrtpProfile.AEAD_AES_128_GCM, random);
        SrtpSession server = new SrtpSession(keys, SrtpSession.Role.DTLS_SERVER, 4);
        SrtpSession client = client(keys);
        PacketBuffer p = new PacketBuffer();
        for (int round = 0; round < 3; round++) {
            for (int ssrc = 1; ssrc <= 10; ssrc++) {
                rtp(p, 0, ssrc, round, 20, false);
                assertTrue(client.protectRtp(p));
                assertTrue(server.unprotectRtp(p), "ssrc " + ssrc + " round " + round);
            }
        }
        assertEquals(4, server.receiveRtpContexts());
    }

    @Test
    void protectRefusesWhatItCannotProtectAndChangesNothing() {
        SrtpSession server = server(randomKeys(SrtpProfile.AES128_CM_HMAC_SHA1_80, random));
        PacketBuffer tight = new PacketBuffer(100);
        rtp(tight, 0, 5, 1, 88, false); // 100 bytes: no room for the tag
        byte[] before = window(tight);
        assertFalse(server.protectRtp(tight));
        assertArrayEquals(before, window(tight));

        PacketBuffer p = new PacketBuffer();
        rtp(p, 0, 5, 1, 10, true);
        p.array()[15] = (byte) 200; // extension length far beyond the packet
        assertFalse(server.protectRtp(p));
        p.setWindow(0, 5);
        assertFalse(server.protectRtp(p));
        assertFalse(server.protectRtcp(p));

        rtp(p, 0, 5, 1, 10, false);
        assertTrue(server.protectRtp(p));
        byte[] first = window(p);
        rtp(p, 0, 5, 1, 10, false);
        assertTrue(server.protectRtp(p), "a NACKed packet is protected again for its retransmission");
        assertArrayEquals(first, window(p), "the same plaintext under the same SSRC and sequence number encrypts identically");
        assertEquals(4, server.protectFailures());
        assertEquals(0, server.unexpectedErrors());
    }

    @Test
    void wrongKeysAndClosedSessionsRefusePackets() {
        SrtpKeyingMaterial keys = randomKeys(SrtpProfile.AEAD_AES_128_GCM, random);
        SrtpSession client = client(keys);
        SrtpSession stranger = server(randomKeys(SrtpProfile.AEAD_AES_128_GCM, random));
        SrtpSession server = server(keys);
        PacketBuffer p = new PacketBuffer();
        rtp(p, 0, 5, 1, 10, false);
        assertTrue(client.protectRtp(p));
        byte[] onWire = window(p);
        assertFalse(stranger.unprotectRtp(p));
        assertEquals(1, stranger.authFailures());

        server.close();
        load(p, 0, onWire);
        assertFalse(server.unprotectRtp(p));
        assertFalse(server.protectRtp(p));
    }

    @Test
    void exporterOutputIsSplitAsRfc5764Lays_itOut() {
        SrtpProfile profile = SrtpProfile.AES128_CM_HMAC_SHA1_80;
        byte[] exported = new byte[60];
        for (int i = 0; i < exported.length; i++) {
            exported[i] = (byte) i;
        }
        SrtpKeyingMaterial keys = SrtpKeyingMaterial.fromExporterOutput(profile, exported);
        assertArrayEquals(Arrays.copyOfRange(exported, 0, 16), keys.clientKey());
        assertArrayEquals(Arrays.copyOfRange(exported, 16, 32), keys.serverKey());
        assertArrayEquals(Arrays.copyOfRange(exported, 32, 46), keys.clientSalt());
        assertArrayEquals(Arrays.copyOfRange(exported, 46, 60), keys.serverSalt());
        assertFalse(keys.toString().contains("0, 1, 2"), "toString never prints keys");
        assertThrows(IllegalArgumentException.class,
                () -> SrtpKeyingMaterial.fromExporterOutput(profile, new byte[56]));
        assertThrows(IllegalArgumentException.class,
                () -> new SrtpKeyingMaterial(profile, new byte[16], new byte[12], new byte[16], new byte[14]));
    }

    @Test
    void cryptoBackendIsReported() {
        String backend = SrtpSession.cryptoBackend();
        assertTrue(backend.contains("AES-GCM by ") && backend.contains("HMAC-SHA1 by "), backend);
        assertFalse(backend.contains("none"), backend);
    }

    // Where OpenSSL loads, every AES cipher is OpenSSL's, not whichever provider won a start-up timing on a busy machine.
    @Test
    void withOpenSslLoadedEveryAesCipherIsOpenSsl() {
        String backend = SrtpSession.cryptoBackend();
        if (backend.startsWith("OpenSSL JNI loaded")) {
            assertTrue(backend.contains("AES-CM by JitsiOpenSslProvider") && backend.contains("AES-GCM by JitsiOpenSslProvider"),
                    backend);
        }
    }
}

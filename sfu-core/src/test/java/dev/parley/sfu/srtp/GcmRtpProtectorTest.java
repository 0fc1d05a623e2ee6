package dev.parley.sfu.srtp;

import static dev.parley.sfu.srtp.SrtpPackets.randomKeys;
import static dev.parley.sfu.srtp.SrtpPackets.rtp;
import static dev.parley.sfu.srtp.SrtpPackets.window;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.testkit.Required;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.jitsi.srtp.crypto.JitsiOpenSslProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Parley's own AES-GCM RTP encryption ({@link GcmRtpProtector} inside {@link SrtpSession}) against jitsi-srtp's,
 * which stays the decrypting side: the same bytes for the same packets, across a sequence-number rollover and for
 * a retransmission sent after it, decrypted by jitsi-srtp, and nothing allocated per packet.
 */
class GcmRtpProtectorTest {
    private static final HexFormat HEX = HexFormat.of();
    private final Random random = new Random(7714);

    @BeforeEach
    void needsOpenSsl() {
        if (!JitsiOpenSslProvider.isLoaded()) {
            Required.missing("jitsi-srtp's OpenSSL binding (Debian package libssl3)", null);
        }
    }

    private static SrtpSession own(SrtpKeyingMaterial keys) {
        return new SrtpSession(keys, SrtpSession.Role.DTLS_SERVER, 8, true);
    }

    private static SrtpSession jitsi(SrtpKeyingMaterial keys) {
        return new SrtpSession(keys, SrtpSession.Role.DTLS_SERVER, 8, false);
    }

    private static SrtpSession receiver(SrtpKeyingMaterial keys) {
        return new SrtpSession(keys, SrtpSession.Role.DTLS_CLIENT, 8, false);
    }

    @Test
    void encryptsToJitsiSrtpsBytesAcrossARolloverAndForALateRetransmission() {
        SrtpKeyingMaterial keys = randomKeys(SrtpProfile.AEAD_AES_128_GCM, random);
        SrtpSession own = own(keys);
        SrtpSession jitsi = jitsi(keys);
        PacketBuffer a = new PacketBuffer();
        PacketBuffer b = new PacketBuffer();
        List<byte[]> sent = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            int seq = (65_450 + n) & 0xFFFF; // wraps at n = 86
            int ssrc = n % 3 == 0 ? 0x0A0B0C0D : 0xF00DF00D;
            int offset = n % 4;
            int payload = n % 5 == 0 ? 1 : 60 + random.nextInt(1100);
            rtp(a, offset, ssrc, seq, payload, n % 2 == 0);
            rtp(b, offset, ssrc, seq, payload, n % 2 == 0);
            assertTrue(own.protectRtp(a));
            assertTrue(jitsi.protectRtp(b));
            assertArrayEquals(window(b), window(a), "seq " + seq);
            assertEquals(offset, a.offset());
            if (ssrc == 0xF00DF00D && seq == 65_500) {
                sent.add(window(a));
            }
        }
        // A NACK for a packet sent before the wrap, answered after it: the same bytes as the first time.
        rtp(a, 0, 0xF00DF00D, 65_500, 0, false);
        rtp(b, 0, 0xF00DF00D, 65_500, 0, false);
        assertTrue(own.protectRtp(a));
        assertTrue(jitsi.protectRtp(b));
        assertArrayEquals(window(b), window(a));
        assertEquals(0, own.protectFailures() + own.unexpectedErrors());
    }

    @Test
    void jitsiSrtpDecryptsWhatItEncryptsAcrossARollover() {
        SrtpKeyingMaterial keys = randomKeys(SrtpProfile.AEAD_AES_128_GCM, random);
        SrtpSession sender = own(keys);
        SrtpSession receiver = receiver(keys);
        PacketBuffer p = new PacketBuffer();
        byte[] late = null;
        for (int n = 0; n < 300; n++) {
            int seq = (65_400 + n) & 0xFFFF;
            rtp(p, 1, 0x12345678, seq, 20 + random.nextInt(1200), n % 3 == 0);
            byte[] plain = window(p);
            assertTrue(sender.protectRtp(p));
            if (seq == 65_530) {
                late = window(p); // reordered: arrives after the wrap
                continue;
            }
            assertTrue(receiver.unprotectRtp(p), "seq " + seq);
            assertArrayEquals(plain, window(p), "seq " + seq);
            if (seq == 5) {
                SrtpPackets.load(p, 0, late);
                assertTrue(receiver.unprotectRtp(p), "the packet sent before the wrap, arriving after it");
            }
        }
        assertEquals(0, receiver.authFailures() + receiver.replayedPackets() + receiver.malformedPackets());
    }

    @Test
    void oddHeadersAreEncryptedOrRefusedNeverThrown() {
        SrtpKeyingMaterial keys = randomKeys(SrtpProfile.AEAD_AES_128_GCM, random);
        SrtpSession own = own(keys);
        SrtpSession jitsi = jitsi(keys);
        SrtpSession receiver = receiver(keys);
        PacketBuffer a = new PacketBuffer();
        PacketBuffer b = new PacketBuffer();
        for (int n = 0; n < 5_000; n++) {
            int length = 1 + random.nextInt(PacketBuffer.MAX_DATAGRAM - 16);
            byte[] bytes = new byte[length];
            random.nextBytes(bytes);
            bytes[0] = (byte) (0x80 | (bytes[0] & 0x3F)); // version 2; random CSRC count, extension bit, padding
            if (length > 3) {
                bytes[2] = (byte) (n >> 8); // a new sequence number each time: a repeated one would be a retransmission
                bytes[3] = (byte) n;
            }
            SrtpPackets.load(a, 0, bytes);
            SrtpPackets.load(b, 0, bytes);
            boolean ownDone = own.protectRtp(a);
            assertEquals(jitsi.protectRtp(b), ownDone, "packet " + n);
            if (ownDone) {
                assertArrayEquals(window(b), window(a), "packet " + n);
                assertTrue(receiver.unprotectRtp(a), "packet " + n);
                assertArrayEquals(bytes, window(a));
            } else {
                assertArrayEquals(bytes, window(a), "a refused packet is left as it was");
            }
        }
        assertEquals(0, own.unexpectedErrors());
    }

    @Test
    void encryptingAllocatesNothingPerPacket() {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported(), "the JVM must support per-thread allocation counting");
        threads.setThreadAllocatedMemoryEnabled(true);
        SrtpSession own = own(randomKeys(SrtpProfile.AEAD_AES_128_GCM, random));
        PacketBuffer p = new PacketBuffer();
        int[] ssrcs = {1, 2, 3, 4, 5};
        protectMany(own, p, ssrcs, 0, 20_000); // warm up: class loading, the contexts, the JIT
        long self = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(self);
        protectMany(own, p, ssrcs, 20_000, 20_000);
        long allocated = threads.getThreadAllocatedBytes(self) - before;
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes over 20,000 packets");
    }

    private static void protectMany(SrtpSession session, PacketBuffer p, int[] ssrcs, int first, int count) {
        for (int n = first; n < first + count; n++) {
            rtp(p, PacketBuffer.HEADROOM, ssrcs[n % ssrcs.length], n & 0xFFFF, 1_080, true);
            if (!session.protectRtp(p)) {
                throw new AssertionError("protect refused packet " + n);
            }
        }
    }

    @Test
    void sendingRolloverFollowsRfc3711() {
        RolloverCounter roc = new RolloverCounter();
        assertEquals(0, roc.forSequence(65_000));
        assertEquals(0, roc.forSequence(65_535));
        assertEquals(1, roc.forSequence(3), "wrapped");
        assertEquals(0, roc.forSequence(65_534), "sent again after the wrap: the counter it was sent under");
        assertEquals(1, roc.forSequence(4));
        assertEquals(0, roc.forSequence(40_000), "more than half the sequence space ahead: an old packet");
        assertEquals(1, roc.forSequence(30_000));
        assertEquals(1, roc.forSequence(60_000));
        assertEquals(1, roc.forSequence(65_535));
        assertEquals(2, roc.forSequence(0));
        assertEquals(1, roc.forSequence(40_001), "older than the newest by less than half the sequence space");

        RolloverCounter early = new RolloverCounter();
        assertEquals(0, early.forSequence(10));
        assertEquals(0, early.forSequence(65_000), "no counter below zero");
    }

    /** RFC 3711 appendix B.3: the session keys derived from its master key and salt. */
    @Test
    void keyDerivationGivesRfc3711SessionKeys() throws Exception {
        byte[] masterKey = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
        byte[] masterSalt = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
        assertEquals("c61e7a93744f39ee10734afe3ff7a087",
                HEX.formatHex(SrtpKdf.derive(masterKey, masterSalt, SrtpKdf.RTP_ENCRYPTION, 16)));
        assertEquals("30cbbc08863d8c85d49db34a9ae1",
                HEX.formatHex(SrtpKdf.derive(masterKey, masterSalt, SrtpKdf.RTP_SALT, 14)));
        assertEquals("cebe321f6ff7716b6fd4ab49af256a156d38baa4",
                HEX.formatHex(SrtpKdf.derive(masterKey, masterSalt, SrtpKdf.RTP_AUTHENTICATION, 20)));
    }
}

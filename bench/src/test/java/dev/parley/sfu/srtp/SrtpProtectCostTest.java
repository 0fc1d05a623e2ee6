package dev.parley.sfu.srtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's ways must do the work they are compared on: each produces jitsi-srtp's bytes for the same keys and
 * packets, and what it protects a real receiving {@link SrtpSession} accepts and decrypts, across a rollover.
 */
class SrtpProtectCostTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void everyWayProtectsAsJitsiSrtpDoes() throws Exception {
        Random random = new Random(11);
        for (SrtpProtectCost.Way way : SrtpProtectCost.ways()) {
            SrtpProtectCost.checkAgainstJitsi(way, random); // throws naming the way and sequence number
        }
    }

    @Test
    void whatEveryWayProtectsTheReceiverDecrypts() throws Exception {
        Random random = new Random(12);
        for (SrtpProtectCost.Way way : SrtpProtectCost.ways()) {
            SrtpKeyingMaterial keys = SrtpProtectCost.randomKeys(way.profile(), random);
            SrtpProtectCost.Protector sender = way.create(keys);
            try (SrtpSession receiver = new SrtpSession(keys, SrtpSession.Role.DTLS_CLIENT, 4)) {
                PacketBuffer p = new PacketBuffer();
                for (int i = 0; i < 40; i++) {
                    int seq = (65_520 + i) & 0xFFFF; // rolls over at i = 16
                    SrtpProtectCost.writeHeader(p, 0x5EED_0001, seq);
                    int length = 20 + 1 + random.nextInt(1100);
                    byte[] plain = new byte[length];
                    System.arraycopy(p.array(), PacketBuffer.HEADROOM, plain, 0, 20);
                    for (int k = 20; k < length; k++) {
                        plain[k] = (byte) random.nextInt();
                    }
                    p.copyFrom(plain, 0, length);
                    assertTrue(sender.protect(p), way.name());
                    assertEquals(length + way.profile().srtpOverhead(), p.length(), way.name());
                    assertTrue(receiver.unprotectRtp(p), way.name() + " at seq " + seq);
                    assertArrayEquals(plain, Arrays.copyOfRange(p.array(), p.offset(), p.offset() + p.length()),
                            way.name() + " at seq " + seq);
                }
                assertEquals(0, receiver.authFailures(), way.name());
            }
        }
    }

    /** RFC 3711 appendix B.3: the session keys derived from its master key and salt. */
    @Test
    void keyDerivationGivesRfc3711SessionKeys() throws Exception {
        byte[] masterKey = HEX.parseHex("e1f97a0d3e018be0d64fa32c06de4139");
        byte[] masterSalt = HEX.parseHex("0ec675ad498afeebb6960b3aabe6");
        assertEquals("c61e7a93744f39ee10734afe3ff7a087",
                HEX.formatHex(SrtpProtectCost.SrtpKdf.derive(masterKey, masterSalt, 0, 16)));
        assertEquals("30cbbc08863d8c85d49db34a9ae1",
                HEX.formatHex(SrtpProtectCost.SrtpKdf.derive(masterKey, masterSalt, 2, 14)));
        assertEquals("cebe321f6ff7716b6fd4ab49af256a156d38baa4",
                HEX.formatHex(SrtpProtectCost.SrtpKdf.derive(masterKey, masterSalt, 1, 20)));
    }
}

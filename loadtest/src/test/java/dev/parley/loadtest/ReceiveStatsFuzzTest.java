package dev.parley.loadtest;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * What the load tool reads from the network without a library in between: RTP headers of received datagrams
 * (unauthenticated when not decrypting) and the server's metrics text. Random and truncated input never throws
 * and never yields a negative loss.
 */
class ReceiveStatsFuzzTest {
    private static final int ROUNDS = 20_000;

    @Test
    void randomDatagramsAreCountedOrIgnoredWithoutThrowing() {
        Random random = new Random(12);
        ReceiveStats stats = new ReceiveStats();
        int[] rates = new int[128];
        for (int i = 0; i < rates.length; i++) {
            rates[i] = random.nextBoolean() ? 0 : 1 + random.nextInt(200_000);
        }
        stats.clockRates(rates);
        PacketBuffer packet = new PacketBuffer();
        for (int i = 0; i < ROUNDS; i++) {
            byte[] b = new byte[random.nextInt(40)];
            random.nextBytes(b);
            if (b.length > 8 && random.nextBoolean()) {
                SyntheticPeer.putInt(b, b.length - 4, random.nextInt(4)); // few SSRCs, so streams collect packets
            }
            packet.copyFrom(b, 0, b.length);
            try {
                stats.onRtp(packet, random.nextLong());
            } catch (RuntimeException e) {
                fail("datagram " + java.util.HexFormat.of().formatHex(b), e);
            }
        }
        ReceiveStats.Totals t = new ReceiveStats.Totals();
        stats.addTo(t);
        assertTrue(t.lost() >= 0 && t.packets > 0 && !Double.isNaN(t.meanJitterMillis()));
    }

    @Test
    void mangledMetricsTextGivesANumberOrNaN() {
        Random random = new Random(5);
        String good = "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 12.5\n"
                + "parley_media_packets_forwarded_total 1.0E7\nparley_participants 101\n";
        assertTrue(ServerMetrics.sample(good, "process_cpu_seconds_total") == 12.5);
        assertTrue(ServerMetrics.sample(good, "parley_media_packets_forwarded_total") == 1.0E7);
        assertTrue(Double.isNaN(ServerMetrics.sample(good, "parley_rooms")));
        for (int i = 0; i < ROUNDS; i++) {
            char[] c = good.toCharArray();
            int edits = 1 + random.nextInt(6);
            for (int e = 0; e < edits; e++) {
                c[random.nextInt(c.length)] = (char) (random.nextBoolean() ? ' ' + random.nextInt(95) : '\n');
            }
            String text = new String(c, 0, random.nextInt(c.length + 1));
            try {
                ServerMetrics.sample(text, "process_cpu_seconds_total");
                ServerMetrics.sample(text, "parley_participants");
            } catch (RuntimeException e) {
                fail("metrics text:\n" + text, e);
            }
        }
    }
}

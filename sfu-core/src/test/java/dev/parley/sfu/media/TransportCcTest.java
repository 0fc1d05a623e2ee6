package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtpPacketBuilder;
import dev.parley.sfu.rtp.TransportCcIterator;
import dev.parley.sfu.rtp.TransportCcWriter;
import dev.parley.sfu.rtp.TransportSequenceExtension;
import org.junit.jupiter.api.Test;

/** Both halves of transport-cc on a transport, without sockets: the responder toward publishers, the sender toward subscribers. */
class TransportCcTest {
    private static final long MS = 1_000_000;

    private static byte[] packet(int extensionId, int transportSeq) {
        return new RtpPacketBuilder().ssrc(0x1234).oneByte(extensionId, transportSeq >>> 8, transportSeq & 0xFF)
                .payload(new byte[1000]).build();
    }

    @Test
    void responderReportsArrivalsAndGapsThenOnlyWhatIsNew() {
        TransportCcResponder responder = new TransportCcResponder(5);
        long t0 = 10_000 * MS;
        int[] seqs = {65534, 65535, 1, 2}; // 0 is lost, across the wrap
        for (int i = 0; i < seqs.length; i++) {
            byte[] p = packet(5, seqs[i]);
            responder.onPacket(p, 0, p.length, 0x1234, t0 + i * 10 * MS);
            responder.renumber(p, 0, p.length);
            assertEquals(seqs[i], TransportSequenceExtension.read(p, 0, p.length, TransportSequenceExtension.PARLEY_ID),
                    "renumbered to Parley's id for the subscribers");
        }
        PacketBuffer out = new PacketBuffer();
        assertTrue(responder.writeFeedback(out, 0xABCD));
        TransportCcIterator it = new TransportCcIterator();
        assertTrue(it.reset(out.array(), out.offset(), out.length()));
        assertEquals(65534, it.baseSequenceNumber());
        assertEquals(5, it.packetStatusCount());
        boolean[] received = {true, true, false, true, true};
        long first = -1;
        long[] offsets = {0, 10, -1, 20, 30};
        for (int i = 0; i < 5; i++) {
            assertTrue(it.next());
            assertEquals(received[i], it.received(), "packet " + i);
            if (received[i]) {
                if (first < 0) {
                    first = it.arrivalMicros();
                }
                assertEquals(offsets[i] * 1000, it.arrivalMicros() - first, "packet " + i);
            }
        }
        assertFalse(responder.writeFeedback(out, 0xABCD), "nothing new");
        byte[] late = packet(5, 0);
        responder.onPacket(late, 0, late.length, 0x1234, t0 + 50 * MS);
        assertFalse(responder.writeFeedback(out, 0xABCD), "reported lost already: not reported again");
        byte[] next = packet(5, 3);
        responder.onPacket(next, 0, next.length, 0x1234, t0 + 60 * MS);
        assertTrue(responder.writeFeedback(out, 0xABCD));
        assertTrue(it.reset(out.array(), out.offset(), out.length()));
        assertEquals(3, it.baseSequenceNumber());
        assertEquals(1, it.packetStatusCount());
        assertEquals(1, it.feedbackCount(), "feedback count increments");
    }

    @Test
    void responderIgnoresPacketsWithoutTheExtension() {
        TransportCcResponder responder = new TransportCcResponder(3);
        byte[] p = new RtpPacketBuilder().payload(new byte[] {1, 2}).build();
        responder.onPacket(p, 0, p.length, 1, 0);
        assertFalse(responder.writeFeedback(new PacketBuffer(), 1));
    }

    @Test
    void senderStampsItsOwnSequenceAndEstimatesFromFeedback() {
        TransportCcSender sender = new TransportCcSender();
        PacketBuffer p = new PacketBuffer();
        TransportCcWriter feedback = new TransportCcWriter();
        byte[] fb = new byte[1500];
        assertEquals(-1, sender.estimateBps());
        long now = 0;
        int seq = 0;
        // 1 Mbit/s for 3 s: a 1000-byte packet every 8 ms, each arriving 20 ms later; feedback every 100 ms.
        for (int round = 0; round < 30; round++) {
            feedback.begin(seq, round);
            for (int i = 0; i < 12; i++) {
                byte[] src = packet(TransportSequenceExtension.PARLEY_ID, 0x7777); // the publisher's number
                p.copyFrom(src, 0, src.length);
                sender.stamp(p, now);
                assertEquals(seq, TransportSequenceExtension.read(p.array(), 0, p.length(), TransportSequenceExtension.PARLEY_ID));
                feedback.add(true, (now + 20 * MS) / 1000);
                seq++;
                now += 8 * MS;
            }
            int n = feedback.write(fb, 0, 1, 2);
            sender.onFeedback(fb, 0, n, now);
        }
        assertTrue(sender.estimateBps() > 300_000, "an estimate, raised to what got through: " + sender.estimateBps());
        byte[] plain = new RtpPacketBuilder().payload(new byte[] {1, 2, 3}).build();
        p.copyFrom(plain, 0, plain.length);
        sender.stamp(p, now);
        assertEquals(java.util.Arrays.toString(plain),
                java.util.Arrays.toString(java.util.Arrays.copyOf(p.array(), p.length())), "no slot: sent as it is");
    }
}

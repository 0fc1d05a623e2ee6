package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.packet.PacketBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Feeds RTX decapsulation what a publisher could put on its retransmission SSRC: random bytes and mutated
 * retransmissions. It must never throw, never touch bytes outside the packet's window, leave refused packets
 * unchanged, and whatever it accepts must come out as valid RTP with the media stream's SSRC and payload type.
 */
class RtxPacketFuzzTest {
    private static final int ROUNDS = 100_000;

    @Test
    void garbageNeverBreaksDecapsulation() {
        Mutator m = new Mutator(0x5EED_4588L);
        PacketBuffer in = new PacketBuffer();
        int accepted = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] packet = switch (round % 3) {
                case 0 -> m.randomBytes(64);
                case 1 -> m.mutate(validRtx(m));
                default -> validRtx(m);
            };
            int offset = 1 + m.random.nextInt(8);
            Arrays.fill(in.array(), (byte) 0x5A);
            System.arraycopy(packet, 0, in.array(), offset, packet.length);
            in.setWindow(offset, packet.length);
            int osn;
            try {
                osn = RtxPacket.decapsulate(in, 0x01020304, 96);
            } catch (RuntimeException e) {
                throw new AssertionError("decapsulate threw on " + Arrays.toString(packet), e);
            }
            for (int i = 0; i < offset; i++) {
                assertEquals(0x5A, in.array()[i], "byte before the window changed");
            }
            for (int i = offset + packet.length; i < in.capacity(); i++) {
                assertEquals(0x5A, in.array()[i] & 0xFF, "byte after the window changed");
            }
            if (osn < 0) {
                assertEquals(packet.length, in.length());
                assertArrayEquals(packet, Arrays.copyOfRange(in.array(), offset, offset + packet.length), "refused packet changed");
                continue;
            }
            accepted++;
            assertEquals(offset, in.offset());
            assertTrue(RtpHeader.isValid(in), "the repaired packet is valid RTP");
            assertEquals(osn, RtpHeader.sequenceNumber(in.array(), offset));
            assertEquals(0x01020304, RtpHeader.ssrc(in.array(), offset));
            assertEquals(96, RtpHeader.payloadType(in.array(), offset));
            assertEquals(packet.length - 2 - RtpHeader.paddingLength(packet, 0, packet.length), in.length());
        }
        assertTrue(accepted > ROUNDS / 4, "the mix must exercise the accepting path too, got " + accepted);
    }

    private static byte[] validRtx(Mutator m) {
        RtpPacketBuilder b = RtpHeaderFuzzTest.randomValid(m).payloadType(97);
        byte[] osn = {(byte) m.random.nextInt(256), (byte) m.random.nextInt(256)};
        byte[] rest = m.randomBytes(40);
        byte[] payload = Arrays.copyOf(osn, 2 + rest.length);
        System.arraycopy(rest, 0, payload, 2, rest.length);
        return b.payload(payload).build();
    }
}

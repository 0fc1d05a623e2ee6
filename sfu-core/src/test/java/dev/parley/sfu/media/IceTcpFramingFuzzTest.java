package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.peerkit.StunMessage;
import dev.parley.sfu.stun.StunBindingResponder;
import dev.parley.sfu.stun.StunResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded hostile ICE-TCP streams. The frame decoder, fed any bytes in any split, hands on exactly the frames a
 * reference reading of RFC 4571 finds up to the first bad length (empty or oversized), then reports one error and
 * reads nothing more; it never throws past the pipeline and releases every buffer. The first-message check
 * accepts a connection only for an unaltered, correctly signed connectivity check of a known transport.
 */
class IceTcpFramingFuzzTest {
    private static final int STREAMS = 3_000;
    private static final int FIRST_MESSAGES = 50_000;
    private static final Map<String, String> PASSWORDS = Map.of(
            "sRv8uFrG", "server+Password/0123456789",
            "Zz9+", "zz+/zz+/zz+/zz+/zz+/zz+/");
    private static final String[] UFRAGS = PASSWORDS.keySet().toArray(String[]::new);
    private static final InetSocketAddress FROM = new InetSocketAddress("127.0.0.1", 50_000);

    private final Random random = new Random(0x1CE7_C9L);

    @Test
    void anyStreamInAnySplitYieldsTheReferenceFramesThenOneError() {
        int broken = 0;
        int frames = 0;
        for (int i = 0; i < STREAMS; i++) {
            byte[] stream = switch (i % 4) {
                case 0 -> randomBytes(random.nextInt(4000));
                default -> framedStream(i % 4 == 3);
            };
            Reference expected = Reference.of(stream);
            FrameCollector out = new FrameCollector();
            EmbeddedChannel channel = new EmbeddedChannel(new Rfc4571FrameDecoder(), out);
            List<ByteBuf> chunks = split(stream);
            for (ByteBuf chunk : chunks) {
                channel.writeInbound(chunk);
            }
            channel.finishAndReleaseAll();
            assertEquals(expected.frames.size(), out.frames.size(), "frames of stream " + i);
            for (int f = 0; f < expected.frames.size(); f++) {
                assertArrayEquals(expected.frames.get(f), out.frames.get(f), "frame " + f + " of stream " + i);
            }
            if (expected.broken) {
                assertEquals(1, out.errors.size(), "one error for broken stream " + i);
                assertInstanceOf(DecoderException.class, out.errors.get(0));
                broken++;
            } else {
                assertEquals(List.of(), out.errors, "stream " + i);
            }
            for (ByteBuf chunk : chunks) {
                assertEquals(0, chunk.refCnt(), "every read buffer is released");
            }
            frames += out.frames.size();
        }
        // The run must have reached both sides: many frames through, many streams broken.
        assertTrue(broken > STREAMS / 4, "broken streams " + broken);
        assertTrue(frames > STREAMS * 3, "frames " + frames);
    }

    @Test
    void onlyAnUnalteredSignedCheckOfAKnownTransportOpensAConnection() {
        StunBindingResponder stun = new StunBindingResponder(PASSWORDS::get);
        int accepted = 0;
        for (int i = 0; i < FIRST_MESSAGES; i++) {
            String ufrag = UFRAGS[random.nextInt(UFRAGS.length)];
            boolean known = random.nextInt(10) != 0;
            String password = known ? PASSWORDS.get(ufrag) : "not-the-password-of-anyone";
            byte[] valid = StunMessage.browserCheck(randomBytes(12), ufrag + ":remote" + i,
                    random.nextLong() & 0xFFFF_FFFFL, random.nextBoolean(), password);
            byte[] frame = switch (i % 5) {
                case 0 -> valid;
                case 1 -> randomBytes(1 + random.nextInt(200));
                case 2 -> dtlsOrRtpLooking();
                default -> mutate(valid);
            };
            StunResult.Accepted ok = IceTcpConnection.firstCheck(stun, frame, 0, frame.length, FROM);
            byte[] surrounded = new byte[frame.length + 40];
            System.arraycopy(frame, 0, surrounded, 17, frame.length);
            StunResult.Accepted embedded = IceTcpConnection.firstCheck(stun, surrounded, 17, frame.length, FROM);
            assertEquals(ok == null, embedded == null, "the same answer wherever the frame sits in the buffer");
            if (ok != null) {
                accepted++;
                assertTrue(known && Arrays.equals(frame, valid), "accepted only an unaltered check signed right, #" + i);
                assertEquals(ufrag, ok.localUfrag());
            } else if (frame == valid && known) {
                throw new AssertionError("a valid check of a known transport was refused, #" + i);
            }
        }
        assertTrue(accepted > FIRST_MESSAGES / 6, "accepted " + accepted);
        assertNull(IceTcpConnection.firstCheck(stun, new byte[0], 0, 0, FROM));
    }

    /** Well-formed frames of every size, sometimes followed by a bad length and more bytes. */
    private byte[] framedStream(boolean breakIt) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = 1 + random.nextInt(12);
        for (int f = 0; f < n; f++) {
            int len = random.nextInt(8) == 0 ? Rfc4571FrameDecoder.MAX_FRAME - random.nextInt(2) : 1 + random.nextInt(300);
            out.write(len >>> 8);
            out.write(len);
            out.writeBytes(randomBytes(len));
        }
        if (breakIt) {
            int bad = random.nextBoolean() ? 0 : Rfc4571FrameDecoder.MAX_FRAME + 1 + random.nextInt(65535 - Rfc4571FrameDecoder.MAX_FRAME);
            out.write(bad >>> 8);
            out.write(bad);
            out.writeBytes(randomBytes(random.nextInt(100)));
        } else if (random.nextBoolean()) {
            out.write(0); // half a length: waits for more, no error
        }
        return out.toByteArray();
    }

    private List<ByteBuf> split(byte[] stream) {
        List<ByteBuf> chunks = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int n = Math.min(stream.length - at, 1 + random.nextInt(random.nextBoolean() ? 4 : 2000));
            chunks.add(Unpooled.copiedBuffer(stream, at, n));
            at += n;
        }
        return chunks;
    }

    private byte[] dtlsOrRtpLooking() {
        byte[] b = randomBytes(20 + random.nextInt(200));
        b[0] = (byte) (random.nextBoolean() ? 22 : 0x80 | random.nextInt(64));
        return b;
    }

    private byte[] mutate(byte[] valid) {
        byte[] d = valid.clone();
        switch (random.nextInt(5)) {
            case 0 -> d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
            case 1 -> d = Arrays.copyOf(d, random.nextInt(d.length));
            case 2 -> d = Arrays.copyOf(d, d.length + 1 + random.nextInt(8));
            case 3 -> d[random.nextInt(d.length)] = (byte) random.nextInt(256);
            default -> {
                int at = random.nextInt(d.length - 1);
                d[at] = (byte) random.nextInt(256);
                d[at + 1] = (byte) random.nextInt(256);
            }
        }
        return d;
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** RFC 4571 read the plain way: frames until the stream ends or a length is 0 or too large. */
    private record Reference(List<byte[]> frames, boolean broken) {
        static Reference of(byte[] s) {
            List<byte[]> frames = new ArrayList<>();
            int at = 0;
            while (s.length - at >= 2) {
                int len = ((s[at] & 0xFF) << 8) | (s[at + 1] & 0xFF);
                if (len == 0 || len > Rfc4571FrameDecoder.MAX_FRAME) {
                    return new Reference(frames, true);
                }
                if (s.length - at - 2 < len) {
                    break;
                }
                frames.add(Arrays.copyOfRange(s, at + 2, at + 2 + len));
                at += 2 + len;
            }
            return new Reference(frames, false);
        }
    }
}

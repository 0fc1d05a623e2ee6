package dev.parley.e2e;

import dev.parley.peerkit.StunMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * While two browsers are in a call, a stranger's socket on 127.0.0.1 sprays the media port with garbage,
 * broken and forged STUN, and DTLS and RTP that never passed ICE. The server must drop and count every one
 * under the right reason, and the call must not notice.
 */
class MediaPortAbuseTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final String DROPPED = "parley_media_packets_dropped_total";
    private static final long SEED = 0x5041524C4559L;
    private static final Pattern UFRAG = Pattern.compile("^a=ice-ufrag:(\\S+)", Pattern.MULTILINE);

    /** What the sprayed datagrams look like, and how many of each. */
    enum Kind {
        RANDOM(500), TRUNCATED_STUN(250), TAMPERED_STUN(250), WRONG_PASSWORD_STUN(300), DTLS(350), RTP(350);

        final int count;

        Kind(int count) {
            this.count = count;
        }
    }

    record Datagram(Kind kind, byte[] bytes) {}

    @RegisterExtension
    static final CallFixture call = new CallFixture("media-port-abuse");

    @Test
    void garbageOnTheMediaPortIsDroppedAndCountedWhileTheCallGoesOn() throws Exception {
        String room = "e2e-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        try (MeetingPage alice = MeetingPage.join(call.chromium(), call.server(), room, "Alice");
             MeetingPage bob = MeetingPage.join(call.chromium(), call.server(), room, "Bob")) {
            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);

            // The server's ufrag comes from its answer, Alice's from her offer: USERNAME is then exactly what a
            // real check from Alice carries, and only the password (hence MESSAGE-INTEGRITY) is wrong.
            String username = ufrag(alice.publisherRemoteSdp()) + ":" + ufrag(alice.publisherLocalSdp());
            List<Datagram> datagrams = craft(new Random(SEED), username);
            PrometheusText before = call.server().metrics();

            CompletableFuture<Void> spray = CompletableFuture.runAsync(() -> send(datagrams, call.server().mediaPort()));
            // Throughout the spray both keep decoding each other's video.
            while (!spray.isDone()) {
                alice.awaitVideoFrom(List.of("Bob"), Duration.ofSeconds(3));
                bob.awaitVideoFrom(List.of("Alice"), Duration.ofSeconds(3));
            }
            spray.get(10, TimeUnit.SECONDS);

            Map<Kind, Integer> sent = countByKind(datagrams);
            PrometheusText after = awaitDropsCounted(before, datagrams.size());
            Map<String, Double> rise = riseByReason(before, after);
            int unknownSourceSent = sent.get(Kind.DTLS) + sent.get(Kind.RTP);
            assertTrue(rise.getOrDefault("stun_invalid", 0.0) >= sent.get(Kind.WRONG_PASSWORD_STUN),
                    "wrong-password STUN requests must count as stun_invalid; sent " + sent + ", drops rose by " + rise);
            assertTrue(rise.getOrDefault("unknown_source", 0.0) >= unknownSourceSent,
                    "DTLS and RTP from an address that never passed ICE must count as unknown_source; sent "
                            + sent + ", drops rose by " + rise);

            // And after it: the call is still fine, and so is the server.
            alice.awaitMediaFrom(List.of("Bob"), TIMEOUT);
            bob.awaitMediaFrom(List.of("Alice"), TIMEOUT);
            assertEquals(200, call.server().get("/health").statusCode(), "/health after the spray");
        }
    }

    private static String ufrag(String sdp) {
        Matcher matcher = UFRAG.matcher(sdp);
        if (!matcher.find()) fail("no a=ice-ufrag in SDP:\n" + sdp);
        return matcher.group(1).strip();
    }

    // Polls /metrics until the drops rose by at least what was sent (the server may count a moment later).
    private static PrometheusText awaitDropsCounted(PrometheusText before, int sent) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            PrometheusText now = call.server().metrics();
            double rise = now.sum(DROPPED) - before.sum(DROPPED);
            if (rise >= sent) return now;
            if (System.nanoTime() > deadline) {
                fail(DROPPED + " rose by " + rise + " (by reason " + riseByReason(before, now) + "), but "
                        + sent + " bad datagrams were sent");
            }
            Thread.sleep(200);
        }
    }

    private static Map<String, Double> riseByReason(PrometheusText before, PrometheusText after) {
        Map<String, Double> rise = new TreeMap<>(after.sumBy(DROPPED, "reason"));
        before.sumBy(DROPPED, "reason").forEach((reason, value) -> rise.merge(reason, -value, Double::sum));
        return rise;
    }

    // About 2 s for all of them: 10 datagrams every 10 ms.
    private static void send(List<Datagram> datagrams, int port) {
        InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            long next = System.nanoTime();
            for (int i = 0; i < datagrams.size(); i++) {
                byte[] bytes = datagrams.get(i).bytes();
                socket.send(new DatagramPacket(bytes, bytes.length, target));
                if (i % 10 == 9) {
                    next += TimeUnit.MILLISECONDS.toNanos(10);
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<Kind, Integer> countByKind(List<Datagram> datagrams) {
        Map<Kind, Integer> counts = new EnumMap<>(Kind.class);
        for (Kind kind : Kind.values()) counts.put(kind, 0);
        for (Datagram d : datagrams) counts.merge(d.kind(), 1, Integer::sum);
        return counts;
    }

    static List<Datagram> craft(Random random, String username) {
        List<Datagram> datagrams = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (int i = 0; i < kind.count; i++) datagrams.add(new Datagram(kind, craft(kind, random, username)));
        }
        Collections.shuffle(datagrams, random);
        return datagrams;
    }

    private static byte[] craft(Kind kind, Random random, String username) {
        return switch (kind) {
            case RANDOM -> randomBytes(random, 1 + random.nextInt(1200));
            case WRONG_PASSWORD_STUN -> wrongPasswordStun(random, username);
            case TRUNCATED_STUN -> {
                byte[] whole = wrongPasswordStun(random, username);
                yield Arrays.copyOf(whole, 1 + random.nextInt(whole.length - 1));
            }
            case TAMPERED_STUN -> tamper(random, wrongPasswordStun(random, username));
            case DTLS -> dtlsRecord(random);
            case RTP -> rtpPacket(random);
        };
    }

    private static byte[] wrongPasswordStun(Random random, String username) {
        return StunMessage.iceCheck(randomBytes(random, 12), username, "not-the-password-" + random.nextInt(), false,
                random.nextLong());
    }

    // Bit flips anywhere, or a length field that lies (the message's or an attribute's).
    private static byte[] tamper(Random random, byte[] stun) {
        byte[] bytes = stun.clone();
        switch (random.nextInt(3)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    int bit = random.nextInt(bytes.length * 8);
                    bytes[bit / 8] ^= (byte) (1 << (bit % 8));
                }
            }
            case 1 -> ByteBuffer.wrap(bytes).putShort(2, (short) random.nextInt(0x10000));
            default -> ByteBuffer.wrap(bytes).putShort(22, (short) random.nextInt(0x10000)); // USERNAME's length
        }
        return bytes;
    }

    // A DTLS 1.2 record header (handshake or application data) and a plausible body.
    private static byte[] dtlsRecord(Random random) {
        int bodyLength = 40 + random.nextInt(300);
        ByteBuffer buffer = ByteBuffer.allocate(13 + bodyLength);
        boolean handshake = random.nextBoolean();
        buffer.put((byte) (handshake ? 22 : 23));
        buffer.putShort((short) 0xfefd);
        buffer.putShort((short) (handshake ? 0 : 1));
        buffer.putShort((short) 0).putInt(random.nextInt(1000));
        buffer.putShort((short) bodyLength);
        if (handshake) {
            buffer.put((byte) 1); // ClientHello
            buffer.put((byte) 0).putShort((short) (bodyLength - 12));
            buffer.putShort((short) 0);
            buffer.put((byte) 0).putShort((short) 0);
            buffer.put((byte) 0).putShort((short) (bodyLength - 12));
        }
        buffer.put(randomBytes(random, buffer.remaining()));
        return buffer.array();
    }

    // An RTP header (version 2) with a video or audio payload type, and a random payload.
    private static byte[] rtpPacket(Random random) {
        int payloadLength = 20 + random.nextInt(1000);
        ByteBuffer buffer = ByteBuffer.allocate(12 + payloadLength);
        buffer.put((byte) 0x80);
        buffer.put((byte) ((random.nextBoolean() ? 0x80 : 0) | (random.nextBoolean() ? 96 : 111)));
        buffer.putShort((short) random.nextInt(0x10000));
        buffer.putInt(random.nextInt());
        buffer.putInt(random.nextInt());
        buffer.put(randomBytes(random, payloadLength));
        return buffer.array();
    }

    private static byte[] randomBytes(Random random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }
}

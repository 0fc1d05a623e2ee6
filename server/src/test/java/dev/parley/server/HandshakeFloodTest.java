package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's stall, on the whole server: a tokenless guest joins one room again and again over signaling, and
 * from its own address (127.0.0.2) passes ICE on each publisher transport, then sends junk that looks like DTLS
 * or a genuine ClientHello after which it falls silent. Participants of another room join meanwhile and must
 * connect in normal time; {@code /metrics} must show what happened to the guest's handshakes.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class HandshakeFloodTest {
    private static final Pattern OUTCOME = Pattern.compile("parley_dtls_handshakes_total\\{outcome=\"(\\w+)\"} (\\S+)");

    @TempDir
    Path dir;

    @BeforeAll
    static void measureSrtpBackends() {
        SrtpSession.cryptoBackend(); // the server warms it up too, on its own thread; not on the first connection
    }

    @Test
    void aGuestFloodingHandshakesDelaysNoOtherRoomAndMetricsShowIt() throws Exception {
        InetAddress guestAddress = InetAddress.getByName("127.0.0.2");
        List<AutoCloseable> open = new CopyOnWriteArrayList<>();
        try (RunningServer s = new RunningServer(dir, "--dtls-pending-per-source", "2")) {
            AtomicInteger transports = new AtomicInteger();
            AtomicInteger stalled = new AtomicInteger();
            List<Throwable> guestErrors = new CopyOnWriteArrayList<>();
            Thread guest = new Thread(() -> {
                Random random = new Random(7);
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        for (int i = 0; i < 4; i++) {
                            SyntheticPeer peer = publisher(s, open, "flood", "guest-" + transports.incrementAndGet(),
                                    guestAddress);
                            peer.checkIce(Duration.ofSeconds(5));
                            if (i % 2 == 0) {
                                for (int r = 0; r < 3; r++) {
                                    peer.sendJunkDtls(random);
                                }
                            } else {
                                peer.sendStalledClientHello();
                                stalled.incrementAndGet();
                            }
                        }
                        Thread.sleep(500); // the guest's own pace, not a wait for a condition
                    }
                } catch (InterruptedException stop) {
                    // the test is over
                } catch (Throwable e) {
                    guestErrors.add(e);
                }
            }, "guest");
            guest.setDaemon(true);
            guest.start();
            try {
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (stalled.get() < 4 && guestErrors.isEmpty() && System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
                assertTrue(stalled.get() >= 4, "the guest got going: " + transports + " transports, " + guestErrors);

                List<Long> millis = new ArrayList<>();
                for (int v = 0; v < 3; v++) {
                    SyntheticPeer victim = publisher(s, open, "meeting", "member-" + v, InetAddress.getLoopbackAddress());
                    long start = System.nanoTime();
                    victim.connect(Duration.ofSeconds(15), SyntheticPeer.DEFAULT_CONSENT_INTERVAL,
                            SrtpProfile.AEAD_AES_128_GCM);
                    millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
                }
                System.out.println("members' ICE + DTLS while the guest floods (ms): " + millis);
                assertTrue(guestErrors.isEmpty(), "the guest itself failed: " + guestErrors);
                for (long ms : millis) {
                    assertTrue(ms < 1000, "ICE and DTLS took " + millis + " ms while the guest flooded, more than 1000 ms");
                }
            } finally {
                guest.interrupt();
                guest.join(10_000);
            }

            // Junk is abandoned at the 3 s first-flight timeout; stalled handshakes beyond 2 from the guest's
            // address are refused until their 10 s handshake timeout.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Map<String, Double> outcomes;
            while (true) {
                outcomes = outcomes(s.metrics());
                if (outcomes.getOrDefault("timeout", 0.0) >= 2 && outcomes.getOrDefault("refused_source", 0.0) >= 1
                        && outcomes.getOrDefault("completed", 0.0) >= 3) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("the guest's handshakes did not show in /metrics: " + outcomes);
                }
                Thread.sleep(200);
            }
            assertTrue(outcomes.get("completed") == 3, "only the members completed: " + outcomes);
        } finally {
            for (AutoCloseable c : open) {
                c.close();
            }
        }
    }

    /** A participant of {@code room}, joined over signaling, whose publisher offer was answered; its peer binds {@code from}. */
    private static SyntheticPeer publisher(RunningServer s, List<AutoCloseable> open, String room, String name,
                                           InetAddress from) throws Exception {
        SyntheticPeer peer = SyntheticPeer.open(name, from, (p, at) -> {});
        open.add(peer);
        RunningServer.Signaling signaling = s.signaling();
        open.add(() -> signaling.socket().abort());
        signaling.send(RunningServer.JSON.writeValueAsString(Map.of("type", "join", "room", room, "name", name)));
        signaling.next("joined");
        signaling.send(RunningServer.JSON.writeValueAsString(Map.of("type", "publish",
                "sdp", peer.publisherOffer(0x1000 + open.size(), 0x2000 + open.size()))));
        peer.acceptAnswer(signaling.next("publishAnswer").get("sdp").asText());
        return peer;
    }

    private static Map<String, Double> outcomes(String metrics) {
        Map<String, Double> m = new java.util.TreeMap<>();
        Matcher matcher = OUTCOME.matcher(metrics);
        while (matcher.find()) {
            m.put(matcher.group(1), Double.parseDouble(matcher.group(2)));
        }
        return m;
    }
}

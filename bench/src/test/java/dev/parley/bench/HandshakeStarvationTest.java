package dev.parley.bench;

import dev.parley.loadtest.PacedSender;
import dev.parley.loadtest.SyntheticPeer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.Participant;
import dev.parley.sfu.ParticipantListener;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.dtls.HandshakeLimits;
import dev.parley.sfu.dtls.HandshakeOutcome;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A guest in one room opens publisher transports again and again from its own address (127.0.0.2) and passes
 * ICE on each; then it sends junk that only looks like DTLS, or a genuine ClientHello after which it falls
 * silent. Meanwhile participants of another room, from 127.0.0.1, connect through a real {@link SfuServer} over
 * UDP: their handshakes must not wait behind the guest's, and the guest's must be counted as they end.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HandshakeStarvationTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration VICTIM_BUDGET = Duration.ofSeconds(1);
    /** Small caps and short timeouts, so that the guest hits them and its handshakes end within the test. */
    private static final HandshakeLimits LIMITS =
            new HandshakeLimits(4, 8, 2, 4, Duration.ofMillis(1000), Duration.ofMillis(3000));

    private SfuServer sfu;
    private final List<SyntheticPeer> peers = new CopyOnWriteArrayList<>();
    private volatile boolean attacking = true;

    @BeforeAll
    static void measureSrtpBackends() {
        SrtpSession.cryptoBackend(); // as a server does at start-up, not on the first connection
    }

    @AfterEach
    void stop() {
        attacking = false;
        peers.forEach(SyntheticPeer::close);
        if (sfu != null) {
            sfu.close();
        }
    }

    @Test
    void anotherRoomsGuestSendingJunkAndStalledHandshakesDelaysNoOneElse() throws Exception {
        InetAddress attackerAddress = InetAddress.getByName("127.0.0.2");
        sfu = SfuServer.start(new SfuConfig(LOOPBACK, 0, List.of(LOOPBACK), Duration.ofSeconds(30), 1000,
                SfuConfig.DEFAULT_MAX_TRACKS_PER_PARTICIPANT, SfuConfig.DEFAULT_MAX_TRACKS_PER_ROOM, LIMITS));
        HandshakeAdmission handshakes = sfu.handshakes();
        AtomicInteger attackTransports = new AtomicInteger();
        List<Throwable> attackErrors = new CopyOnWriteArrayList<>();
        Thread attacker = new Thread(() -> {
            Random random = new Random(2);
            try {
                while (attacking) {
                    for (int i = 0; i < 4 && attacking; i++) {
                        SyntheticPeer junk = publisher("guest-" + attackTransports.incrementAndGet(), "attack",
                                attackerAddress);
                        junk.checkIce(Duration.ofSeconds(5));
                        if (i % 2 == 0) {
                            for (int r = 0; r < 3; r++) {
                                junk.sendJunkDtls(random);
                            }
                        } else {
                            junk.sendStalledClientHello();
                        }
                    }
                    Thread.sleep(500); // the attack's own pace, not a wait for a condition
                }
            } catch (Throwable e) {
                if (attacking) {
                    attackErrors.add(e);
                }
            }
        }, "attacker");
        attacker.setDaemon(true);
        attacker.start();
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (attackTransports.get() < 12 && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            assertTrue(attackTransports.get() >= 12, "the attack got going: " + attackTransports + " " + attackErrors);

            List<Long> millis = new ArrayList<>();
            for (int v = 0; v < 5; v++) {
                SyntheticPeer victim = publisher("victim-" + v, "meeting", LOOPBACK);
                long start = System.nanoTime();
                victim.connect(Duration.ofSeconds(15), SyntheticPeer.DEFAULT_CONSENT_INTERVAL,
                        SrtpProfile.AEAD_AES_128_GCM);
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            System.out.println("victims' ICE + DTLS under attack (ms): " + millis + "; handshakes " + handshakes.counts());
            assertTrue(attackErrors.isEmpty(), "the attacker itself failed: " + attackErrors);
            for (long ms : millis) {
                assertTrue(ms < VICTIM_BUDGET.toMillis(), "ICE and DTLS took " + millis + " ms under attack, more than "
                        + VICTIM_BUDGET.toMillis() + " ms");
            }
            // The guest's junk never took a thread and was abandoned at the first-flight timeout; its stalled
            // handshakes were admitted two at a time, and the rest refused for its address.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (handshakes.count(HandshakeOutcome.TIMEOUT) < 4 || handshakes.count(HandshakeOutcome.REFUSED_SOURCE) < 1) {
                if (System.nanoTime() > deadline) {
                    fail("the guest's handshakes were not counted as they ended: " + handshakes.counts());
                }
                Thread.onSpinWait();
            }
            assertEquals(5, handshakes.count(HandshakeOutcome.COMPLETED), "only the victims completed: " + handshakes.counts());
            assertEquals(0, handshakes.count(HandshakeOutcome.REFUSED_ROOM) + handshakes.count(HandshakeOutcome.REFUSED_POOL),
                    "one address never reaches its room's or the pool's cap: " + handshakes.counts());
            assertTrue(handshakes.pending() <= LIMITS.perSource(), "pending now: " + handshakes.pending());
        } finally {
            attacking = false;
            attacker.join(5000);
        }
    }

    /** A participant joined to {@code room} whose publisher offer was answered, its peer bound to {@code from}. */
    private SyntheticPeer publisher(String name, String room, InetAddress from) throws Exception {
        SyntheticPeer peer = SyntheticPeer.open(name, from, (p, at) -> {});
        peers.add(peer);
        Participant p = sfu.join(room, name, new ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS);
        peer.acceptAnswer(p.publish(peer.publisherOffer(0x1000 + peers.size(), 0x2000 + peers.size()))
                .get(5, TimeUnit.SECONDS));
        return peer;
    }

}

package dev.parley.sfu.dtls;

import dev.parley.peerkit.DtlsSrtpClient;
import dev.parley.peerkit.PeerCertificate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.dtls.DtlsHandshakeException.Reason;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each cap of {@link HandshakeAdmission} against real DTLS clients over in-memory links: pending handshakes per
 * source address and per room, the pool, and the first-flight timeout; and the counters each one moves.
 */
class HandshakeAdmissionTest {
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    private static final PeerCertificate CLIENT_CERT = PeerCertificate.generate();
    private static final Duration LONG = Duration.ofSeconds(20);
    private static final Duration SHORT = Duration.ofMillis(1200);

    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final List<HandshakeAdmission> admissions = new ArrayList<>();
    private final List<DtlsServerSession> sessions = new ArrayList<>();

    /** One server session and the client that talks to it. */
    record Peer(MemoryLink link, DtlsServerSession session, CompletableFuture<SrtpKeyingMaterial> keys) {}

    @AfterEach
    void stop() throws InterruptedException {
        sessions.forEach(DtlsServerSession::close);
        clients.shutdownNow();
        admissions.forEach(HandshakeAdmission::close);
        assertTrue(clients.awaitTermination(5, TimeUnit.SECONDS));
    }

    private HandshakeAdmission admission(int threads, int queue, int perSource, int perRoom) {
        HandshakeAdmission a = new HandshakeAdmission(new HandshakeLimits(threads, queue, perSource, perRoom,
                Duration.ofSeconds(1), Duration.ofSeconds(10)));
        admissions.add(a);
        return a;
    }

    /** A session counted against {@code source} and {@code room}, with no client yet. */
    private Peer session(HandshakeAdmission a, String source, String room, Duration firstFlight, Duration timeout)
            throws Exception {
        MemoryLink link = new MemoryLink();
        DtlsServerSession s = new DtlsServerSession(SERVER_CERT, CLIENT_CERT.fingerprint(), link.serverSender(),
                firstFlight, timeout);
        link.server = s;
        sessions.add(s);
        return new Peer(link, s, s.start(a, InetAddress.getByName(source), room));
    }

    /** A session whose browser connects; a {@code stalled} one never hears the server, so its handshake stays pending. */
    private Peer browser(HandshakeAdmission a, String source, String room, Duration timeout, boolean stalled)
            throws Exception {
        Peer p = session(a, source, room, Duration.ofMillis(Math.min(1000, timeout.toMillis())), timeout);
        if (stalled) {
            p.link().serverToClientFilter = d -> false;
        }
        clients.submit(() -> new DTLSClientProtocol().connect(new DtlsSrtpClient(CLIENT_CERT,
                SERVER_CERT.fingerprintSha256(), new int[] {SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM}, 0),
                p.link().clientTransport()));
        return p;
    }

    private static DtlsHandshakeException failure(CompletableFuture<?> future) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(15, TimeUnit.SECONDS));
        return assertInstanceOf(DtlsHandshakeException.class, e.getCause());
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.onSpinWait();
        }
    }

    /** The counters move just after the session's future completes (on the same thread): poll for them. */
    private static void awaitCounts(HandshakeAdmission a, Map<HandshakeOutcome, Long> expected) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!a.counts().equals(expected) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertEquals(expected, a.counts());
    }

    private static Map<HandshakeOutcome, Long> counts(long completed, long refusedSource, long refusedRoom,
                                                      long refusedPool, long timeout, long failed) {
        return Map.of(HandshakeOutcome.COMPLETED, completed, HandshakeOutcome.REFUSED_SOURCE, refusedSource,
                HandshakeOutcome.REFUSED_ROOM, refusedRoom, HandshakeOutcome.REFUSED_POOL, refusedPool,
                HandshakeOutcome.TIMEOUT, timeout, HandshakeOutcome.FAILED, failed);
    }

    @Test
    void aSourceWithTooManyPendingHandshakesIsRefusedWhileOthersGoAhead() throws Exception {
        HandshakeAdmission a = admission(8, 8, 1, 10);
        Peer stalled = browser(a, "192.0.2.1", "r1", LONG, true);
        await("the stalled handshake is pending", () -> a.pending() == 1);

        Peer sameSource = browser(a, "192.0.2.1", "r2", SHORT, false);
        DtlsHandshakeException e = failure(sameSource.keys());
        assertEquals(Reason.REFUSED_SOURCE, e.reason());
        assertTrue(e.getMessage().contains("pending from the peer's address"), e.getMessage());
        assertTrue(sameSource.session().droppedDatagrams() >= 1, "the refused ClientHello was dropped");

        browser(a, "192.0.2.2", "r1", LONG, false).keys().get(10, TimeUnit.SECONDS); // another address: no wait
        // Its slot is freed just after its future completes: wait for that, or the count of 2 awaited below could
        // be this one's and the stalled IPv6 handshake not admitted yet.
        await("the completed handshake's slot is free", () -> a.pending() == 1);

        // IPv6: one host may hold a whole /64, so the cap applies to the /64.
        browser(a, "2001:db8::1", "r3", LONG, true);
        await("the stalled IPv6 handshake is pending", () -> a.pending() == 2);
        assertEquals(Reason.REFUSED_SOURCE, failure(browser(a, "2001:db8::2", "r3", SHORT, false).keys()).reason());
        browser(a, "2001:db8:0:1::1", "r3", LONG, false).keys().get(10, TimeUnit.SECONDS);

        awaitCounts(a, counts(2, 2, 0, 0, 0, 0));
        stalled.session().close();
        await("closing frees its slot", () -> a.pending() == 1);
        awaitCounts(a, counts(2, 2, 0, 0, 0, 0));
    }

    @Test
    void aRoomWithTooManyPendingHandshakesIsRefusedWhileOtherRoomsGoAhead() throws Exception {
        HandshakeAdmission a = admission(8, 8, 10, 1);
        browser(a, "192.0.2.1", "busy", LONG, true);
        await("the stalled handshake is pending", () -> a.pending() == 1);

        DtlsHandshakeException e = failure(browser(a, "192.0.2.2", "busy", SHORT, false).keys());
        assertEquals(Reason.REFUSED_ROOM, e.reason());
        assertTrue(e.getMessage().contains("pending in the room"), e.getMessage());
        browser(a, "192.0.2.3", "quiet", LONG, false).keys().get(10, TimeUnit.SECONDS);

        awaitCounts(a, counts(1, 0, 1, 0, 0, 0));
        assertEquals(1, a.pending());
    }

    @Test
    void aFullPoolRefusesAndAFreedThreadServesTheNextClientHello() throws Exception {
        HandshakeAdmission a = admission(1, 0, 10, 10);
        Peer stalled = browser(a, "192.0.2.1", "r1", LONG, true);
        await("the stalled handshake has the only thread", () -> a.pending() == 1);

        DtlsHandshakeException e = failure(browser(a, "192.0.2.2", "r2", SHORT, false).keys());
        assertEquals(Reason.EXECUTOR_REJECTED, e.reason());
        assertTrue(e.getMessage().contains("threads and their queue were full"), e.getMessage());
        awaitCounts(a, counts(0, 0, 0, 1, 0, 0));

        // A refused ClientHello is only dropped: the browser's retransmission is admitted once a thread is free.
        Peer waiting = browser(a, "192.0.2.3", "r3", LONG, false);
        await("the waiting browser's ClientHello was refused", () -> waiting.session().droppedDatagrams() >= 1);
        stalled.session().close();
        waiting.keys().get(10, TimeUnit.SECONDS);
        awaitCounts(a, counts(1, 0, 0, 1, 0, 0));
        await("nothing is pending", () -> a.pending() == 0);
    }

    @Test
    void junkTakesNoThreadAndIsAbandonedAtTheFirstFlightTimeout() throws Exception {
        HandshakeAdmission a = admission(1, 0, 10, 10);
        Peer junk = session(a, "192.0.2.1", "r1", Duration.ofMillis(500), LONG);
        Random random = new Random(3);
        long started = System.nanoTime();
        for (int i = 0; i < 200; i++) {
            byte[] record = clientHelloShapedJunk(random);
            junk.session().onDatagram(record, 0, record.length);
        }
        assertEquals(0, a.pending(), "junk asked for no thread");
        assertEquals(200, junk.session().droppedDatagrams());
        // The only thread is free for a real browser meanwhile.
        browser(a, "192.0.2.2", "r2", LONG, false).keys().get(10, TimeUnit.SECONDS);

        DtlsHandshakeException e = failure(junk.keys());
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertEquals(Reason.TIMEOUT, e.reason());
        assertTrue(e.getMessage().contains("no DTLS ClientHello arrived within 500 ms"), e.getMessage());
        assertTrue(tookMillis < 5000, "abandoned after " + tookMillis + " ms, not at the 20 s handshake timeout");
        awaitCounts(a, counts(1, 0, 0, 0, 1, 0));
        assertEquals(0, a.pending());
    }

    @Test
    void aFailedHandshakeIsCountedAndFreesItsSlot() throws Exception {
        HandshakeAdmission a = admission(2, 2, 1, 1);
        MemoryLink link = new MemoryLink();
        DtlsServerSession s = new DtlsServerSession(SERVER_CERT, DtlsCertificate.generate().fingerprintSha256(),
                link.serverSender(), Duration.ofSeconds(1), LONG);
        link.server = s;
        sessions.add(s);
        CompletableFuture<SrtpKeyingMaterial> keys = s.start(a, InetAddress.getByName("192.0.2.1"), "r1");
        clients.submit(() -> new DTLSClientProtocol().connect(new DtlsSrtpClient(CLIENT_CERT,
                SERVER_CERT.fingerprintSha256(), new int[] {SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM}, 0),
                link.clientTransport()));
        assertEquals(Reason.FINGERPRINT_MISMATCH, failure(keys).reason());
        await("the failure freed the source's and the room's slot", () -> a.pending() == 0);
        browser(a, "192.0.2.1", "r1", LONG, false).keys().get(10, TimeUnit.SECONDS);
        awaitCounts(a, counts(1, 0, 0, 0, 0, 1));
    }

    @Test
    void limitsRefuseNonsense() {
        Duration s = Duration.ofSeconds(1);
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLimits(0, 1, 1, 1, s, s));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLimits(1, -1, 1, 1, s, s));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLimits(1, 1, 0, 1, s, s));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLimits(1, 1, 1, 0, s, s));
        assertThrows(IllegalArgumentException.class, () -> new HandshakeLimits(1, 1, 1, 1, Duration.ZERO, s));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HandshakeLimits(1, 1, 1, 1, Duration.ofSeconds(2), s));
        assertTrue(e.getMessage().contains("first-flight"), e.getMessage());
    }

    /**
     * A DTLS 1.2 epoch-0 handshake record whose header says ClientHello (message_seq 0, whole, of the record's
     * length) and whose body is random: what a client that knows only the record format sends.
     */
    static byte[] clientHelloShapedJunk(Random random) {
        int body = 60 + random.nextInt(300);
        ByteBuffer b = ByteBuffer.allocate(13 + 12 + body);
        b.put((byte) 22).putShort((short) 0xFEFD).putShort((short) 0).putShort((short) 0).putInt(random.nextInt(1000));
        b.putShort((short) (12 + body));
        b.put((byte) 1).put((byte) 0).putShort((short) body).putShort((short) 0);
        b.put((byte) 0).putShort((short) 0).put((byte) 0).putShort((short) body);
        byte[] rest = new byte[body];
        random.nextBytes(rest);
        return b.put(rest).array();
    }
}

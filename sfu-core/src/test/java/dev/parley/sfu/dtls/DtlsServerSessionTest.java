package dev.parley.sfu.dtls;

import dev.parley.peerkit.DtlsSrtpClient;
import dev.parley.peerkit.PeerCertificate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.dtls.DtlsHandshakeException.Reason;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.SRTPProtectionProfile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DtlsServerSessionTest {
    private static final DtlsCertificate SERVER_CERT = DtlsCertificate.generate();
    private static final PeerCertificate CLIENT_CERT = PeerCertificate.generate();
    private static final int[] BROWSER_PROFILES = {
        SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80, SRTPProtectionProfile.SRTP_AEAD_AES_128_GCM,
    };

    private final ExecutorService handshakes = Executors.newFixedThreadPool(2);
    private final ExecutorService clients = Executors.newCachedThreadPool();
    private final MemoryLink link = new MemoryLink();

    @AfterEach
    void stop() throws InterruptedException {
        clients.shutdownNow();
        handshakes.shutdownNow();
        assertTrue(handshakes.awaitTermination(5, TimeUnit.SECONDS), "a handshake thread stayed blocked");
        assertTrue(clients.awaitTermination(5, TimeUnit.SECONDS));
    }

    private DtlsServerSession server(String expectedClientFingerprint) {
        DtlsServerSession s = new DtlsServerSession(SERVER_CERT, expectedClientFingerprint, link.serverSender());
        link.server = s;
        return s;
    }

    private Future<Object[]> connect(DtlsSrtpClient client) {
        return clients.submit(() -> {
            DTLSTransport transport = new DTLSClientProtocol().connect(client, link.clientTransport());
            DtlsSrtpClient.ExportedKeys k = client.keys();
            return new Object[] {transport,
                    SrtpKeyingMaterial.fromExporterOutput(SrtpProfile.forUseSrtpId(k.profile()).orElseThrow(), k.material())};
        });
    }

    private DtlsSrtpClient browser() {
        return new DtlsSrtpClient(CLIENT_CERT, SERVER_CERT.fingerprintSha256(), BROWSER_PROFILES, 0);
    }

    private static DtlsHandshakeException failure(CompletableFuture<?> future) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
        return assertInstanceOf(DtlsHandshakeException.class, e.getCause());
    }

    @Test
    void handshakeGivesBothSidesTheSameSrtpKeysAndPrefersGcm() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());

        SrtpKeyingMaterial keys = serverKeys.get(10, TimeUnit.SECONDS);
        SrtpKeyingMaterial clientKeys = (SrtpKeyingMaterial) client.get(10, TimeUnit.SECONDS)[1];
        assertEquals(SrtpProfile.AEAD_AES_128_GCM, keys.profile(), "GCM is preferred whatever the client's order");
        assertEquals(clientKeys, keys);

        // The keys work end to end: the browser encrypts, the SFU decrypts.
        SrtpSession sfu = new SrtpSession(keys);
        SrtpSession browser = new SrtpSession(clientKeys, SrtpSession.Role.DTLS_CLIENT, 8);
        PacketBuffer p = new PacketBuffer();
        byte[] rtp = {(byte) 0x80, 111, 0, 1, 0, 0, 0, 1, 0, 0, 0, 42, 1, 2, 3, 4};
        p.copyFrom(rtp, 0, rtp.length);
        assertTrue(browser.protectRtp(p));
        assertTrue(sfu.unprotectRtp(p));
        assertEquals(rtp.length, p.length());
        server.close();
    }

    @Test
    void aesCmIsChosenWhenTheClientOffersNothingElse() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(new DtlsSrtpClient(CLIENT_CERT, SERVER_CERT.fingerprintSha256(),
                new int[] {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80}, 0));
        assertEquals(SrtpProfile.AES128_CM_HMAC_SHA1_80, serverKeys.get(10, TimeUnit.SECONDS).profile());
        assertEquals(client.get(10, TimeUnit.SECONDS)[1], serverKeys.get());
    }

    @Test
    void aCertificateThatDoesNotMatchTheSdpFingerprintFailsTheHandshake() throws Exception {
        String someoneElse = DtlsCertificate.generate().fingerprintSha256();
        DtlsServerSession server = server(someoneElse);
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());

        DtlsHandshakeException e = failure(serverKeys);
        assertEquals(Reason.FINGERPRINT_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("does not match the SDP fingerprint " + someoneElse), e.getMessage());
        assertTrue(e.getMessage().contains(CLIENT_CERT.fingerprint()), e.getMessage());
        assertThrows(ExecutionException.class, () -> client.get(10, TimeUnit.SECONDS), "the client is told too");
        server.whenClosed().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aClientOfferingNoUseSrtpFails() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        connect(new DtlsSrtpClient(CLIENT_CERT, SERVER_CERT.fingerprintSha256(), null, 0));
        DtlsHandshakeException e = failure(serverKeys);
        assertEquals(Reason.NO_COMMON_SRTP_PROFILE, e.reason());
        assertTrue(e.getMessage().contains("no use_srtp"), e.getMessage());
    }

    @Test
    void aClientOfferingOnlyUnsupportedProfilesFails() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        connect(new DtlsSrtpClient(CLIENT_CERT, SERVER_CERT.fingerprintSha256(),
                new int[] {SRTPProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_32}, 0));
        assertEquals(Reason.NO_COMMON_SRTP_PROFILE, failure(serverKeys).reason());
    }

    @Test
    void aClientWithoutCertificateFails() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        connect(new DtlsSrtpClient(null, SERVER_CERT.fingerprintSha256(), BROWSER_PROFILES, 0));
        DtlsHandshakeException e = failure(serverKeys);
        assertEquals(Reason.NO_PEER_CERTIFICATE, e.reason());
        assertTrue(e.getMessage().contains("no certificate"), e.getMessage());
    }

    @Test
    void garbageRecordsDoNotBreakTheSession() throws Exception {
        Random random = new Random(7);
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        link.noise = () -> {
            List<byte[]> noise = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                noise.add(garbageRecord(random));
            }
            return noise;
        };
        for (int i = 0; i < 20; i++) { // already queued when the handshake starts
            byte[] g = garbageRecord(random);
            server.onDatagram(g, 0, g.length);
        }
        byte[] notDtls = {(byte) 0x80, 0, 0, 0};
        server.onDatagram(notDtls, 0, notDtls.length);
        server.onDatagram(new byte[PacketBuffer.MAX_DATAGRAM + 1], 0, PacketBuffer.MAX_DATAGRAM + 1);
        // Before the ClientHello nothing but a ClientHello is kept: the 20 noise records are dropped as well.
        assertEquals(22, server.droppedDatagrams());
        assertEquals(0, server.queuedDatagrams());

        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());
        assertEquals(client.get(10, TimeUnit.SECONDS)[1], serverKeys.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aFullQueueDropsAndCountsInsteadOfWaiting() {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        byte[] record = garbageRecord(new Random(1));
        for (int i = 0; i < 100; i++) {
            server.onDatagram(record, 0, record.length);
        }
        assertTrue(server.droppedDatagrams() >= 100 - 32, "dropped " + server.droppedDatagrams());
        server.close();
    }

    @Test
    void closeDuringTheHandshakeEndsItAndFreesTheThread() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            DtlsServerSession server = server(CLIENT_CERT.fingerprint());
            CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(single);
            // A client that sends its ClientHello and then hears nothing back, so the server waits mid-handshake.
            link.serverToClientFilter = d -> false;
            connect(browser());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (link.sentByServer.isEmpty() && System.nanoTime() < deadline) { // server sent its flight
                Thread.onSpinWait();
            }
            assertTrue(!link.sentByServer.isEmpty(), "the server answered the ClientHello");

            long closedAt = System.nanoTime();
            server.close();
            DtlsHandshakeException e = failure(serverKeys);
            assertEquals(Reason.CLOSED, e.reason());
            server.whenClosed().toCompletableFuture().get(1, TimeUnit.SECONDS);
            single.submit(() -> { }).get(1, TimeUnit.SECONDS); // the handshake thread is free again
            assertTrue(System.nanoTime() - closedAt < TimeUnit.SECONDS.toNanos(1));
        } finally {
            single.shutdownNow();
        }
    }

    @Test
    void aHandshakeThatNeverCompletesTimesOut() throws Exception {
        ExecutorService single = Executors.newSingleThreadExecutor();
        try {
            DtlsServerSession server = new DtlsServerSession(SERVER_CERT, CLIENT_CERT.fingerprint(),
                    link.serverSender(), Duration.ofMillis(300));
            DtlsHandshakeException e = failure(server.start(single));
            assertEquals(Reason.TIMEOUT, e.reason());
            assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
            single.submit(() -> { }).get(1, TimeUnit.SECONDS);
        } finally {
            single.shutdownNow();
        }
    }

    @Test
    void aLostFinalFlightIsResentWhenTheClientRetransmits() throws Exception {
        // Drop the server's first change_cipher_spec and the Finished after it: the client then retransmits its
        // flight, which reaches a server whose handshake is already complete.
        dropServersFirstFinalFlight();
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());
        SrtpKeyingMaterial keys = serverKeys.get(10, TimeUnit.SECONDS);
        assertEquals(keys, client.get(10, TimeUnit.SECONDS)[1]);
    }

    @Test
    void garbageAfterTheHandshakeDoesNotEndTheAssociation() throws Exception {
        // As in the lost-flight case, the client will have to retransmit its final flight; that retransmission
        // is held back until the server has chewed through the garbage, then it must still be answered.
        dropServersFirstFinalFlight();
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());
        SrtpKeyingMaterial keys = serverKeys.get(10, TimeUnit.SECONDS);
        link.holdClient = true;

        Random random = new Random(11);
        for (int batch = 0; batch < 100; batch++) {
            for (int i = 0; i < 20; i++) {
                byte[] g = postHandshakeGarbage(random, batch % 2 == 0);
                server.onDatagram(g, 0, g.length);
            }
            awaitDrained(server);
        }
        assertTrue(!server.whenClosed().toCompletableFuture().isDone(), "garbage ended the association");

        link.releaseClient();
        assertEquals(keys, client.get(10, TimeUnit.SECONDS)[1], "the client's retransmission was answered");
        assertTrue(!server.whenClosed().toCompletableFuture().isDone());
    }

    /**
     * A record of random content: encrypted-epoch records that are too short for any ciphertext (which
     * BouncyCastle would answer with a fatal alert) or of their true length (failing authentication), and
     * plaintext-epoch records of types ignored after the handshake. Plaintext handshake records are left out:
     * epoch 0 has no integrity protection, and forged ones with high sequence numbers can push BouncyCastle's
     * replay window past the client's real retransmissions (a known limit, for attackers who can spoof the
     * ICE-checked address).
     */
    private static byte[] postHandshakeGarbage(Random random, boolean truncated) {
        byte[] g = new byte[14 + random.nextInt(200)];
        random.nextBytes(g);
        boolean encrypted = random.nextBoolean();
        g[0] = (byte) (encrypted ? 20 + random.nextInt(5) : new int[] {20, 21, 23, 24}[random.nextInt(4)]);
        g[1] = (byte) 0xFE;
        g[2] = (byte) 0xFD;
        g[3] = 0;
        g[4] = (byte) (encrypted ? 1 : 0);
        int length = truncated ? random.nextInt(24) : g.length - 13;
        g[11] = (byte) (length >> 8);
        g[12] = (byte) length;
        return g;
    }

    private void dropServersFirstFinalFlight() {
        AtomicBoolean dropping = new AtomicBoolean(true);
        int[] dropped = {0};
        link.serverToClientFilter = d -> {
            boolean finalFlight = d[0] == 20 || (d[0] == 22 && d[4] == 1); // CCS, or a handshake record in epoch 1
            if (finalFlight && dropping.get()) {
                if (++dropped[0] == 2) {
                    dropping.set(false);
                }
                return false;
            }
            return true;
        };
    }

    /** Waits until the session consumed everything queued, or ended. */
    private static void awaitDrained(DtlsServerSession server) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        CompletableFuture<Void> closed = server.whenClosed().toCompletableFuture();
        while (server.queuedDatagrams() > 0 && !closed.isDone() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertTrue(!closed.isDone(), "garbage ended the association");
        assertEquals(0, server.queuedDatagrams());
    }

    @Test
    void thePeersCloseNotifyEndsTheSession() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());
        serverKeys.get(10, TimeUnit.SECONDS);
        DTLSTransport clientTransport = (DTLSTransport) client.get(10, TimeUnit.SECONDS)[0];
        assertTrue(!server.whenClosed().toCompletableFuture().isDone());
        clientTransport.close();
        server.whenClosed().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void closingAnEstablishedSessionSendsCloseNotify() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        Future<Object[]> client = connect(browser());
        serverKeys.get(10, TimeUnit.SECONDS);
        client.get(10, TimeUnit.SECONDS);
        int sentBefore = link.sentByServer.size();
        server.close();
        assertTrue(server.whenClosed().toCompletableFuture().isDone());
        assertEquals(sentBefore + 1, link.sentByServer.size());
        byte[] last = link.sentByServer.get(sentBefore);
        assertEquals(21, last[0], "an alert record");
        assertEquals(1, last[4], "encrypted under the negotiated keys (epoch 1)");
    }

    @Test
    void anExecutorThatRejectsEveryClientHelloFailsTheHandshakeClearlyAtItsTimeout() throws Exception {
        DtlsServerSession server = new DtlsServerSession(SERVER_CERT, CLIENT_CERT.fingerprint(),
                link.serverSender(), Duration.ofMillis(500));
        link.server = server;
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(task -> {
            throw new RejectedExecutionException("full");
        });
        connect(browser());
        DtlsHandshakeException e = failure(serverKeys);
        assertEquals(Reason.EXECUTOR_REJECTED, e.reason());
        assertTrue(e.getMessage().contains("refused for 500 ms"), e.getMessage());
    }

    @Test
    void cancellingTheFutureClosesTheSession() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        CompletableFuture<SrtpKeyingMaterial> serverKeys = server.start(handshakes);
        serverKeys.cancel(false);
        server.whenClosed().toCompletableFuture().get(1, TimeUnit.SECONDS);
    }

    @Test
    void misuseIsRefusedWithClearErrors() {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        server.start(handshakes);
        assertThrows(IllegalStateException.class, () -> server.start(handshakes));
        server.close();
        server.close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DtlsServerSession(SERVER_CERT, "sha-1 AB:CD", link.serverSender()));
        assertTrue(e.getMessage().contains("sha-1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DtlsServerSession(SERVER_CERT,
                CLIENT_CERT.fingerprint(), link.serverSender(), Duration.ZERO));
        assertThrows(IndexOutOfBoundsException.class, () -> server.onDatagram(new byte[4], 2, 3));
    }

    @Test
    void aClosedSessionRefusesToStart() throws Exception {
        DtlsServerSession server = server(CLIENT_CERT.fingerprint());
        server.close();
        assertEquals(Reason.CLOSED, failure(server.start(handshakes)).reason());
        assertTrue(server.whenClosed().toCompletableFuture().isDone());
    }

    /**
     * Random bytes that look like a DTLS record to the demultiplexer (first byte 20..63): pure noise, or a
     * well-formed header (DTLS 1.2, true length) in an epoch the association never reaches. Noise is never a
     * valid epoch-0 record: that epoch has no integrity protection, so a forged one could legitimately derail
     * the handshake, and only an attacker who can spoof the ICE-checked address could send one.
     */
    private static byte[] garbageRecord(Random random) {
        byte[] g = new byte[1 + random.nextInt(200)];
        random.nextBytes(g);
        g[0] = (byte) (20 + random.nextInt(44));
        if (g.length > 1 && g[1] == (byte) 0xFE) {
            g[1] = 0; // not a DTLS version
        }
        if (g.length > 13 && random.nextBoolean()) {
            g[0] = (byte) (20 + random.nextInt(4));
            g[1] = (byte) 0xFE;
            g[2] = (byte) 0xFD;
            g[3] = 0;
            g[4] = (byte) (3 + random.nextInt(5));
            g[11] = (byte) ((g.length - 13) >> 8);
            g[12] = (byte) (g.length - 13);
        }
        return g;
    }
}

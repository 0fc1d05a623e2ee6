package dev.parley.sfu.dtls;

import dev.parley.peerkit.DtlsSrtpClient;
import dev.parley.peerkit.PeerCertificate;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs DTLS-SRTP handshakes against itself in memory, once, when a server starts: BouncyCastle's EC code
 * (ECDSA P-256, ECDHE) runs interpreted in a fresh JVM, which made the first participants' handshakes take
 * 0.3-3 s instead of 10-20 ms. After these handshakes the JIT has compiled it, so the first joiners do not pay
 * for that. The handshakes use throw-away certificates and the same {@link DtlsServerSession} code as real ones;
 * nothing goes over a socket.
 */
public final class DtlsWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsWarmUp.class);
    private static final int MTU = 1200;
    private static final int TIMEOUT_MILLIS = 30_000;

    private DtlsWarmUp() {
    }

    /** Starts {@code handshakes} handshakes one after the other on a daemon thread of their own, and returns. */
    public static void startInBackground(int handshakes) {
        Thread.ofPlatform().daemon().name("parley-dtls-warmup").start(() -> run(handshakes));
    }

    /**
     * Runs {@code handshakes} handshakes one after the other and returns how many completed: a failure ends the
     * warm-up (logged), never throws.
     */
    static int run(int handshakes) {
        long start = System.nanoTime();
        long first = -1;
        long last = -1;
        int done = 0;
        try {
            DtlsCertificate server = DtlsCertificate.generate();
            PeerCertificate client = PeerCertificate.generate();
            // The server session's handshake runs on a thread of its own, as on the handshake pool.
            Executor handshakeThread = task -> Thread.ofPlatform().daemon().name("parley-dtls-warmup-server").start(task);
            for (int i = 0; i < handshakes; i++) {
                long t = System.nanoTime();
                handshake(server, client, handshakeThread);
                last = System.nanoTime() - t;
                done++;
                if (first < 0) {
                    first = last;
                }
            }
            LOG.info("DTLS warm-up: {} handshakes in {} ms (the first {} ms, the last {} ms)", handshakes,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), TimeUnit.NANOSECONDS.toMillis(first),
                    TimeUnit.NANOSECONDS.toMillis(last));
        } catch (IOException | RuntimeException e) {
            LOG.warn("DTLS warm-up stopped after {} handshakes: {}", done, e.toString());
        }
        return done;
    }

    private static void handshake(DtlsCertificate serverCert, PeerCertificate clientCert, Executor handshakeThread)
            throws IOException {
        BlockingQueue<byte[]> toClient = new LinkedBlockingQueue<>();
        try (DtlsServerSession server = new DtlsServerSession(serverCert, clientCert.fingerprint(),
                (buf, off, len) -> toClient.add(Arrays.copyOfRange(buf, off, off + len)))) {
            CompletableFuture<SrtpKeyingMaterial> done = server.start(handshakeThread);
            DtlsSrtpClient client = new DtlsSrtpClient(clientCert, serverCert.fingerprintSha256(),
                    DtlsSrtpClient.BROWSER_PROFILES, TIMEOUT_MILLIS);
            new DTLSClientProtocol().connect(client, new MemoryTransport(toClient, server)).close();
            done.get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the warm-up handshake's server side did not complete", e);
        }
    }

    /** The client's side of the in-memory link: what it sends goes straight into the server session. */
    private record MemoryTransport(BlockingQueue<byte[]> in, DtlsServerSession server) implements DatagramTransport {
        @Override
        public int getReceiveLimit() {
            return MTU;
        }

        @Override
        public int getSendLimit() {
            return MTU;
        }

        @Override
        public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
            try {
                byte[] record = in.poll(waitMillis, TimeUnit.MILLISECONDS);
                if (record == null) {
                    return -1;
                }
                int n = Math.min(len, record.length);
                System.arraycopy(record, 0, buf, off, n);
                return n;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }

        @Override
        public void send(byte[] buf, int off, int len) {
            server.onDatagram(buf, off, len);
        }

        @Override
        public void close() {
        }
    }
}

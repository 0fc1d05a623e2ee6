package dev.parley.sfu.dtls;

import dev.parley.sfu.dtls.DtlsHandshakeException.Reason;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSServerProtocol;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.TlsTimeoutException;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server side of one DTLS-SRTP association (RFC 5764): the browser, {@code a=setup:active}, is the DTLS
 * client. The handshake authenticates the browser by the certificate fingerprint from its SDP and yields the
 * SRTP keys for {@link dev.parley.sfu.srtp.SrtpSession}.
 *
 * <p><b>Threads.</b> The media event loop calls {@link #onDatagram} for each DTLS record from the peer; it only
 * copies the record into a bounded queue and never waits. BouncyCastle's handshake blocks one thread for a few
 * round trips, so no thread is taken until the peer's first flight arrives: a datagram that is not a plausible
 * ClientHello ({@link ClientHelloCheck}) is dropped before then, and a session that sees none within the
 * first-flight timeout fails. The first ClientHello asks for a thread: from a {@link HandshakeAdmission}, which
 * caps pending handshakes per source and per room and bounds its pool, or from a plain executor. A refused
 * ClientHello is dropped and the peer's retransmission asks again, until the handshake timeout. Outgoing records
 * go to the {@link DatagramSender} from the handshake thread. After the handshake no thread stays parked: the
 * rare records that still arrive (a retransmitted final flight from a client that missed our Finished, or its
 * close_notify) are processed by a short task on the same executor.
 *
 * <p><b>No cookie exchange.</b> HelloVerifyRequest is off: DTLS only reaches a session from an address that
 * passed ICE connectivity checks, which already prove the peer receives at that address, and skipping it saves
 * a round trip per join.
 */
public final class DtlsServerSession implements AutoCloseable {
    /** How long a handshake may take unless the constructor is told otherwise. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = HandshakeLimits.DEFAULTS.handshakeTimeout();
    /** How long a session waits for a plausible ClientHello unless the constructor is told otherwise. */
    public static final Duration DEFAULT_FIRST_FLIGHT_TIMEOUT = HandshakeLimits.DEFAULTS.firstFlightTimeout();

    private static final Logger LOG = LoggerFactory.getLogger(DtlsServerSession.class);
    private static final BcTlsCrypto CRYPTO = new BcTlsCrypto();
    /** Records a browser sends in one flight are a handful; this leaves room for retransmissions and noise. */
    private static final int QUEUE_CAPACITY = 32;

    private final DtlsCertificate certificate;
    private final Fingerprint expectedPeer;
    private final Duration firstFlightTimeout;
    private final Duration handshakeTimeout;
    private final QueuedDatagramTransport transport;
    private final CompletableFuture<SrtpKeyingMaterial> result = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final AtomicBoolean started = new AtomicBoolean();
    /** Pending requests to process post-handshake records; only the caller that raises it from 0 runs them. */
    private final AtomicInteger recordWork = new AtomicInteger();
    /** Held while BouncyCastle's record layer is in use after the handshake; close() only tries it. */
    private final ReentrantLock recordLayer = new ReentrantLock();

    private volatile Executor executor;
    private volatile DTLSTransport established;

    /** Guards admission: whether the handshake has a thread, and what it is counted against. */
    private final Object admissionLock = new Object();
    private HandshakeAdmission admission; // null when started with a plain executor
    private InetAddress source;
    private String room;
    private boolean ready; // start() set up where the handshake runs
    private boolean released;
    private HandshakeOutcome refusedBy;
    /** Written under the lock; read without it by the event loop, which then stops checking for ClientHellos. */
    private volatile boolean admitted;
    private volatile boolean helloSeen;

    /** A session with the {@linkplain #DEFAULT_HANDSHAKE_TIMEOUT default handshake timeout}. */
    public DtlsServerSession(DtlsCertificate cert, String expectedPeerFingerprint, DatagramSender sender) {
        this(cert, expectedPeerFingerprint, sender, DEFAULT_HANDSHAKE_TIMEOUT);
    }

    /**
     * A session that authenticates the peer by {@code expectedPeerFingerprint} and gives up after
     * {@code handshakeTimeout}, or after the {@linkplain #DEFAULT_FIRST_FLIGHT_TIMEOUT default first-flight
     * timeout} (at most {@code handshakeTimeout}) when no ClientHello arrives.
     *
     * @param cert our certificate, whose fingerprint our SDP announced
     * @param expectedPeerFingerprint the peer's {@code a=fingerprint} value, e.g. {@code "sha-256 AB:CD:..."}
     * @param sender sends our records to the peer; must be thread-safe
     * @param handshakeTimeout how long from {@link #start} until the handshake must have completed
     * @throws IllegalArgumentException if the fingerprint is malformed or the timeout is not positive
     */
    public DtlsServerSession(DtlsCertificate cert, String expectedPeerFingerprint, DatagramSender sender,
                             Duration handshakeTimeout) {
        this(cert, expectedPeerFingerprint, sender, shorter(DEFAULT_FIRST_FLIGHT_TIMEOUT, handshakeTimeout),
                handshakeTimeout);
    }

    /**
     * A session that authenticates the peer by {@code expectedPeerFingerprint}, fails when no plausible
     * ClientHello arrived within {@code firstFlightTimeout}, and gives up after {@code handshakeTimeout}.
     *
     * @param cert our certificate, whose fingerprint our SDP announced
     * @param expectedPeerFingerprint the peer's {@code a=fingerprint} value, e.g. {@code "sha-256 AB:CD:..."}
     * @param sender sends our records to the peer; must be thread-safe
     * @param firstFlightTimeout how long from {@link #start} until the peer's ClientHello must have arrived
     * @param handshakeTimeout how long from {@link #start} until the handshake must have completed
     * @throws IllegalArgumentException if the fingerprint is malformed, a timeout is not positive, or the
     *     first-flight timeout is longer than the handshake timeout
     */
    public DtlsServerSession(DtlsCertificate cert, String expectedPeerFingerprint, DatagramSender sender,
                             Duration firstFlightTimeout, Duration handshakeTimeout) {
        this.certificate = Objects.requireNonNull(cert, "cert");
        this.expectedPeer = Fingerprint.parse(expectedPeerFingerprint);
        Objects.requireNonNull(sender, "sender");
        this.handshakeTimeout = Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        this.firstFlightTimeout = Objects.requireNonNull(firstFlightTimeout, "firstFlightTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshake timeout must be positive, got " + handshakeTimeout);
        }
        if (firstFlightTimeout.isNegative() || firstFlightTimeout.isZero()
                || firstFlightTimeout.compareTo(handshakeTimeout) > 0) {
            throw new IllegalArgumentException("first-flight timeout must be positive and at most the handshake "
                    + "timeout, got " + firstFlightTimeout);
        }
        this.transport = new QueuedDatagramTransport(QUEUE_CAPACITY, sender, () -> closed.complete(null));
    }

    /**
     * Takes a DTLS record (first byte 20..63, RFC 7983) received from the peer. Called on the event loop: copies
     * the record into a bounded queue and returns; records that do not fit, are not DTLS or arrive after close
     * are dropped and counted ({@link #droppedDatagrams()}), and so is anything but a plausible ClientHello
     * until the handshake has a thread. A ClientHello after {@link #start} asks for one.
     *
     * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not lie within {@code buf}
     */
    public void onDatagram(byte[] buf, int off, int len) {
        Objects.checkFromIndexSize(off, len, buf.length);
        int first = len == 0 ? 0 : buf[off] & 0xFF;
        if (first < 20 || first > 63) {
            transport.countDropped();
            return;
        }
        if (!admitted) {
            onFirstFlight(buf, off, len);
            return;
        }
        if (transport.offer(buf, off, len) && established != null) {
            scheduleRecordWork();
        }
    }

    /** Before the handshake has a thread: only a ClientHello counts, and it asks for one. */
    private void onFirstFlight(byte[] buf, int off, int len) {
        if (!ClientHelloCheck.isPlausible(buf, off, len)) {
            transport.countDropped();
            return;
        }
        helloSeen = true;
        synchronized (admissionLock) {
            if (admitted || !ready) {
                transport.offer(buf, off, len); // before start(): kept for the handshake start() will admit
            } else if (!result.isDone() && admitLocked()) {
                transport.offer(buf, off, len);
            } else {
                transport.countDropped(); // refused: the peer retransmits its ClientHello, which asks again
            }
        }
    }

    /** Asks for a handshake thread; remembers why not. */
    private boolean admitLocked() {
        HandshakeOutcome refusal;
        if (admission != null) {
            refusal = admission.admit(source, room, this::handshake);
        } else {
            try {
                executor.execute(this::handshake);
                refusal = null;
            } catch (RejectedExecutionException e) {
                refusal = HandshakeOutcome.REFUSED_POOL;
            }
        }
        if (refusal != null) {
            refusedBy = refusal;
            return false;
        }
        admitted = true;
        return true;
    }

    /**
     * Starts the session: its handshake runs on {@code handshakeExecutor} once the peer's ClientHello arrives
     * (at once if it already did), with no caps but the executor's own. The future completes with the
     * negotiated profile and keys, or exceptionally with a {@link DtlsHandshakeException} saying why not
     * (timeout, no ClientHello, refused, close, fingerprint mismatch, no common SRTP profile, ...). Cancelling
     * the future closes the session. Dependent actions run on the thread that completes it (a handshake thread
     * or the timeout timer): use the {@code *Async} variants for anything slow.
     *
     * @throws IllegalStateException if called more than once
     */
    public CompletableFuture<SrtpKeyingMaterial> start(Executor handshakeExecutor) {
        Objects.requireNonNull(handshakeExecutor, "handshakeExecutor");
        return begin(handshakeExecutor, null, null, null);
    }

    /**
     * Starts the session as {@link #start(Executor)} does, but its handshake asks {@code admission} for a
     * thread, counted against {@code source} and {@code room}, and its end is counted there.
     *
     * @param source the peer's address (its ClientHello's source)
     * @param room the room the peer's connection belongs to
     * @throws IllegalStateException if called more than once
     */
    public CompletableFuture<SrtpKeyingMaterial> start(HandshakeAdmission admission, InetAddress source, String room) {
        Objects.requireNonNull(admission, "admission");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(room, "room");
        return begin(admission.executor(), admission, source, room);
    }

    private CompletableFuture<SrtpKeyingMaterial> begin(Executor handshakeExecutor, HandshakeAdmission admission,
                                                        InetAddress source, String room) {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("start() was already called on this DTLS session");
        }
        synchronized (admissionLock) {
            this.executor = handshakeExecutor;
            this.admission = admission;
            this.source = source;
            this.room = room;
        }
        result.whenComplete((keys, error) -> ended(error));
        CompletableFuture<SrtpKeyingMaterial> view = result.copy();
        view.whenComplete((keys, error) -> {
            if (view.isCancelled()) {
                close();
            }
        });
        if (transport.isClosed()) {
            fail(new DtlsHandshakeException(Reason.CLOSED, "DTLS session was closed before it started"));
            return view;
        }
        // orTimeout() drops its timer task as soon as the deadline future completes, so a finished handshake
        // leaves nothing scheduled behind.
        CompletableFuture<Void> firstFlight = new CompletableFuture<Void>()
                .orTimeout(firstFlightTimeout.toMillis(), TimeUnit.MILLISECONDS);
        firstFlight.whenComplete((ignored, error) -> {
            if (error instanceof TimeoutException && !helloSeen) {
                fail(new DtlsHandshakeException(Reason.TIMEOUT, "no DTLS ClientHello arrived within "
                        + firstFlightTimeout.toMillis() + " ms"));
            }
        });
        CompletableFuture<Void> deadline = new CompletableFuture<Void>()
                .orTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        deadline.whenComplete((ignored, error) -> {
            if (error instanceof TimeoutException) {
                fail(timedOutOrRefused());
            }
        });
        result.whenComplete((keys, error) -> {
            firstFlight.complete(null);
            deadline.complete(null);
        });
        synchronized (admissionLock) {
            ready = true;
            if (transport.queued() > 0 && !result.isDone()) {
                admitLocked(); // the ClientHello came before start(); if refused, a retransmission asks again
            }
        }
        return view;
    }

    /** Completes when the session ends: closed locally, by the peer's close_notify or alert, or failed. */
    public CompletionStage<Void> whenClosed() {
        return closed.copy();
    }

    /** Received datagrams dropped because they were not DTLS, too large, truncated, or the queue was full. */
    public long droppedDatagrams() {
        return transport.dropped();
    }

    /** Received datagrams not yet consumed (for tests). */
    int queuedDatagrams() {
        return transport.queued();
    }

    /**
     * Ends the session without waiting: a handshake in progress fails with {@link Reason#CLOSED} and its thread
     * is released at once; an established association sends close_notify if it can do so without waiting.
     * Idempotent.
     */
    @Override
    public void close() {
        fail(new DtlsHandshakeException(Reason.CLOSED, "DTLS session was closed before the handshake completed"));
        DTLSTransport dtls = established;
        if (dtls != null && !transport.isClosed() && recordLayer.tryLock()) {
            try {
                dtls.close(); // sends close_notify, then closes our transport
            } catch (IOException e) {
                LOG.debug("close_notify could not be sent", e);
            } finally {
                recordLayer.unlock();
            }
        }
        transport.close();
    }

    private void handshake() {
        if (result.isDone()) {
            return; // timed out or closed while the task waited for a thread
        }
        long startNanos = System.nanoTime();
        SrtpDtlsServer server = new SrtpDtlsServer(CRYPTO, certificate, expectedPeer);
        DTLSServerProtocol protocol = new DTLSServerProtocol();
        protocol.setVerifyRequests(false);
        try {
            DTLSTransport dtls = protocol.accept(server, transport);
            SrtpKeyingMaterial keys = server.keys();
            if (keys == null) {
                throw new IllegalStateException("handshake completed without exporting SRTP keys");
            }
            transport.stopWaiting(server.minimumCiphertext());
            established = dtls; // from here on onDatagram() schedules record work itself
            if (recordWork.getAndIncrement() == 0) {
                processRecordWork(); // whatever arrived while the handshake was finishing
            }
            if (!result.complete(keys)) {
                close(); // timed out or closed just as the handshake finished
                return;
            }
            LOG.info("DTLS handshake with {} done in {} ms, SRTP profile {}", expectedPeer,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos), keys.profile());
        } catch (IOException | RuntimeException e) {
            fail(describe(e, server));
        }
    }

    private DtlsHandshakeException describe(Exception e, SrtpDtlsServer server) {
        if (server.rejection() != null) {
            return server.rejection();
        }
        if (e instanceof TlsFatalAlertReceived alert) {
            return new DtlsHandshakeException(Reason.PEER_ALERT, "peer aborted the DTLS handshake with alert "
                    + AlertDescription.getText(alert.getAlertDescription()), e);
        }
        if (e instanceof TlsTimeoutException) {
            return timedOut(e);
        }
        return new DtlsHandshakeException(Reason.PROTOCOL_ERROR, "DTLS handshake failed: " + e.getMessage(), e);
    }

    private DtlsHandshakeException timedOutOrRefused() {
        HandshakeOutcome refusal;
        synchronized (admissionLock) {
            refusal = admitted ? null : refusedBy;
        }
        if (refusal == null) {
            return timedOut(null);
        }
        String why = switch (refusal) {
            case REFUSED_SOURCE -> "too many DTLS handshakes pending from the peer's address";
            case REFUSED_ROOM -> "too many DTLS handshakes pending in the room";
            default -> "the DTLS handshake threads and their queue were full";
        };
        Reason reason = switch (refusal) {
            case REFUSED_SOURCE -> Reason.REFUSED_SOURCE;
            case REFUSED_ROOM -> Reason.REFUSED_ROOM;
            default -> Reason.EXECUTOR_REJECTED;
        };
        return new DtlsHandshakeException(reason, "DTLS handshake refused for " + handshakeTimeout.toMillis()
                + " ms: " + why);
    }

    /** The session's result is in: frees its admission and counts how it ended. */
    private void ended(Throwable error) {
        HandshakeAdmission counter;
        boolean release;
        synchronized (admissionLock) {
            counter = admission;
            release = admitted && !released;
            released = true;
        }
        if (counter == null) {
            return;
        }
        HandshakeOutcome outcome = outcome(error);
        if (outcome != null) {
            counter.ended(outcome); // before the release, so that a drop in pending() means it is counted
        }
        if (release) {
            counter.release(source, room);
        }
    }

    private static HandshakeOutcome outcome(Throwable error) {
        if (error == null) {
            return HandshakeOutcome.COMPLETED;
        }
        if (!(error instanceof DtlsHandshakeException e)) {
            return HandshakeOutcome.FAILED;
        }
        return switch (e.reason()) {
            case CLOSED -> null; // the owner closed it: not an outcome of the handshake
            case TIMEOUT -> HandshakeOutcome.TIMEOUT;
            case REFUSED_SOURCE -> HandshakeOutcome.REFUSED_SOURCE;
            case REFUSED_ROOM -> HandshakeOutcome.REFUSED_ROOM;
            case EXECUTOR_REJECTED -> HandshakeOutcome.REFUSED_POOL;
            default -> HandshakeOutcome.FAILED;
        };
    }

    private static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private DtlsHandshakeException timedOut(Exception cause) {
        return new DtlsHandshakeException(Reason.TIMEOUT,
                "DTLS handshake did not complete within " + handshakeTimeout.toMillis() + " ms", cause);
    }

    private void fail(DtlsHandshakeException e) {
        if (result.completeExceptionally(e)) {
            if (e.reason() == Reason.TIMEOUT || e.reason() == Reason.REFUSED_SOURCE
                    || e.reason() == Reason.REFUSED_ROOM || e.reason() == Reason.EXECUTOR_REJECTED) {
                // What a flood of hostile transports ends in: counted in metrics, not one log line each.
                LOG.debug("DTLS handshake with {} failed ({}): {}", expectedPeer, e.reason(), e.getMessage());
            } else if (e.reason() != Reason.CLOSED) {
                LOG.info("DTLS handshake with {} failed ({}): {}", expectedPeer, e.reason(), e.getMessage());
            }
            transport.close();
        }
    }

    /** Runs {@link #processQueuedRecords()} once for any number of requests, never twice at the same time. */
    private void scheduleRecordWork() {
        if (recordWork.getAndIncrement() != 0) {
            return; // the running task will see this request
        }
        try {
            executor.execute(this::processRecordWork);
        } catch (RejectedExecutionException e) {
            recordWork.set(0); // the record stays queued; the next one retries
        }
    }

    private void processRecordWork() {
        int pending = recordWork.get();
        do {
            processQueuedRecords();
            pending = recordWork.addAndGet(-pending);
        } while (pending != 0);
    }

    /**
     * Lets BouncyCastle consume the queued records: it resends our final flight when the client retransmits
     * its own, and closes the transport on close_notify or a fatal alert. Application data is not expected
     * (media travels as SRTP beside DTLS) and is discarded.
     */
    private void processQueuedRecords() {
        DTLSTransport dtls = established;
        if (dtls == null || transport.isClosed() || !recordLayer.tryLock()) {
            return; // closing
        }
        try {
            byte[] scratch = new byte[dtls.getReceiveLimit()];
            while (true) {
                dtls.receive(scratch, 0, scratch.length, 1);
            }
        } catch (InterruptedIOException drained) {
            // queue empty: done for now
        } catch (IOException e) {
            LOG.debug("DTLS association with {} ended: {}", expectedPeer, e.toString());
            transport.close();
        } finally {
            recordLayer.unlock();
        }
    }
}

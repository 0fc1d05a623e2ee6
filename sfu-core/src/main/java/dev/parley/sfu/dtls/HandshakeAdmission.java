package dev.parley.sfu.dtls;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decides which DTLS handshakes may run, so that no one can starve the others: a bounded pool of handshake
 * threads with a bounded queue, and caps on pending handshakes per source address and per room
 * ({@link HandshakeLimits}). Sessions ask it only once a plausible ClientHello arrived (junk never takes a
 * thread); a refused ClientHello is dropped and the peer's retransmission asks again. It counts how handshakes
 * end ({@link HandshakeOutcome}) and how many are pending, for metrics.
 *
 * <p>Thread-safe. Admission runs on the media event loop, once per ClientHello: a short critical section over
 * two small maps, never held across I/O.
 */
public final class HandshakeAdmission implements AutoCloseable {
    private final HandshakeLimits limits;
    private final ThreadPoolExecutor pool;
    private final LongAdder[] outcomes = new LongAdder[HandshakeOutcome.values().length];
    /** Pending handshakes by source key and by room; guarded by {@code this}. Entries at zero are removed. */
    private final Map<InetAddress, Integer> bySource = new HashMap<>();
    private final Map<String, Integer> byRoom = new HashMap<>();
    private int pending;

    /** Starts no thread yet: the pool's threads come with the first handshakes and leave after 30 s idle. */
    public HandshakeAdmission(HandshakeLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
        BlockingQueue<Runnable> queue = limits.queue() == 0 ? new SynchronousQueue<>()
                : new ArrayBlockingQueue<>(limits.queue());
        this.pool = new ThreadPoolExecutor(limits.threads(), limits.threads(), 30, TimeUnit.SECONDS, queue, r -> {
            Thread t = new Thread(r, "parley-dtls-handshake");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
        for (int i = 0; i < outcomes.length; i++) {
            outcomes[i] = new LongAdder();
        }
    }

    public HandshakeLimits limits() {
        return limits;
    }

    /** Handshakes admitted and not ended yet (running or waiting for a thread). */
    public synchronized int pending() {
        return pending;
    }

    /** How many handshakes ended with {@code outcome} so far. */
    public long count(HandshakeOutcome outcome) {
        return outcomes[outcome.ordinal()].sum();
    }

    /** All outcome counters. */
    public Map<HandshakeOutcome, Long> counts() {
        Map<HandshakeOutcome, Long> m = new EnumMap<>(HandshakeOutcome.class);
        for (HandshakeOutcome o : HandshakeOutcome.values()) {
            m.put(o, count(o));
        }
        return m;
    }

    /** Stops the handshake threads; running handshakes are interrupted. */
    @Override
    public void close() {
        pool.shutdownNow();
    }

    // --- for DtlsServerSession ---

    /**
     * Runs {@code handshake} if {@code source} and {@code room} are under their caps and the pool takes it, and
     * counts it pending until {@link #release}.
     *
     * @return null when admitted, else why not ({@link HandshakeOutcome#REFUSED_SOURCE}, {@code _ROOM}, {@code _POOL})
     */
    HandshakeOutcome admit(InetAddress source, String room, Runnable handshake) {
        InetAddress key = sourceKey(source);
        synchronized (this) {
            if (bySource.getOrDefault(key, 0) >= limits.perSource()) {
                return HandshakeOutcome.REFUSED_SOURCE;
            }
            if (byRoom.getOrDefault(room, 0) >= limits.perRoom()) {
                return HandshakeOutcome.REFUSED_ROOM;
            }
            bySource.merge(key, 1, Integer::sum);
            byRoom.merge(room, 1, Integer::sum);
            pending++;
        }
        try {
            pool.execute(handshake);
            return null;
        } catch (RejectedExecutionException e) {
            release(source, room);
            return HandshakeOutcome.REFUSED_POOL;
        }
    }

    /** Ends a pending handshake admitted for {@code source} and {@code room}. */
    void release(InetAddress source, String room) {
        InetAddress key = sourceKey(source);
        synchronized (this) {
            bySource.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
            byRoom.computeIfPresent(room, (k, n) -> n == 1 ? null : n - 1);
            pending--;
        }
    }

    void ended(HandshakeOutcome outcome) {
        outcomes[outcome.ordinal()].increment();
    }

    /** Where short tasks of established sessions run (the rare records after the handshake). */
    Executor executor() {
        return pool;
    }

    /** The address a per-source cap applies to: IPv4 as it is, IPv6 cut to its /64, which one host may hold whole. */
    static InetAddress sourceKey(InetAddress source) {
        if (!(source instanceof Inet6Address)) {
            return source;
        }
        byte[] b = source.getAddress();
        for (int i = 8; i < 16; i++) {
            b[i] = 0;
        }
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }
}

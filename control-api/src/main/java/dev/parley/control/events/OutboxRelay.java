package dev.parley.control.events;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers outbox rows to an {@link EventSink} from one background thread, in seq order.
 *
 * <p>Each row is published, then marked delivered. When the sink (or the database) fails, the relay
 * waits with capped exponential backoff and retries the same row: it never skips one, so nothing is lost
 * and events about one subject keep their order. A crash between publish and mark sends that event again
 * (at least once; consumers drop duplicates by {@link Event#id()}). Run one relay per database: two relays
 * would both deliver, and could interleave.
 */
public final class OutboxRelay implements AutoCloseable {
    /**
     * How the relay paces itself.
     *
     * @param pollInterval how long it sleeps when idle before looking again (a {@link #wake()} cuts it short)
     * @param batchSize    rows read per query
     * @param initialBackoff first delay after a failure
     * @param maxBackoff   the cap on the doubling delay
     * @param retention    how long delivered rows are kept before the relay deletes them
     */
    public record Options(Duration pollInterval, int batchSize, Duration initialBackoff, Duration maxBackoff,
                          Duration retention) {
        public Options {
            Objects.requireNonNull(pollInterval, "pollInterval");
            Objects.requireNonNull(retention, "retention");
            if (pollInterval.isNegative() || pollInterval.isZero()) {
                throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
            }
            if (batchSize < 1 || batchSize > 10_000) {
                throw new IllegalArgumentException("batchSize must be 1..10000, was " + batchSize);
            }
            if (retention.isNegative()) {
                throw new IllegalArgumentException("retention must not be negative, was " + retention);
            }
            new Backoff(initialBackoff, maxBackoff);
        }

        /** Poll every second, 100 rows a batch, back off 200 ms doubling to 30 s, keep delivered rows 7 days. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(1), 100, Duration.ofMillis(200), Duration.ofSeconds(30),
                    Duration.ofDays(7));
        }
    }

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    private final OutboxRows rows;
    private final EventSink sink;
    private final Options options;
    private final Backoff backoff;
    private final Clock clock;
    private final Thread thread;
    private final Semaphore wakeSignal = new Semaphore(0);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong backlog = new AtomicLong();
    private Instant nextPurge = Instant.MIN;

    /** A relay with {@link Options#defaults()}; call {@link #start()} to begin delivering. */
    public OutboxRelay(Jdbi jdbi, EventSink sink) {
        this(jdbi, sink, Options.defaults());
    }

    /** A relay reading {@code event_outbox} through {@code jdbi} and delivering to {@code sink}, which it closes on {@link #close()}. */
    public OutboxRelay(Jdbi jdbi, EventSink sink, Options options) {
        this(jdbi, sink, options, Clock.systemUTC());
    }

    OutboxRelay(Jdbi jdbi, EventSink sink, Options options, Clock clock) {
        this.rows = new OutboxRows(Objects.requireNonNull(jdbi, "jdbi"));
        this.sink = Objects.requireNonNull(sink, "sink");
        this.options = Objects.requireNonNull(options, "options");
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        this.clock = clock;
        this.thread = Thread.ofPlatform().name("outbox-relay").daemon().unstarted(this::run);
    }

    /** Starts the background thread; returns this for chaining. */
    public OutboxRelay start() {
        thread.start();
        return this;
    }

    /** Asks the relay to look for new rows now, e.g. right after a transaction that appended events commits. */
    public void wake() {
        if (wakeSignal.availablePermits() == 0) {
            wakeSignal.release();
        }
    }

    /** Events published and marked delivered since start. */
    public long delivered() {
        return delivered.get();
    }

    /** Publish or database attempts that failed and will be retried. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Undelivered rows as last counted by the relay (updated every cycle, so a metrics scrape costs no query). */
    public long backlog() {
        return backlog.get();
    }

    /** Stops the thread (waiting for an in-flight publish up to 10 s), then closes the sink. */
    @Override
    public void close() {
        closing.countDown();
        wakeSignal.release();
        try {
            thread.join(Duration.ofSeconds(10));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(Duration.ofSeconds(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sink.close();
    }

    private boolean closing() {
        return closing.getCount() == 0;
    }

    private void run() {
        int failures = 0;
        while (!closing()) {
            try {
                boolean more = deliverBatch();
                failures = 0;
                purgeIfDue();
                if (!more) {
                    awaitWork();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failures++;
                failedAttempts.incrementAndGet();
                Duration delay = backoff.delay(failures);
                log.warn("outbox relay: delivery failed ({} in a row), retrying in {} ms: {}",
                        failures, delay.toMillis(), e.toString());
                try {
                    if (closing.await(delay.toMillis(), TimeUnit.MILLISECONDS)) {
                        return;
                    }
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /** Delivers one batch in order; returns whether a full batch was read (more may be waiting). Throws on the first failure. */
    private boolean deliverBatch() throws Exception {
        List<OutboxRows.Pending> batch = rows.nextBatch(options.batchSize());
        backlog.set(batch.size() < options.batchSize() ? batch.size() : rows.pendingCount());
        for (OutboxRows.Pending row : batch) {
            if (closing()) {
                return false;
            }
            try {
                sink.publish(row.event());
            } catch (Exception e) {
                recordFailure(row, e);
                throw e;
            }
            rows.markDelivered(row.seq(), clock.instant());
            delivered.incrementAndGet();
            backlog.updateAndGet(n -> Math.max(0, n - 1));
        }
        return batch.size() == options.batchSize();
    }

    private void recordFailure(OutboxRows.Pending row, Exception e) {
        try {
            rows.markFailed(row.seq(), String.valueOf(e));
        } catch (RuntimeException dbDown) {
            e.addSuppressed(dbDown);
        }
    }

    private void awaitWork() throws InterruptedException {
        wakeSignal.tryAcquire(options.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        wakeSignal.drainPermits();
    }

    private void purgeIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_EVERY);
        int purged = rows.purgeDeliveredBefore(now.minus(options.retention()));
        if (purged > 0) {
            log.info("outbox relay: deleted {} delivered events older than {}", purged, options.retention());
        }
    }
}

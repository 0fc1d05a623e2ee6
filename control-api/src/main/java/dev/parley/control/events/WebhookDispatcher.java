package dev.parley.control.events;

import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * POSTs each event's JSON envelope to every configured webhook target, signed with the target's secret.
 *
 * <p>{@link #publish} writes one row per target to {@code webhook_deliveries} and returns once they are
 * committed, so the relay marks the event delivered only when its webhook deliveries are on disk; a restart
 * (or a crash) resumes them. A background thread sends due rows (at most 16 requests in flight), so a slow or
 * broken receiver never holds up the relay or Kafka; a delivery is retried with capped exponential backoff
 * on a non-2xx answer, a timeout or a connection error, and abandoned with a log line after
 * {@code maxAttempts}. Deliveries to different targets and retries are independent, so receivers may see
 * events out of order and more than once: order by {@code occurredAt}, drop duplicates by
 * {@code X-Parley-Event-Id}. When {@code maxPending} deliveries wait, {@link #publish} throws and the relay
 * backs off, so the table stays bounded without dropping events.
 */
public final class WebhookDispatcher implements EventSink {
    /** Header carrying {@link Event#id()}. */
    public static final String EVENT_ID_HEADER = "X-Parley-Event-Id";
    /** Header carrying {@link Event#type()}. */
    public static final String EVENT_TYPE_HEADER = "X-Parley-Event-Type";

    /**
     * Retry and capacity settings.
     *
     * @param maxAttempts    attempts per delivery before it is abandoned
     * @param initialBackoff delay before the first retry, doubled per retry up to {@code maxBackoff}
     * @param requestTimeout how long one POST may take
     * @param maxPending     deliveries waiting (queued or in flight) at most
     */
    public record Options(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration requestTimeout,
                          int maxPending) {
        public Options {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
            }
            new Backoff(initialBackoff, maxBackoff);
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be positive, was " + requestTimeout);
            }
            if (maxPending < 1) {
                throw new IllegalArgumentException("maxPending must be at least 1, was " + maxPending);
            }
        }

        /** 6 attempts over about a minute (1 s doubling to 30 s), 10 s per request, 10 000 pending deliveries. */
        public static Options defaults() {
            return new Options(6, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), 10_000);
        }
    }

    private record Due(long id, String eventId, String eventType, String keyId, byte[] body, int attempts) {}

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int MAX_IN_FLIGHT = 16;
    private static final Duration IDLE_POLL = Duration.ofSeconds(1);
    /** A claimed row is left alone this long past the request timeout before another attempt may take it. */
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(5);
    private static final Duration DRAIN_ON_CLOSE = Duration.ofSeconds(5);
    private static final Duration RETENTION = Duration.ofDays(7);
    private static final Duration PURGE_EVERY = Duration.ofMinutes(10);

    private final Jdbi jdbi;
    private final Supplier<List<WebhookTarget>> targets;
    private final Options options;
    private final Backoff backoff;
    private final Clock clock;
    private final HttpClient http;
    private final Thread worker;
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Semaphore wakeSignal = new Semaphore(0);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private Instant nextPurge = Instant.MIN;

    /**
     * A dispatcher keeping its deliveries in {@code jdbi}'s {@code webhook_deliveries} table and reading the
     * current targets from {@code targets} when it queues and when it sends. Call {@link #start()} to send.
     */
    public WebhookDispatcher(Jdbi jdbi, Supplier<List<WebhookTarget>> targets, Options options) {
        this(jdbi, targets, options, Clock.systemUTC());
    }

    WebhookDispatcher(Jdbi jdbi, Supplier<List<WebhookTarget>> targets, Options options, Clock clock) {
        this.jdbi = Objects.requireNonNull(jdbi, "jdbi");
        this.targets = Objects.requireNonNull(targets, "targets");
        this.options = Objects.requireNonNull(options, "options");
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(options.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.worker = Thread.ofPlatform().name("webhook-delivery").daemon().unstarted(this::run);
    }

    /** Starts sending, beginning with what an earlier run left pending; returns this for chaining. */
    public WebhookDispatcher start() {
        worker.start();
        return this;
    }

    /**
     * Records one signed delivery per current target (an event already recorded for a target is not added
     * twice, so the relay's at-least-once retries do not multiply deliveries).
     *
     * @throws IllegalStateException when {@code maxPending} deliveries are already waiting
     */
    @Override
    public void publish(Event event) {
        Objects.requireNonNull(event, "event");
        List<WebhookTarget> current = List.copyOf(targets.get());
        if (current.isEmpty()) {
            return;
        }
        long waiting = pending();
        if (waiting + current.size() > options.maxPending()) {
            throw new IllegalStateException("webhook queue full (" + waiting + " deliveries pending, at most "
                    + options.maxPending() + "); event " + event.id() + " will be retried");
        }
        String body = new String(EventJson.envelope(event), StandardCharsets.UTF_8);
        OffsetDateTime now = ts(clock.instant());
        jdbi.useTransaction(h -> {
            for (WebhookTarget target : current) {
                h.createUpdate("""
                        INSERT INTO webhook_deliveries (event_id, event_type, api_key_id, body, state, created_at, next_attempt_at)
                        SELECT :event, :type, :key, :body, 'pending', :now, :now
                        WHERE NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE event_id = :event AND api_key_id = :key)""")
                        .bind("event", event.id().toString()).bind("type", event.type()).bind("key", target.keyId())
                        .bind("body", body).bind("now", now).execute();
            }
        });
        wake();
    }

    /** Deliveries accepted with a 2xx answer by this process. */
    public long delivered() {
        return delivered.get();
    }

    /** Attempts that failed (non-2xx, timeout, connection error), including those later retried. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Deliveries this process gave up after {@code maxAttempts}. */
    public long abandoned() {
        return abandoned.get();
    }

    /** Deliveries waiting to be made, in flight included (one query). */
    public int pending() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM webhook_deliveries WHERE state = 'pending'")
                .mapTo(Integer.class).one());
    }

    /**
     * Stops sending: waits up to 5 s for requests in flight to be answered and recorded; what is still pending
     * stays in the table and is sent after the next start.
     */
    @Override
    public void close() {
        closing.countDown();
        wakeSignal.release();
        try {
            if (worker.isAlive() || worker.getState() != Thread.State.NEW) {
                worker.join(DRAIN_ON_CLOSE);
            }
            if (inFlight.tryAcquire(MAX_IN_FLIGHT, DRAIN_ON_CLOSE.toMillis(), TimeUnit.MILLISECONDS)) {
                inFlight.release(MAX_IN_FLIGHT);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.shutdownNow();
        try {
            int left = pending();
            if (left > 0) {
                log.info("webhooks: {} deliveries pending; they are kept and resume at the next start", left);
            }
        } catch (RuntimeException dbGone) {
            log.debug("webhooks: could not count pending deliveries on close: {}", dbGone.toString());
        }
    }

    private void wake() {
        if (wakeSignal.availablePermits() == 0) {
            wakeSignal.release();
        }
    }

    private boolean closing() {
        return closing.getCount() == 0;
    }

    private void run() {
        int failures = 0;
        while (!closing()) {
            try {
                sendDue();
                purgeIfDue();
                failures = 0;
                awaitWork();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                failures++;
                Duration delay = backoff.delay(failures);
                log.warn("webhooks: reading deliveries failed ({} in a row), retrying in {} ms: {}",
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

    /** Claims and sends due deliveries while request slots are free. */
    private void sendDue() throws InterruptedException {
        while (!closing()) {
            int slots = inFlight.availablePermits();
            if (slots == 0) {
                return; // a completing request wakes the worker
            }
            Instant now = clock.instant();
            List<Due> due = jdbi.withHandle(h -> h.createQuery("""
                            SELECT id, event_id, event_type, api_key_id, body, attempts FROM webhook_deliveries
                            WHERE state = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at, id LIMIT :limit""")
                    .bind("now", ts(now)).bind("limit", slots)
                    .map((rs, ctx) -> new Due(rs.getLong("id"), rs.getString("event_id"), rs.getString("event_type"),
                            rs.getString("api_key_id"), rs.getString("body").getBytes(StandardCharsets.UTF_8),
                            rs.getInt("attempts")))
                    .list());
            if (due.isEmpty()) {
                return;
            }
            Map<String, WebhookTarget> byKey = new HashMap<>();
            for (WebhookTarget t : targets.get()) {
                byKey.put(t.keyId(), t);
            }
            for (Due d : due) {
                if (!claim(d, now)) {
                    continue; // another node (or an earlier pass) took it
                }
                WebhookTarget target = byKey.get(d.keyId());
                if (target == null) {
                    abandon(d, d.attempts() + 1, "API key " + d.keyId() + " was revoked or has no webhook URL any more");
                    continue;
                }
                inFlight.acquire();
                send(d, target);
            }
        }
    }

    /** Takes the row for one attempt: counts it and moves its next attempt past this one's lease. */
    private boolean claim(Due d, Instant now) {
        Instant lease = now.plus(options.requestTimeout()).plus(LEASE_MARGIN);
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt_at = :lease
                        WHERE id = :id AND state = 'pending' AND attempts = :attempts AND next_attempt_at <= :now""")
                .bind("lease", ts(lease)).bind("id", d.id()).bind("attempts", d.attempts()).bind("now", ts(now))
                .execute()) == 1;
    }

    private void send(Due d, WebhookTarget target) {
        int attempt = d.attempts() + 1;
        try {
            HttpRequest request = HttpRequest.newBuilder(target.url())
                    .timeout(options.requestTimeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Parley-Webhook/1")
                    .header(WebhookSignature.HEADER, WebhookSignature.sign(target.secret(), d.body()))
                    .header(EVENT_ID_HEADER, d.eventId())
                    .header(EVENT_TYPE_HEADER, d.eventType())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
                    .build();
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> completed(d, attempt, target.url(), response, error));
        } catch (RuntimeException e) {
            completed(d, attempt, target.url(), null, e);
        }
    }

    private void completed(Due d, int attempt, URI url, HttpResponse<Void> response, Throwable error) {
        try {
            if (error == null && response.statusCode() / 100 == 2) {
                finish(d.id(), "delivered", null);
                delivered.incrementAndGet();
                return;
            }
            failedAttempts.incrementAndGet();
            String why = error != null ? error.toString() : "HTTP " + response.statusCode();
            if (attempt >= options.maxAttempts()) {
                abandon(d, attempt, why);
                return;
            }
            Duration delay = backoff.delay(attempt);
            log.debug("webhook: attempt {} of event {} to {} failed ({}), retrying in {} ms",
                    attempt, d.eventId(), url, why, delay.toMillis());
            jdbi.useHandle(h -> h.createUpdate("""
                            UPDATE webhook_deliveries SET next_attempt_at = :next, last_error = :why
                            WHERE id = :id AND state = 'pending'""")
                    .bind("next", ts(clock.instant().plus(delay))).bind("why", truncate(why)).bind("id", d.id())
                    .execute());
        } catch (RuntimeException dbDown) {
            // The row keeps its lease and is retried when it ends, here or after a restart.
            log.warn("webhook: could not record the outcome of event {} for key {}: {}", d.eventId(), d.keyId(),
                    dbDown.toString());
        } finally {
            inFlight.release();
            wake();
        }
    }

    private void abandon(Due d, int attempts, String why) {
        finish(d.id(), "abandoned", why);
        abandoned.incrementAndGet();
        log.warn("webhook: giving up on event {} ({}) for key {} after {} attempts, last: {}",
                d.eventId(), d.eventType(), d.keyId(), attempts, why);
    }

    private void finish(long id, String state, String why) {
        jdbi.useHandle(h -> h.createUpdate("""
                        UPDATE webhook_deliveries SET state = :state, finished_at = :now, last_error = :why
                        WHERE id = :id AND state = 'pending'""")
                .bind("state", state).bind("now", ts(clock.instant())).bind("why", truncate(why)).bind("id", id)
                .execute());
    }

    /** Sleeps until the earliest pending delivery is due, a publish or completion wakes it, or a second passes. */
    private void awaitWork() throws InterruptedException {
        long waitMillis = IDLE_POLL.toMillis();
        if (inFlight.availablePermits() > 0) {
            OffsetDateTime next = jdbi.withHandle(h -> h.createQuery(
                            "SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE state = 'pending'")
                    .mapTo(OffsetDateTime.class).findOne().orElse(null));
            if (next != null) {
                waitMillis = Math.max(0, Math.min(waitMillis,
                        Duration.between(clock.instant(), next.toInstant()).toMillis()));
            }
        }
        if (waitMillis > 0) {
            wakeSignal.tryAcquire(waitMillis, TimeUnit.MILLISECONDS);
        }
        wakeSignal.drainPermits();
    }

    private void purgeIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(nextPurge)) {
            return;
        }
        nextPurge = now.plus(PURGE_EVERY);
        int purged = jdbi.withHandle(h -> h.createUpdate(
                        "DELETE FROM webhook_deliveries WHERE state <> 'pending' AND finished_at < :before")
                .bind("before", ts(now.minus(RETENTION))).execute());
        if (purged > 0) {
            log.info("webhooks: deleted {} finished deliveries older than {}", purged, RETENTION);
        }
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
    }

    private static OffsetDateTime ts(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}

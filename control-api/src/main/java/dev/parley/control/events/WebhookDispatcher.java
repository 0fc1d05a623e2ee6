package dev.parley.control.events;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * POSTs each event's JSON envelope to every configured webhook target, signed with the target's secret.
 *
 * <p>{@link #publish} only queues the deliveries, so a slow or broken receiver never holds up the relay or
 * Kafka; each delivery is then retried with capped exponential backoff on a non-2xx answer, a timeout or a
 * connection error, and abandoned with a log line after {@code maxAttempts}. Deliveries to different targets
 * and retries are independent, so receivers may see events out of order and more than once: order by
 * {@code occurredAt}, drop duplicates by {@code X-Parley-Event-Id}. Queued deliveries live in memory: a
 * process that stops drops them (webhooks are best effort; Kafka is the lossless path). When the queue is
 * full, {@link #publish} throws and the relay backs off, so memory stays bounded without dropping events.
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
     * @param maxPending     deliveries queued or in flight at most
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

    private record Delivery(WebhookTarget target, Event event, byte[] body, int attempt) {
        Delivery next() {
            return new Delivery(target, event, body, attempt + 1);
        }
    }

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final Supplier<List<WebhookTarget>> targets;
    private final Options options;
    private final Backoff backoff;
    private final HttpClient http;
    private final ScheduledExecutorService retries;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();

    /** A dispatcher reading the current targets from {@code targets} at every event. */
    public WebhookDispatcher(Supplier<List<WebhookTarget>> targets, Options options) {
        this.targets = Objects.requireNonNull(targets, "targets");
        this.options = Objects.requireNonNull(options, "options");
        this.backoff = new Backoff(options.initialBackoff(), options.maxBackoff());
        this.retries = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("webhook-retry").daemon().factory());
        this.http = HttpClient.newBuilder()
                .connectTimeout(options.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Queues one signed delivery per current target; throws IllegalStateException when the queue is full. */
    @Override
    public void publish(Event event) {
        Objects.requireNonNull(event, "event");
        List<WebhookTarget> current = List.copyOf(targets.get());
        if (current.isEmpty()) {
            return;
        }
        int after = pending.addAndGet(current.size());
        if (after > options.maxPending()) {
            pending.addAndGet(-current.size());
            throw new IllegalStateException("webhook queue full (" + options.maxPending()
                    + " deliveries pending); event " + event.id() + " will be retried");
        }
        byte[] body = EventJson.envelope(event);
        for (WebhookTarget target : current) {
            send(new Delivery(target, event, body, 1));
        }
    }

    /** Deliveries accepted with a 2xx answer. */
    public long delivered() {
        return delivered.get();
    }

    /** Attempts that failed (non-2xx, timeout, connection error), including those later retried. */
    public long failedAttempts() {
        return failedAttempts.get();
    }

    /** Deliveries given up after {@code maxAttempts}. */
    public long abandoned() {
        return abandoned.get();
    }

    /** Deliveries queued or in flight. */
    public int pending() {
        return pending.get();
    }

    /** Stops retrying; deliveries still pending are dropped (and counted in the log line). */
    @Override
    public void close() {
        retries.shutdownNow();
        http.shutdownNow();
        int dropped = pending.get();
        if (dropped > 0) {
            log.warn("webhooks: closing with {} deliveries pending; they are dropped", dropped);
        }
    }

    private void send(Delivery d) {
        HttpRequest request = HttpRequest.newBuilder(d.target().url())
                .timeout(options.requestTimeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "Parley-Webhook/1")
                .header(WebhookSignature.HEADER, WebhookSignature.sign(d.target().secret(), d.body()))
                .header(EVENT_ID_HEADER, d.event().id().toString())
                .header(EVENT_TYPE_HEADER, d.event().type())
                .POST(HttpRequest.BodyPublishers.ofByteArray(d.body()))
                .build();
        try {
            http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, error) -> completed(d, response, error));
        } catch (RuntimeException e) {
            completed(d, null, e);
        }
    }

    private void completed(Delivery d, HttpResponse<Void> response, Throwable error) {
        if (error == null && response.statusCode() / 100 == 2) {
            delivered.incrementAndGet();
            pending.decrementAndGet();
            return;
        }
        failedAttempts.incrementAndGet();
        String why = error != null ? error.toString() : "HTTP " + response.statusCode();
        if (d.attempt() >= options.maxAttempts()) {
            abandoned.incrementAndGet();
            pending.decrementAndGet();
            log.warn("webhook: giving up on event {} ({}) for key {} at {} after {} attempts, last: {}",
                    d.event().id(), d.event().type(), d.target().keyId(), d.target().url(), d.attempt(), why);
            return;
        }
        long delay = backoff.delay(d.attempt()).toMillis();
        log.debug("webhook: attempt {} of event {} to {} failed ({}), retrying in {} ms",
                d.attempt(), d.event().id(), d.target().url(), why, delay);
        try {
            retries.schedule(() -> send(d.next()), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            pending.decrementAndGet();
        }
    }
}

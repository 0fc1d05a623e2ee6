package dev.parley.control.events;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Publishes events to Kafka, one topic per event category: {@code <prefix><category>.events}, so with the
 * default empty prefix {@code meeting.created} goes to {@code meeting.events} (see docs/events.md).
 *
 * <p>The record key is the event subject (events about one meeting share a partition and stay in order), the
 * value is the JSON envelope {@code {id,type,version,occurredAt,subject,data}}, and the headers
 * {@code parley-event-id} and {@code parley-event-type} let consumers route and drop duplicates without parsing.
 * The producer waits for all in-sync replicas ({@code acks=all}) with idempotence on, and {@link #publish}
 * blocks until the broker acknowledged the record or the delivery timeout passed.
 */
public final class KafkaEventSink implements EventSink {
    /** Header carrying {@link Event#id()} as text. */
    public static final String ID_HEADER = "parley-event-id";
    /** Header carrying {@link Event#type()}. */
    public static final String TYPE_HEADER = "parley-event-type";
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._-]{0,100}");

    private final Producer<String, byte[]> producer;
    private final String topicPrefix;
    private final Duration deliveryTimeout;

    /**
     * A sink on {@code bootstrapServers} ({@code host:port,...}).
     *
     * @param topicPrefix     prepended to every topic name, e.g. {@code "prod."}; may be empty
     * @param deliveryTimeout how long one publish may take, including waiting for a broker that is down
     * @param overrides       further producer settings (TLS, SASL, client.id); cannot weaken acks or idempotence
     */
    public KafkaEventSink(String bootstrapServers, String topicPrefix, Duration deliveryTimeout,
                          Map<String, Object> overrides) {
        this.topicPrefix = Objects.requireNonNull(topicPrefix, "topicPrefix");
        this.deliveryTimeout = Objects.requireNonNull(deliveryTimeout, "deliveryTimeout");
        if (!PREFIX.matcher(topicPrefix).matches()) {
            throw new IllegalArgumentException("Kafka topic prefix may hold only letters, digits, '.', '_' and '-'"
                    + " (at most 100), was '" + topicPrefix + "'");
        }
        if (deliveryTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("Kafka delivery timeout must be at least 1 s, was " + deliveryTimeout);
        }
        this.producer = new KafkaProducer<>(config(bootstrapServers, deliveryTimeout, overrides),
                new StringSerializer(), new ByteArraySerializer());
    }

    /** A sink with default producer settings. */
    public KafkaEventSink(String bootstrapServers, String topicPrefix, Duration deliveryTimeout) {
        this(bootstrapServers, topicPrefix, deliveryTimeout, Map.of());
    }

    static Map<String, Object> config(String bootstrapServers, Duration deliveryTimeout, Map<String, Object> overrides) {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) {
            throw new IllegalArgumentException("Kafka bootstrap servers must be set (host:port[,host:port...])");
        }
        long total = deliveryTimeout.toMillis();
        Map<String, Object> config = new HashMap<>(overrides);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0);
        // delivery.timeout.ms must cover linger + one request; give a request half the budget.
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, total / 2));
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) total);
        // send() waits this long for metadata when no broker answers; bounded by the same budget.
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, total);
        config.putIfAbsent(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return config;
    }

    /** The topic {@code event} goes to. */
    public String topicFor(Event event) {
        return topicPrefix + event.category() + ".events";
    }

    @Override
    public void publish(Event event) throws Exception {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topicFor(event), event.subject(),
                EventJson.envelope(event));
        record.headers().add(ID_HEADER, event.id().toString().getBytes(StandardCharsets.UTF_8));
        record.headers().add(TYPE_HEADER, event.type().getBytes(StandardCharsets.UTF_8));
        try {
            // The producer fails the future after delivery.timeout.ms; the extra second only covers clock slack.
            producer.send(record).get(deliveryTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}

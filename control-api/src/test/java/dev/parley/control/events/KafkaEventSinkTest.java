package dev.parley.control.events;

import dev.parley.testkit.Eventually;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outbox relay publishing to a real Kafka broker, including across a broker outage. */
class KafkaEventSinkTest {
    private static EmbeddedKafka kafka;
    private TestDatabase db;
    private Jdbi jdbi;
    private OutboxRelay relay;

    @BeforeAll
    static void startBroker() throws Exception {
        kafka = EmbeddedKafka.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        kafka.close();
    }

    @BeforeEach
    void setUp() {
        db = TestDatabase.h2();
        jdbi = db.jdbi();
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        db.close();
    }

    private JdbcEventOutbox startRelay(String topicPrefix) {
        KafkaEventSink sink = new KafkaEventSink(kafka.bootstrapServers(), topicPrefix, Duration.ofSeconds(2));
        relay = new OutboxRelay(jdbi, sink, new OutboxRelay.Options(Duration.ofSeconds(30), 50,
                Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofDays(1))).start();
        return new JdbcEventOutbox(relay::wake);
    }

    private Event append(JdbcEventOutbox outbox, String type, String subject, Map<String, Object> data) {
        Event e = new Event(UUID.randomUUID(), type, 1, Instant.now().truncatedTo(ChronoUnit.MICROS), subject, data);
        jdbi.useTransaction(h -> outbox.append(h, e));
        return e;
    }

    @Test
    void eventsReachTheirCategoryTopicWithKeyEnvelopeAndHeaders() {
        JdbcEventOutbox outbox = startRelay("t1.");
        Event created = append(outbox, "meeting.created", "m-42", Map.of("title", "Planning", "hostId", "u-7"));
        Event joined = append(outbox, "participant.joined", "room-a", Map.of("participantId", "p-1"));
        Eventually.await(Duration.ofSeconds(20), "both events acknowledged by the broker", () -> relay.delivered() == 2);

        List<ConsumerRecord<String, byte[]>> meeting = consume("t1.meeting.events", 1);
        List<ConsumerRecord<String, byte[]>> participant = consume("t1.participant.events", 1);

        ConsumerRecord<String, byte[]> record = meeting.get(0);
        assertEquals("m-42", record.key());
        assertEquals(created, EventJson.parseEnvelope(record.value()));
        assertEquals(created.id().toString(), header(record, KafkaEventSink.ID_HEADER));
        assertEquals("meeting.created", header(record, KafkaEventSink.TYPE_HEADER));
        String json = new String(record.value(), StandardCharsets.UTF_8);
        assertTrue(json.startsWith("{\"id\":\"" + created.id() + "\",\"type\":\"meeting.created\",\"version\":1,"),
                json);
        assertEquals(joined, EventJson.parseEnvelope(participant.get(0).value()));
        assertEquals("room-a", participant.get(0).key());
    }

    @Test
    void eventsAppendedDuringABrokerOutageAreAllDeliveredAfterItReturns() {
        JdbcEventOutbox outbox = startRelay("t2.");
        Set<String> appended = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            appended.add(append(outbox, "meeting.updated", "m-" + (i % 3), Map.of("n", i)).id().toString());
        }
        Eventually.await(Duration.ofSeconds(20), "first events delivered", () -> relay.delivered() == 5);

        kafka.stop();
        for (int i = 5; i < 25; i++) {
            appended.add(append(outbox, "meeting.updated", "m-" + (i % 3), Map.of("n", i)).id().toString());
        }
        Eventually.await(Duration.ofSeconds(20), "the relay noticing the outage", () -> relay.failedAttempts() > 0);
        assertTrue(relay.backlog() > 0, "events wait in the outbox while the broker is down");
        kafka.restart();

        Eventually.await(Duration.ofSeconds(40), "backlog drained after the broker returned",
                () -> relay.backlog() == 0 && relay.delivered() >= 25);
        List<ConsumerRecord<String, byte[]>> records = consume("t2.meeting.events", 25);
        Set<String> received = new HashSet<>();
        for (ConsumerRecord<String, byte[]> r : records) {
            String id = header(r, KafkaEventSink.ID_HEADER);
            assertEquals(id, EventJson.parseEnvelope(r.value()).id().toString());
            received.add(id);
        }
        assertEquals(appended, received, "every appended event is in Kafka (duplicates collapse by id)");
    }

    @Test
    void badConfigurationIsRejectedUpFront() {
        assertThrows(IllegalArgumentException.class,
                () -> new KafkaEventSink(" ", "", Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class,
                () -> new KafkaEventSink(kafka.bootstrapServers(), "bad prefix/", Duration.ofSeconds(5)));
        assertThrows(IllegalArgumentException.class,
                () -> new KafkaEventSink(kafka.bootstrapServers(), "", Duration.ofMillis(10)));
    }

    private static String header(ConsumerRecord<String, byte[]> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Reads {@code topic} from the beginning until at least {@code atLeast} records arrived (no group needed). */
    private static List<ConsumerRecord<String, byte[]>> consume(String topic, int atLeast) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (records.size() < atLeast && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
            // Records that arrive just after the expected count would be duplicates; one more poll catches them.
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        assertTrue(records.size() >= atLeast, "expected " + atLeast + " records on " + topic + ", got " + records.size());
        return records;
    }
}

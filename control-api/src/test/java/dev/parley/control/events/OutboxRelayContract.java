package dev.parley.control.events;

import dev.parley.testkit.Eventually;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the outbox and its relay promise, run against each database (H2 and PostgreSQL subclasses). */
abstract class OutboxRelayContract {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Long enough that only wake() (run after commit) or a retry can explain a prompt delivery. */
    private static final OutboxRelay.Options PROMPT = new OutboxRelay.Options(
            Duration.ofMinutes(5), 10, Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofDays(1));

    private TestDatabase db;
    private Jdbi jdbi;
    private OutboxRelay relay;

    abstract TestDatabase open();

    @BeforeEach
    void setUp() {
        db = open();
        jdbi = db.jdbi();
    }

    @AfterEach
    void tearDown() {
        if (relay != null) {
            relay.close();
        }
        db.close();
    }

    private JdbcEventOutbox startRelay(EventSink sink) {
        relay = new OutboxRelay(jdbi, sink, PROMPT).start();
        return new JdbcEventOutbox(relay::wake);
    }

    private int rowCount() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM event_outbox").mapTo(Integer.class).one());
    }

    /** Databases keep microseconds, so the test's timestamps start at that precision. */
    private static Event event(String subject, int n) {
        return new Event(UUID.randomUUID(), "meeting.updated", 1, Instant.now().truncatedTo(ChronoUnit.MICROS),
                subject, Map.of("n", n, "title", "Weekly sync"));
    }

    @Test
    void rolledBackAppendLeavesNoEventAndCommittedOneIsDeliveredOnce() {
        List<Event> received = new CopyOnWriteArrayList<>();
        InProcessEventBus bus = new InProcessEventBus();
        bus.subscribe(received::add);
        JdbcEventOutbox outbox = startRelay(bus);

        Event lost = event("m-1", 1);
        assertThrows(IllegalStateException.class, () -> jdbi.useTransaction(h -> {
            outbox.append(h, lost);
            throw new IllegalStateException("the change failed");
        }));
        Event kept = event("m-1", 2);
        jdbi.useTransaction(h -> outbox.append(h, kept));

        Eventually.await(WAIT, "the committed event delivered", () -> relay.delivered() == 1);
        Eventually.await(WAIT, "backlog drained", () -> relay.backlog() == 0);
        assertEquals(List.of(kept), received, "only the committed event, exactly once, with its data intact");
        assertEquals(1, rowCount(), "the rolled-back append left no row");
        String deliveredAt = jdbi.withHandle(h -> h.createQuery(
                "SELECT delivered_at FROM event_outbox WHERE id = :id").bind("id", kept.id().toString())
                .mapTo(String.class).one());
        assertTrue(deliveredAt != null, "the row is marked delivered");
    }

    @Test
    void appendOutsideATransactionIsRefusedAndWritesNothing() {
        JdbcEventOutbox outbox = new JdbcEventOutbox();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> jdbi.useHandle(h -> outbox.append(h, event("m-1", 1))));
        assertTrue(e.getMessage().contains("transaction"), e.getMessage());
        assertEquals(0, rowCount());
    }

    @Test
    void invalidEventsAreRejectedWithAClearMessage() {
        JdbcEventOutbox outbox = new JdbcEventOutbox();
        Event badType = Event.of("Meeting Created!", "m-1", Map.of());
        Event blankSubject = Event.of("meeting.created", " ", Map.of());
        Event unserialisable = Event.of("meeting.created", "m-1", Map.of("thread", new Object()));
        for (Event bad : List.of(badType, blankSubject, unserialisable)) {
            assertThrows(IllegalArgumentException.class, () -> jdbi.useTransaction(h -> outbox.append(h, bad)),
                    () -> "should reject " + bad);
        }
        assertEquals(0, rowCount());
    }

    @Test
    void failingSinkIsRetriedWithBackoffWithoutSkippingOrReordering() {
        AtomicInteger calls = new AtomicInteger();
        List<UUID> received = new CopyOnWriteArrayList<>();
        EventSink flaky = event -> {
            if (calls.incrementAndGet() <= 3) {
                throw new IllegalStateException("broker unavailable");
            }
            received.add(event.id());
        };
        JdbcEventOutbox outbox = startRelay(flaky);
        List<UUID> appended = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Event e = event("m-order", i);
            appended.add(e.id());
            jdbi.useTransaction(h -> outbox.append(h, e));
        }

        Eventually.await(WAIT, "all five delivered", () -> received.size() >= 5);
        assertEquals(appended, received, "same events, same order, none skipped");
        assertEquals(3, relay.failedAttempts());
        int attemptsOnFirst = jdbi.withHandle(h -> h.createQuery(
                "SELECT attempts FROM event_outbox WHERE id = :id").bind("id", appended.get(0).toString())
                .mapTo(Integer.class).one());
        assertEquals(4, attemptsOnFirst, "three failures and the success are recorded on the first row");
    }

    @Test
    void backlogCountsUndeliveredRowsWhileTheSinkIsDown() {
        EventSink down = event -> {
            throw new IllegalStateException("down");
        };
        JdbcEventOutbox outbox = startRelay(down);
        for (int i = 0; i < 3; i++) {
            Event e = event("m-backlog", i);
            jdbi.useTransaction(h -> outbox.append(h, e));
        }
        Eventually.await(WAIT, "backlog of 3", () -> relay.backlog() == 3);
        assertEquals(0, relay.delivered());
        Eventually.await(WAIT, "retries counted", () -> relay.failedAttempts() >= 2);
        String lastError = jdbi.withHandle(h -> h.createQuery(
                "SELECT last_error FROM event_outbox ORDER BY seq LIMIT 1").mapTo(String.class).one());
        assertTrue(lastError.contains("down"), lastError);
    }

    @Test
    void concurrentWritersAreAllDeliveredInOrderPerSubject() throws Exception {
        List<Event> received = new CopyOnWriteArrayList<>();
        JdbcEventOutbox outbox = startRelay(received::add);
        int writers = 4;
        int perWriter = 40;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<List<UUID>>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String subject = "m-writer-" + w;
            futures.add(pool.submit(() -> {
                List<UUID> ids = new ArrayList<>();
                for (int i = 0; i < perWriter; i++) {
                    Event e = event(subject, i);
                    jdbi.useTransaction(h -> outbox.append(h, e));
                    ids.add(e.id());
                }
                return ids;
            }));
        }
        List<List<UUID>> appended = new ArrayList<>();
        for (Future<List<UUID>> f : futures) {
            appended.add(f.get());
        }
        pool.shutdown();
        // 160 commits of delivery: a loaded machine's fsyncs make this the slowest wait of the contract.
        Eventually.await(WAIT.multipliedBy(4), "all delivered", () -> received.size() >= writers * perWriter);
        assertEquals(writers * perWriter, received.size(), "no duplicates without failures");
        for (int w = 0; w < writers; w++) {
            String subject = "m-writer-" + w;
            List<UUID> order = received.stream().filter(e -> e.subject().equals(subject)).map(Event::id).toList();
            assertEquals(appended.get(w), order, "order of " + subject);
        }
    }

    @Test
    void purgeDeletesOnlyDeliveredRowsOlderThanTheCutoff() {
        JdbcEventOutbox outbox = new JdbcEventOutbox();
        for (int i = 0; i < 3; i++) {
            Event e = event("m-purge", i);
            jdbi.useTransaction(h -> outbox.append(h, e));
        }
        OutboxRows rows = new OutboxRows(jdbi);
        List<OutboxRows.Pending> pending = rows.nextBatch(10);
        Instant now = Instant.now();
        rows.markDelivered(pending.get(0).seq(), now.minus(Duration.ofDays(8)));
        rows.markDelivered(pending.get(1).seq(), now);
        assertEquals(1, rows.purgeDeliveredBefore(now.minus(Duration.ofDays(7))));
        assertEquals(2, rowCount());
        assertEquals(1, rows.pendingCount());
        assertEquals(List.of(pending.get(2).seq()),
                Collections.unmodifiableList(rows.nextBatch(10).stream().map(OutboxRows.Pending::seq).toList()));
    }
}

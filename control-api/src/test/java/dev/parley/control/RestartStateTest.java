package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the control plane keeps in its database for the next process: token revocations and presence, checked
 * by opening new instances over the same database (an H2 file, or a fresh PostgreSQL schema), as a restart does.
 */
class RestartStateTest {
    private final MemoryState.MutableClock clock = new MemoryState.MutableClock(Instant.parse("2030-01-01T09:00:00Z"));
    private TestDatabases.TestDb testDb;
    private Path dataDir;
    private Database db;

    private Database open(String backend) {
        testDb = TestDatabases.create(backend);
        dataDir = TestDatabases.tempDir("parley-restart-" + backend);
        db = Database.open(new ControlConfig(dataDir, testDb.url(), testDb.user(), null, null, false,
                "http://localhost:8080", List.of(), List.of(), null, Duration.ofHours(1), ControlConfig.DEFAULT_MAX_BODY_BYTES));
        TableOutbox.createTable(db.jdbi);
        return db;
    }

    @AfterEach
    void drop() {
        if (db != null) {
            db.close();
        }
        if (testDb != null) {
            testDb.drop().run();
        }
        if (dataDir != null) {
            ApiFixture.deleteTree(dataDir);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aRevocationOutlivesItsCacheAndEndsWithTheToken(String backend) {
        open(backend);
        StoredRevocations before = new StoredRevocations(db.jdbi, new MemoryState.Revocations(), clock);
        before.revoke("jti-logged-out", clock.instant().plus(Duration.ofMinutes(15)));
        before.revoke("jti-logged-out", clock.instant().plus(Duration.ofMinutes(15))); // twice is harmless
        before.revoke("jti-already-expired", clock.instant().minusSeconds(1));

        // A new process: its cache (memory, or a Redis that lost its data) knows nothing.
        StoredRevocations after = new StoredRevocations(db.jdbi, new MemoryState.Revocations(), clock);
        assertTrue(after.isRevoked("jti-logged-out"));
        assertFalse(after.isRevoked("jti-other"));
        assertFalse(after.isRevoked("jti-already-expired"), "an expired token needs no revocation row");

        clock.advance(Duration.ofMinutes(16));
        assertFalse(after.isRevoked("jti-logged-out"), "forgotten once the token expired anyway");
        assertEquals(1, after.purgeExpired());
        assertEquals(0L, revocationRows());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void badTokenIdsAreRefusedAndWriteNothing(String backend) {
        open(backend);
        StoredRevocations store = new StoredRevocations(db.jdbi, new MemoryState.Revocations(), clock);
        Instant exp = clock.instant().plusSeconds(60);
        assertThrows(NullPointerException.class, () -> store.revoke(null, exp));
        assertThrows(IllegalArgumentException.class, () -> store.revoke(" ", exp));
        assertThrows(IllegalArgumentException.class, () -> store.revoke("x".repeat(513), exp));
        assertThrows(NullPointerException.class, () -> store.revoke("jti", null));
        assertThrows(IllegalArgumentException.class, () -> store.isRevoked(""));
        assertEquals(0L, revocationRows());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"h2", "postgres"})
    void aNodeClosesOnlyThePresenceItLeftOpen(String backend) {
        open(backend);
        TableOutbox outbox = new TableOutbox();
        Meeting meeting = new Meeting(UUID.randomUUID().toString(), "daily-sync", "Daily", null, null, null,
                new Meeting.Settings(true, null, false, true, 100, false), Meeting.Status.SCHEDULED,
                clock.instant(), clock.instant(), null);
        db.jdbi.useHandle(h -> MeetingStore.insert(h, meeting));
        MemoryState.Live live = new MemoryState.Live();
        ParticipantHistory nodeA = new ParticipantHistory(db.jdbi, clock, outbox, live, "node-a");
        ParticipantHistory nodeB = new ParticipantHistory(db.jdbi, clock, outbox, live, "node-b");
        nodeA.joined("daily-sync", "p-1", "user-1", "Ada");
        nodeA.joined("daily-sync", "p-2", "user-2", "Grace");
        nodeB.joined("daily-sync", "p-3", "user-3", "Linus");
        assertEquals("live", status(meeting.id()));

        // Node A crashed and starts again (a new instance with the same node id): it closes its own two rows.
        clock.advance(Duration.ofMinutes(5));
        ParticipantHistory restartedA = new ParticipantHistory(db.jdbi, clock, outbox, new MemoryState.Live(), "node-a");
        assertEquals(2, restartedA.closeOpen());
        assertNotNull(leftAt("p-1"));
        assertNotNull(leftAt("p-2"));
        assertNull(leftAt("p-3"), "node B's participant is still there");
        assertEquals("live", status(meeting.id()), "someone is still in the meeting");
        assertEquals(0, restartedA.closeOpen(), "closing again finds nothing");

        assertEquals(1, nodeB.closeOpen());
        assertEquals("scheduled", status(meeting.id()), "nobody left: the meeting is no longer live");
        List<TableOutbox.Row> events = TableOutbox.all(db.jdbi);
        assertEquals(3, events.stream().filter(e -> e.type().equals("participant.left")).count());
        TableOutbox.Row last = events.get(events.size() - 1);
        assertEquals("meeting.updated", last.type());
        assertEquals("scheduled", last.data().path("status").asText());
        TableOutbox.Row left = events.stream().filter(e -> e.type().equals("participant.left")).findFirst().orElseThrow();
        assertEquals(300, left.data().path("durationSeconds").asLong(), "leftAt is when the node closed it");
    }

    private long revocationRows() {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM revoked_tokens").mapTo(Long.class).one());
    }

    private String status(String meetingId) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT status FROM meetings WHERE id = :id")
                .bind("id", meetingId).mapTo(String.class).one());
    }

    private Instant leftAt(String participantId) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT left_at FROM participant_sessions WHERE participant_id = :p")
                .bind("p", participantId).map((rs, ctx) -> Database.instant(rs, "left_at")).one());
    }
}

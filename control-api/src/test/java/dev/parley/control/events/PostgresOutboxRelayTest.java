package dev.parley.control.events;

/** The outbox contract on PostgreSQL at 127.0.0.1:5432, in a fresh schema dropped afterwards. */
class PostgresOutboxRelayTest extends OutboxRelayContract {
    @Override
    TestDatabase open() {
        return TestDatabase.postgres();
    }
}

package dev.parley.control.events;

/** The outbox contract on the embedded database (H2 in PostgreSQL mode). */
class H2OutboxRelayTest extends OutboxRelayContract {
    @Override
    TestDatabase open() {
        return TestDatabase.h2();
    }
}

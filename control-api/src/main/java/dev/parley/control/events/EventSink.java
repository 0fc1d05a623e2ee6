package dev.parley.control.events;

/** Where the outbox relay delivers events: Kafka when configured, the in-process bus otherwise. */
public interface EventSink extends AutoCloseable {
    /** Delivers one event; returns only once the sink has durably accepted it, throws otherwise. */
    void publish(Event event) throws Exception;

    @Override
    default void close() {}
}

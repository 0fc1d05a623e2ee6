package dev.parley.control.events;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The sink for a single-process deployment without Kafka: the relay's thread calls every subscriber in turn.
 *
 * <p>A subscriber that throws makes {@link #publish} throw after all subscribers have run, so the relay
 * retries the event and every subscriber sees it again: subscribers must tolerate duplicates (by
 * {@link Event#id()}), as Kafka consumers do. Subscribers should be quick; slow work belongs on their own executor.
 */
public final class InProcessEventBus implements EventSink {
    private final List<Consumer<Event>> subscribers = new CopyOnWriteArrayList<>();

    /** Registers {@code subscriber}; closing the returned handle unsubscribes it. */
    public AutoCloseable subscribe(Consumer<Event> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber");
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    @Override
    public void publish(Event event) {
        Objects.requireNonNull(event, "event");
        RuntimeException failure = null;
        for (Consumer<Event> subscriber : subscribers) {
            try {
                subscriber.accept(event);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = new IllegalStateException("a subscriber failed on event " + event.id()
                            + " (" + event.type() + ")", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}

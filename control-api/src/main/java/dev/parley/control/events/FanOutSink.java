package dev.parley.control.events;

import java.util.List;
import java.util.Objects;

/**
 * Publishes each event to several sinks in the given order, e.g. Kafka first, then webhooks. If one throws,
 * the publish fails and the relay retries it on all of them, so earlier sinks may see the event twice
 * (consumers drop duplicates by id); put the sink that most often fails first.
 */
public final class FanOutSink implements EventSink {
    private final List<EventSink> sinks;

    /** Publishes to {@code sinks} in list order; at least one is required. */
    public FanOutSink(List<EventSink> sinks) {
        this.sinks = List.copyOf(sinks);
        if (this.sinks.isEmpty()) {
            throw new IllegalArgumentException("a fan-out needs at least one sink");
        }
    }

    @Override
    public void publish(Event event) throws Exception {
        Objects.requireNonNull(event, "event");
        for (EventSink sink : sinks) {
            sink.publish(event);
        }
    }

    /** Closes every sink, even when one fails to close. */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (EventSink sink : sinks) {
            try {
                sink.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
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

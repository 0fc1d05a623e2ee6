package dev.parley.control.events;

import org.jdbi.v3.core.Handle;

/**
 * Records events in the same database transaction as the change they describe, so an event exists
 * exactly when its change committed; a relay delivers them later, surviving broker outages.
 */
public interface EventOutbox {
    /** Appends {@code event} using {@code handle}'s current transaction. */
    void append(Handle handle, Event event);
}

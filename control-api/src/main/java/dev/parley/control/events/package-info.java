/** Domain events: the transactional outbox, its relay, and the sinks it delivers to (Kafka, in-process bus). */
package dev.parley.control.events;

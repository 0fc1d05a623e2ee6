package dev.parley.signaling;

import java.util.ArrayDeque;

/**
 * Messages a client sent after {@code join} while the join was still on its way (clients pipeline): they wait
 * here and are handled in order once it completes. Thread-safe: messages arrive on Jetty's thread, the join
 * completes on the room's.
 */
final class JoinBacklog {
    /** More pipelined messages than this before {@code joined} is not a client, it is a flood. */
    static final int MAX_WAITING = 64;

    enum Outcome { QUEUED, FULL, HANDLE_NOW }

    private final ArrayDeque<ClientMessage> waiting = new ArrayDeque<>();
    private boolean joining;

    /** A join is on its way: messages queue from now on. */
    synchronized void joinStarted() {
        joining = true;
    }

    /** Queues the message while a join is on its way; otherwise says to handle it now. */
    synchronized Outcome offer(ClientMessage message) {
        if (!joining) {
            return Outcome.HANDLE_NOW;
        }
        if (waiting.size() >= MAX_WAITING) {
            return Outcome.FULL;
        }
        waiting.add(message);
        return Outcome.QUEUED;
    }

    /**
     * The next waiting message; null when none is left, and from then on messages are handled as they come.
     * Emptiness and the switch are one step, so no message can slip in between and overtake the queue.
     */
    synchronized ClientMessage nextOrFinish() {
        ClientMessage next = waiting.poll();
        if (next == null) {
            joining = false;
        }
        return next;
    }
}

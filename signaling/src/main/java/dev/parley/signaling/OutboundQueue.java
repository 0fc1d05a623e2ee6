package dev.parley.signaling;

import java.util.ArrayDeque;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * Sends text frames one after another: a WebSocket session takes one outgoing message at a time, and
 * messages come from several threads (room control, Jetty). A client that stops reading is cut off
 * rather than let its queue grow without bound.
 */
final class OutboundQueue {
    static final int MAX_QUEUED = 1024;

    private final Session session;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private boolean sending;
    private boolean closeAfterDrain;
    private int closeCode = 1000;
    private String closeReason = "bye";

    OutboundQueue(Session session) {
        this.session = session;
    }

    void send(String text) {
        synchronized (queue) {
            if (queue.size() >= MAX_QUEUED) {
                session.close(1008, "client is not reading its messages", Callback.NOOP);
                return;
            }
            queue.add(text);
            if (sending) {
                return;
            }
            sending = true;
        }
        sendNext();
    }

    /** Closes the session once everything queued so far has been sent. */
    void closeWhenDrained() {
        closeWhenDrained(1000, "bye");
    }

    /** Closes the session with this status once everything queued so far has been sent. */
    void closeWhenDrained(int code, String reason) {
        synchronized (queue) {
            closeAfterDrain = true;
            closeCode = code;
            closeReason = reason;
            if (sending) {
                return;
            }
        }
        session.close(code, reason, Callback.NOOP);
    }

    private void sendNext() {
        String next;
        synchronized (queue) {
            next = queue.poll();
            if (next == null) {
                sending = false;
                if (closeAfterDrain) {
                    session.close(closeCode, closeReason, Callback.NOOP);
                }
                return;
            }
        }
        // The callback may run inline; the recursion that makes is bounded by MAX_QUEUED.
        session.sendText(next, Callback.from(this::sendNext, failure -> session.close(1011, "send failed", Callback.NOOP)));
    }
}

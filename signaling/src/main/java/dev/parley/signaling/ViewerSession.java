package dev.parley.signaling;

import dev.parley.sfu.Viewer;
import java.util.concurrent.atomic.AtomicBoolean;

/** A WHEP session: a viewer of a room's speaker, created by an HTTP POST and ended by DELETE or the server. */
final class ViewerSession {
    final String id;
    final String room;
    final JoinPermit permit;
    final String etag;
    final String address;
    volatile Viewer viewer;
    private final AtomicBoolean ended = new AtomicBoolean();

    ViewerSession(String id, String room, JoinPermit permit, String etag, String address) {
        this.id = id;
        this.room = room;
        this.permit = permit;
        this.etag = etag;
        this.address = address;
    }

    boolean ended() {
        return ended.get();
    }

    /** Marks the session ended; true the first time only. */
    boolean markEnded() {
        return ended.compareAndSet(false, true);
    }
}

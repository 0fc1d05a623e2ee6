package dev.parley.signaling;

import dev.parley.sfu.LeaveReason;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/** The open WHIP and WHEP sessions, by session id, and the connection slots they hold. */
final class HttpMediaSessions {
    private final SignalingService service;
    private final ConcurrentHashMap<String, IngestSession> ingests = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ViewerSession> viewers = new ConcurrentHashMap<>();

    HttpMediaSessions(SignalingService service) {
        this.service = service;
    }

    SignalingService service() {
        return service;
    }

    void add(IngestSession s) {
        ingests.put(s.id, s);
    }

    void add(ViewerSession s) {
        viewers.put(s.id, s);
    }

    IngestSession ingest(String id) {
        return ingests.get(id);
    }

    ViewerSession viewer(String id) {
        return viewers.get(id);
    }

    int ingestCount() {
        return ingests.size();
    }

    int viewerCount() {
        return viewers.size();
    }

    /** Frees what an ingest session holds: its seat, its connection slot and its id. */
    void release(IngestSession s) {
        if (ingests.remove(s.id, s)) {
            service.seats().release(s.room(), s);
            service.quota().closeConnection(s.address);
            service.closeConnection();
        }
    }

    /** Ends a viewer session; false when it had ended already. */
    boolean end(ViewerSession s) {
        if (!s.markEnded()) {
            return false;
        }
        if (viewers.remove(s.id, s)) {
            service.quota().closeConnection(s.address);
            service.closeConnection();
        }
        if (s.viewer != null) {
            s.viewer.close();
        }
        return true;
    }

    /** Ends every viewer of {@code room} (the meeting ended); ingests leave through their seats. */
    int endViewers(String room) {
        int n = 0;
        for (ViewerSession s : new ArrayList<>(viewers.values())) {
            if (s.room.equals(room) && end(s)) {
                n++;
            }
        }
        return n;
    }

    /** Ends every viewer session of {@code identity} (the account was disabled or deleted). */
    int endViewersOf(String identity) {
        int n = 0;
        for (ViewerSession s : new ArrayList<>(viewers.values())) {
            if (s.permit.identity().equals(identity) && end(s)) {
                n++;
            }
        }
        return n;
    }

    /** Server shutdown: every ingest leaves and every viewer ends. */
    void endAll() {
        for (IngestSession s : List.copyOf(ingests.values())) {
            s.end(LeaveReason.SERVER_SHUTDOWN, LeaveReason.SERVER_SHUTDOWN.wireName());
        }
        for (ViewerSession s : List.copyOf(viewers.values())) {
            end(s);
        }
    }
}

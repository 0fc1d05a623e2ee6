package dev.parley.signaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.sfu.SfuServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * Parley's WebSocket signaling (docs/protocol.md) over an {@link SfuServer}.
 *
 * <p>{@link #handler} gives the Jetty handler that upgrades {@code /ws/signaling}; everything else passes
 * to the wrapped handler.
 */
public final class SignalingService {
    /** Largest text message accepted; an SDP for a large room fits with room to spare. */
    public static final int MAX_MESSAGE_BYTES = 256 * 1024;

    private final SfuServer sfu;
    private final JoinAuthorizer authorizer;
    private final Function<JoinPermit, List<IceServer>> iceServers;
    private final ParticipantObserver observer;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentHashMap<String, Set<SignalingSession>> rooms = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;

    /**
     * @param iceServers the STUN/TURN servers each participant gets in {@code joined} (TURN credentials are per participant)
     */
    public SignalingService(SfuServer sfu, JoinAuthorizer authorizer, Function<JoinPermit, List<IceServer>> iceServers,
                            ParticipantObserver observer) {
        this.sfu = sfu;
        this.authorizer = authorizer;
        this.iceServers = iceServers;
        this.observer = observer;
    }

    /** Wraps {@code next} with the WebSocket upgrade at {@code /ws/signaling}. */
    public Handler handler(Server server, Handler next) {
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            // Jetty's own limit sits above ours so an oversized message gets a protocol error, not a dropped socket.
            container.setMaxTextMessageSize(4L * MAX_MESSAGE_BYTES);
            container.setIdleTimeout(Duration.ofMinutes(2));
            container.addMapping("/ws/signaling", (request, response, callback) -> new SignalingSession(this));
        });
        ws.setHandler(next);
        return ws;
    }

    /** How many signaling connections are open. */
    public int openSessions() {
        int n = 0;
        for (Set<SignalingSession> s : rooms.values()) {
            n += s.size();
        }
        return n;
    }

    /**
     * The first step of a server shutdown: refuses joins from now on ({@code error} code
     * {@code shutting_down}), and sends every joined participant {@code left} with reason
     * {@code server_shutdown}, removes them from their room (the observer hears each departure) and closes
     * their sockets once that message is sent. Waits up to {@code grace} for those sockets to close.
     */
    public void shutdown(Duration grace) {
        shuttingDown = true;
        List<SignalingSession> joined = rooms.values().stream().flatMap(Set::stream).toList();
        for (SignalingSession s : joined) {
            s.serverShutdown();
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (SignalingSession s : joined) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !s.awaitClosed(Duration.ofNanos(left))) {
                break;
            }
        }
    }

    boolean shuttingDown() {
        return shuttingDown;
    }

    SfuServer sfu() {
        return sfu;
    }

    JoinAuthorizer authorizer() {
        return authorizer;
    }

    List<IceServer> iceServersFor(JoinPermit permit) {
        return iceServers.apply(permit);
    }

    ParticipantObserver observer() {
        return observer;
    }

    ObjectMapper json() {
        return json;
    }

    void entered(String room, SignalingSession s) {
        rooms.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet()).add(s);
    }

    void exited(String room, SignalingSession s) {
        rooms.computeIfPresent(room, (r, set) -> {
            set.remove(s);
            return set.isEmpty() ? null : set;
        });
    }

    Set<SignalingSession> sessionsIn(String room) {
        return rooms.getOrDefault(room, Set.of());
    }
}

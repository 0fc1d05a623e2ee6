package dev.parley.signaling;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.sfu.SfuServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpURI;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Response;
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
    /** A connection with no message either way for this long is closed; clients {@code ping} well within it. */
    public static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);

    private final SfuServer sfu;
    private final JoinAuthorizer authorizer;
    private final Function<JoinPermit, List<IceServer>> iceServers;
    private final ParticipantObserver observer;
    private final SignalingLimits limits;
    private final AddressQuota quota;
    private final ObjectMapper json = new ObjectMapper();
    private final ConcurrentHashMap<String, Set<SignalingSession>> rooms = new ConcurrentHashMap<>();

    /**
     * @param iceServers the STUN/TURN servers each participant gets in {@code joined} (TURN credentials are per participant)
     */
    public SignalingService(SfuServer sfu, JoinAuthorizer authorizer, Function<JoinPermit, List<IceServer>> iceServers,
                            ParticipantObserver observer) {
        this(sfu, authorizer, iceServers, observer, SignalingLimits.defaults());
    }

    /**
     * @param iceServers the STUN/TURN servers each participant gets in {@code joined} (TURN credentials are per participant)
     * @param limits what one client address may hold (connections, rooms, guest joins)
     */
    public SignalingService(SfuServer sfu, JoinAuthorizer authorizer, Function<JoinPermit, List<IceServer>> iceServers,
                            ParticipantObserver observer, SignalingLimits limits) {
        this.sfu = sfu;
        this.authorizer = authorizer;
        this.iceServers = iceServers;
        this.observer = observer;
        this.limits = limits;
        this.quota = new AddressQuota(limits.connectionsPerAddress(), limits.roomsPerAddress());
    }

    /**
     * Wraps {@code next} with the WebSocket upgrade at {@code /ws/signaling}. An upgrade from a browser page of
     * an origin {@code origins} does not permit is refused with 403 before it upgrades.
     */
    public Handler handler(Server server, Handler next, AllowedOrigins origins) {
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            // Jetty's own limit sits above ours so an oversized message gets a protocol error, not a dropped socket.
            container.setMaxTextMessageSize(4L * MAX_MESSAGE_BYTES);
            container.setIdleTimeout(IDLE_TIMEOUT);
            container.addMapping("/ws/signaling", (request, response, callback) -> {
                HttpURI uri = request.getHttpURI();
                if (!origins.permits(request.getHeaders().get(HttpHeader.ORIGIN), uri.getHost(), uri.getPort())) {
                    Response.writeError(request, response, callback, 403,
                            "signaling is not open to pages of this origin (see the allowed-origins setting)");
                    return null;
                }
                return new SignalingSession(this, ClientAddress.of(request, limits.trustedProxies()));
            });
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

    AddressQuota quota() {
        return quota;
    }

    GuestJoinLimiter guestJoins() {
        return limits.guestJoins();
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

package dev.parley.server;

import dev.parley.control.RoomPlacement;
import dev.parley.control.state.NodeLoad;
import dev.parley.control.state.RedisNodes;
import dev.parley.signaling.RoomHome;
import dev.parley.signaling.SignalingService;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node among the others sharing its Redis: it reports its load every interval, answers which node
 * serves a room (for the REST join and for signaling's {@code join}), keeps the rooms it owns while someone is
 * in them and gives them up when they empty, and drains on request (no new rooms, its own carry on).
 * Redis is asked on a heartbeat thread and on the joining request's thread, never on a media thread; when
 * Redis does not answer, this node serves the room itself rather than turn the participant away.
 */
final class NodeMembership implements RoomHome, RoomPlacement, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeMembership.class);

    private final RedisNodes nodes;
    private final String nodeId;
    private final String publicUrl;
    private final List<String> mediaAddresses;
    private final SignalingService signaling;
    private final NodeSettings settings;
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Rooms this node owns, with when (nanoTime) they were last claimed or seen occupied. */
    private final Map<String, Long> owned = new ConcurrentHashMap<>();
    /** The other live nodes' origins, as of the last heartbeat: their pages may send participants here. */
    private volatile List<String> peerOrigins = List.of();
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "parley-node-heartbeat");
        t.setDaemon(true);
        return t;
    });

    NodeMembership(RedisNodes nodes, String nodeId, String publicUrl, List<String> mediaAddresses,
                   SignalingService signaling, NodeSettings settings) {
        this.nodes = nodes;
        this.nodeId = nodeId;
        this.publicUrl = publicUrl;
        this.mediaAddresses = List.copyOf(mediaAddresses);
        this.signaling = signaling;
        this.settings = settings;
    }

    /** Reports this node once now (so it is live before it says it is ready), then every interval. */
    void start() {
        nodes.report(load(signaling.occupiedRooms()), settings.nodeTtl());
        peerOrigins = originsOfOthers(nodes.live());
        long every = settings.reportInterval().toMillis();
        heartbeat.scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
        log.info("node {} reports to Redis every {} s as {}", nodeId, settings.reportInterval().toSeconds(), publicUrl);
    }

    String nodeId() {
        return nodeId;
    }

    /** Takes no new rooms from now on and tells the other nodes at once; the rooms owned here carry on. */
    void drain() {
        if (draining.compareAndSet(false, true)) {
            log.info("draining: node {} takes no new rooms; {} owned rooms carry on", nodeId, owned.size());
            heartbeat.execute(this::beat);
        }
    }

    boolean draining() {
        return draining.get();
    }

    @Override
    public String elsewhere(String room) {
        return serving(room, nodeId);
    }

    @Override
    public String signalingUrlFor(String room) {
        return serving(room, null);
    }

    /** The serving node's signaling URL, or null when it is this node (or Redis cannot say). */
    private String serving(String room, String reached) {
        Optional<NodeLoad> home;
        try {
            home = nodes.home(room, reached, settings.roomTtl());
        } catch (RuntimeException e) {
            log.warn("room placement not asked, this node serves the room: {}", e.toString());
            return null;
        }
        if (home.isEmpty() || home.get().nodeId().equals(nodeId)) {
            // Empty: every node drains (or none has reported yet); serving here beats refusing the call.
            owned.put(room, System.nanoTime());
            return null;
        }
        return home.get().signalingUrl();
    }

    private void beat() {
        try {
            Set<String> occupied = signaling.occupiedRooms();
            nodes.report(load(occupied), settings.nodeTtl());
            peerOrigins = originsOfOthers(nodes.live());
            long now = System.nanoTime();
            for (Map.Entry<String, Long> e : owned.entrySet()) {
                String room = e.getKey();
                if (occupied.contains(room)) {
                    // Renewed; or, when the ownership lapsed (Redis was away, or a release raced a join), taken again.
                    if (nodes.renew(room, nodeId, settings.roomTtl())
                            || nodeId.equals(nodes.claim(room, nodeId, null, settings.roomTtl()))) {
                        owned.put(room, now);
                    } else {
                        owned.remove(room);
                        log.warn("room {} was placed on another node while its participants were here", room);
                    }
                } else if (now - e.getValue() >= settings.reportInterval().toNanos()
                        && owned.remove(room, e.getValue())) {
                    nodes.release(room, nodeId); // not when a join claimed it again since the read above
                }
            }
        } catch (RuntimeException e) {
            log.warn("node report to Redis failed (retried next interval): {}", e.toString());
        }
    }

    /** The other live nodes' origins ({@code https://host[:port]}), for the page policy and signaling's origin check. */
    List<String> peerOrigins() {
        return peerOrigins;
    }

    private List<String> originsOfOthers(List<NodeLoad> live) {
        return live.stream().filter(n -> !n.nodeId().equals(nodeId)).map(n -> {
            java.net.URI u = java.net.URI.create(n.publicUrl());
            return u.getScheme() + "://" + u.getRawAuthority();
        }).distinct().toList();
    }

    private NodeLoad load(Set<String> occupied) {
        double cpu = -1;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            cpu = os.getProcessCpuLoad();
        }
        return new NodeLoad(nodeId, publicUrl, mediaAddresses, signaling.openSessions(), occupied.size(), cpu,
                draining.get());
    }

    /** Participants still here (joined, joining or waiting in a lobby): a drain waits for this to reach zero. */
    boolean idle() {
        return signaling.occupiedRooms().isEmpty();
    }

    /** Stops reporting, gives up the rooms owned here and leaves the group at once, so their next joins move. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        try {
            heartbeat.awaitTermination(2, TimeUnit.SECONDS);
            for (String room : owned.keySet()) {
                nodes.release(room, nodeId);
            }
            owned.clear();
            nodes.forget(nodeId);
        } catch (RuntimeException e) {
            log.warn("leaving the node group in Redis failed; its report lapses by itself: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

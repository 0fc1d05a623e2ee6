package dev.parley.control.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The nodes sharing this Redis and which of them owns which room.
 *
 * <ul>
 *   <li>{@code <prefix>node:<id>}: the node's {@link NodeLoad} as JSON, written every heartbeat with a TTL, so a
 *       node that dies disappears when its TTL lapses;</li>
 *   <li>{@code <prefix>nodes}: a sorted set of node ids (score: when the report lapses), only an index for
 *       listing; an id whose key is gone is dropped from it on the next listing;</li>
 *   <li>{@code <prefix>room:<room>:owner}: the owning node's id, set only if absent (or held by a node known to
 *       be gone) and renewed by the owner while the room lives; released when the room empties.</li>
 * </ul>
 */
public final class RedisNodes {
    private static final Logger log = LoggerFactory.getLogger(RedisNodes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String REPORT = """
            redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
            redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
            return 1""";
    /** ARGV: id, node key, id, node key, ...: drops from the index each id whose node key is gone. */
    private static final String DROP_GONE = """
            for i = 1, #ARGV, 2 do
              if redis.call('EXISTS', ARGV[i + 1]) == 0 then
                redis.call('ZREM', KEYS[1], ARGV[i])
              end
            end
            return 1""";
    /** Claims KEYS[1] for ARGV[1] if free or still held by ARGV[2] (a node known to be gone); returns the owner. */
    private static final String CLAIM = """
            local cur = redis.call('GET', KEYS[1])
            if (not cur) or (ARGV[2] ~= '' and cur == ARGV[2]) then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
              return ARGV[1]
            end
            return cur""";
    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('PEXPIRE', KEYS[1], ARGV[2])
            end
            return 0""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then
              return redis.call('DEL', KEYS[1])
            end
            return 0""";

    private final RedisCommands<String, String> redis;
    private final String prefix;
    private final Clock clock;

    RedisNodes(RedisCommands<String, String> redis, String keyPrefix, Clock clock) {
        this.redis = redis;
        this.prefix = keyPrefix;
        this.clock = clock;
    }

    private String nodeKey(String nodeId) {
        return prefix + "node:" + nodeId;
    }

    private String indexKey() {
        return prefix + "nodes";
    }

    private String ownerKey(String room) {
        return prefix + "room:" + Keys.require(room, "room") + ":owner";
    }

    /** Publishes {@code load} for {@code ttl}; a node that stops reporting is gone once it lapses. */
    public void report(NodeLoad load, Duration ttl) {
        Objects.requireNonNull(load, "load");
        requireTtl(ttl);
        ObjectNode v = JSON.createObjectNode()
                .put("nodeId", load.nodeId())
                .put("publicUrl", load.publicUrl())
                .put("participants", load.participants())
                .put("rooms", load.rooms())
                .put("cpuLoad", load.cpuLoad())
                .put("draining", load.draining());
        load.mediaAddresses().forEach(v.putArray("mediaAddresses")::add);
        redis.eval(REPORT, ScriptOutputType.INTEGER, new String[] {nodeKey(load.nodeId()), indexKey()},
                load.nodeId(), v.toString(), Long.toString(ttl.toMillis()),
                Long.toString(clock.millis() + ttl.toMillis()));
    }

    /** Takes the node out at once (an orderly stop), rather than when its report lapses. */
    public void forget(String nodeId) {
        redis.del(nodeKey(Keys.require(nodeId, "nodeId")));
        redis.zrem(indexKey(), nodeId);
    }

    /** The nodes whose reports have not lapsed, in id order. */
    public List<NodeLoad> live() {
        List<String> ids = redis.zrange(indexKey(), 0, -1);
        if (ids.isEmpty()) {
            return List.of();
        }
        String[] keys = ids.stream().map(this::nodeKey).toArray(String[]::new);
        List<NodeLoad> out = new ArrayList<>();
        List<String> gone = new ArrayList<>();
        List<KeyValue<String, String>> values = redis.mget(keys);
        for (int i = 0; i < values.size(); i++) {
            KeyValue<String, String> kv = values.get(i);
            if (!kv.hasValue()) {
                gone.add(ids.get(i));
                continue;
            }
            NodeLoad load = parse(kv.getValue());
            if (load != null) {
                out.add(load);
            }
        }
        if (!gone.isEmpty()) {
            // Checked again inside the script: a node that reported since the read above keeps its place.
            redis.eval(DROP_GONE, ScriptOutputType.INTEGER, new String[] {indexKey()},
                    gone.stream().flatMap(id -> java.util.stream.Stream.of(id, nodeKey(id))).toArray(String[]::new));
        }
        out.sort(java.util.Comparator.comparing(NodeLoad::nodeId));
        return List.copyOf(out);
    }

    private static NodeLoad parse(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            List<String> media = new ArrayList<>();
            n.path("mediaAddresses").forEach(a -> media.add(a.asText()));
            return new NodeLoad(n.get("nodeId").asText(), n.get("publicUrl").asText(), media,
                    n.path("participants").asInt(), n.path("rooms").asInt(), n.path("cpuLoad").asDouble(-1),
                    n.path("draining").asBoolean());
        } catch (IOException | RuntimeException bad) {
            // Written by something other than this class; a node we cannot read cannot be sent rooms.
            log.warn("ignoring malformed node report: {}", bad.toString());
            return null;
        }
    }

    /** The id of the node that owns {@code room}, if any (it may be gone: check against {@link #live()}). */
    public Optional<String> owner(String room) {
        return Optional.ofNullable(redis.get(ownerKey(room)));
    }

    /**
     * Makes {@code nodeId} the owner of {@code room} for {@code ttl} if nobody owns it, or if it is still held by
     * {@code goneOwner} (a node whose report lapsed; null for none). Atomic: of two nodes claiming at once, one
     * wins and both learn which.
     *
     * @return the owner after the call: {@code nodeId}, or whoever got there first
     */
    public String claim(String room, String nodeId, String goneOwner, Duration ttl) {
        Keys.require(nodeId, "nodeId");
        requireTtl(ttl);
        return redis.eval(CLAIM, ScriptOutputType.VALUE, new String[] {ownerKey(room)},
                nodeId, goneOwner == null ? "" : goneOwner, Long.toString(ttl.toMillis()));
    }

    /** Extends {@code nodeId}'s ownership of {@code room} by {@code ttl}; false when it is not (or no longer) the owner. */
    public boolean renew(String room, String nodeId, Duration ttl) {
        requireTtl(ttl);
        Long n = redis.eval(RENEW, ScriptOutputType.INTEGER, new String[] {ownerKey(room)},
                Keys.require(nodeId, "nodeId"), Long.toString(ttl.toMillis()));
        return n != null && n == 1;
    }

    /** Gives up {@code nodeId}'s ownership of {@code room}; nothing happens when another node owns it. */
    public void release(String room, String nodeId) {
        redis.eval(RELEASE, ScriptOutputType.INTEGER, new String[] {ownerKey(room)}, Keys.require(nodeId, "nodeId"));
    }

    /**
     * The node that serves {@code room}: its owner while that node is live, else a node chosen by
     * {@link Placement} (the least loaded live node that is not draining; {@code reached} wins ties) and
     * recorded as the owner for {@code ttl}. When a room's owner is gone, the room is re-homed here.
     *
     * @param reached the id of the node the participant reached, or null (a REST join prefers none)
     * @return the serving node, or empty when no live node takes rooms (all draining, or none reported yet)
     */
    public Optional<NodeLoad> home(String room, String reached, Duration ttl) {
        for (int attempt = 0; attempt < 3; attempt++) {
            List<NodeLoad> live = live();
            String owner = owner(room).orElse(null);
            if (owner != null) {
                Optional<NodeLoad> serving = live.stream().filter(n -> n.nodeId().equals(owner)).findFirst();
                if (serving.isPresent()) {
                    return serving;
                }
            }
            Optional<NodeLoad> chosen = Placement.choose(live, reached);
            if (chosen.isEmpty()) {
                return Optional.empty();
            }
            String winner = claim(room, chosen.get().nodeId(), owner, ttl);
            if (winner.equals(chosen.get().nodeId())) {
                return chosen;
            }
            // Another node claimed it first; its choice stands if that node is live (checked next round).
        }
        throw new IllegalStateException("room " + room + " changed owner three times while being placed");
    }

    private static void requireTtl(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.toMillis() < 1) {
            throw new IllegalArgumentException("ttl must be at least 1 ms, was " + ttl);
        }
    }
}

package dev.parley.control.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.sync.RedisCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Room membership shared by all nodes: one hash per room, {@code <prefix>room:<room>:participants}, field =
 * participant id, value = JSON {@code {identity,name,joinedAt}}. Every change renews the hash's TTL
 * ({@code idleTtl}), so a room whose node died without reporting departures expires on its own.
 */
public final class RedisLiveParticipants implements LiveParticipants {
    private static final Logger log = LoggerFactory.getLogger(RedisLiveParticipants.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SET_WITH_TTL = """
            redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
            redis.call('PEXPIRE', KEYS[1], ARGV[3])
            return 1""";

    private final RedisCommands<String, String> redis;
    private final String prefix;
    private final Duration idleTtl;

    RedisLiveParticipants(RedisCommands<String, String> redis, String keyPrefix, Duration idleTtl) {
        this.redis = redis;
        this.prefix = keyPrefix + "room:";
        this.idleTtl = idleTtl;
    }

    private String key(String room) {
        return prefix + Keys.require(room, "room") + ":participants";
    }

    @Override
    public void joined(String room, LiveParticipant participant) {
        String key = key(room);
        Keys.require(participant);
        ObjectNode value = JSON.createObjectNode()
                .put("identity", participant.identity())
                .put("name", participant.name())
                .put("joinedAt", participant.joinedAt().toString());
        redis.eval(SET_WITH_TTL, ScriptOutputType.INTEGER, new String[] {key},
                participant.participantId(), value.toString(), Long.toString(idleTtl.toMillis()));
    }

    @Override
    public void left(String room, String participantId) {
        String key = key(room);
        redis.hdel(key, Keys.require(participantId, "participantId"));
        // Redis deletes an emptied hash itself; otherwise the room is still active.
        redis.pexpire(key, idleTtl.toMillis());
    }

    @Override
    public List<LiveParticipant> list(String room) {
        String key = key(room);
        List<LiveParticipant> result = new ArrayList<>();
        for (Map.Entry<String, String> e : redis.hgetall(key).entrySet()) {
            try {
                JsonNode node = JSON.readTree(e.getValue());
                JsonNode name = node.get("name");
                result.add(new LiveParticipant(e.getKey(), node.get("identity").asText(),
                        name == null || name.isNull() ? null : name.asText(),
                        Instant.parse(node.get("joinedAt").asText())));
            } catch (IOException | RuntimeException bad) {
                // Written by something other than this class; skip it rather than hide the whole room.
                log.warn("ignoring malformed live participant {} in {}: {}", e.getKey(), key, bad.toString());
            }
        }
        result.sort(InMemoryLiveParticipants.ORDER);
        return List.copyOf(result);
    }
}

package dev.parley.control.state;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The Redis-backed state stores over one shared connection. Lettuce connections are thread-safe and
 * reconnect by themselves, so a node needs exactly one of these.
 */
public final class RedisState implements AutoCloseable {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9._:-]{0,64}");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration ROOM_IDLE_TTL = Duration.ofHours(12);

    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisRateLimiter rateLimiter;
    private final RedisRevocationStore revocations;
    private final RedisLiveParticipants liveParticipants;
    private final RedisNodes nodes;

    private RedisState(RedisClient client, StatefulRedisConnection<String, String> connection, String keyPrefix) {
        this.client = client;
        this.connection = connection;
        this.rateLimiter = new RedisRateLimiter(connection.sync(), keyPrefix);
        this.revocations = new RedisRevocationStore(connection.sync(), keyPrefix, Clock.systemUTC());
        this.liveParticipants = new RedisLiveParticipants(connection.sync(), keyPrefix, ROOM_IDLE_TTL);
        this.nodes = new RedisNodes(connection.sync(), keyPrefix, Clock.systemUTC());
    }

    /**
     * Connects to {@code url} ({@code redis://[:password@]host:port/db}, or {@code rediss://} for TLS) and
     * checks the server answers.
     *
     * @param keyPrefix prepended to every key, e.g. {@code parley:}, so several deployments can share a Redis
     * @throws IllegalArgumentException when the URL or prefix is malformed
     * @throws IllegalStateException    when Redis cannot be reached
     */
    public static RedisState connect(String url, String keyPrefix) {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (!PREFIX.matcher(keyPrefix).matches()) {
            throw new IllegalArgumentException("Redis key prefix may hold only letters, digits and . _ : -"
                    + " (at most 64), was '" + keyPrefix + "'");
        }
        RedisURI uri;
        try {
            uri = RedisURI.create(url);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Redis URL (expected redis://host:port/db): " + url, e);
        }
        uri.setTimeout(COMMAND_TIMEOUT);
        String where = uri.getHost() + ":" + uri.getPort();
        RedisClient client = RedisClient.create(uri);
        client.setOptions(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).build())
                .build());
        try {
            StatefulRedisConnection<String, String> connection = client.connect();
            connection.sync().ping();
            return new RedisState(client, connection, keyPrefix);
        } catch (RedisException e) {
            client.shutdown();
            throw new IllegalStateException("Redis at " + where + " is unreachable (" + rootMessage(e)
                    + "); start it or fix the Redis URL", e);
        }
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** Rate limiter shared by every node on this Redis. */
    public RateLimiter rateLimiter() {
        return rateLimiter;
    }

    /** Revocation list shared by every node on this Redis. */
    public RevocationStore revocations() {
        return revocations;
    }

    /** Live room membership shared by every node on this Redis. */
    public LiveParticipants liveParticipants() {
        return liveParticipants;
    }

    /** The nodes on this Redis, their load, and which one owns which room. */
    public RedisNodes nodes() {
        return nodes;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown();
    }
}

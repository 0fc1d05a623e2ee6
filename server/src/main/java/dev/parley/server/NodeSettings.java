package dev.parley.server;

import java.time.Duration;

/**
 * How this node works with the others sharing its Redis (used only with {@code redis-url}).
 *
 * @param redisKeyPrefix  prefix of every Redis key Parley writes
 * @param reportInterval  how often this node reports its load; silent for {@link #nodeTtl()}, it counts as gone
 * @param drainGrace      how long a SIGTERM lets calls go on before they are closed (zero: at once)
 */
record NodeSettings(String redisKeyPrefix, Duration reportInterval, Duration drainGrace) {
    /** A node report lives three intervals: one late report does not make the node look gone. */
    Duration nodeTtl() {
        return reportInterval.multipliedBy(3);
    }

    /**
     * A room's ownership lives six intervals (at least 30 s) unless the owner renews it: long enough for a
     * participant sent to the owner by the REST join to arrive there.
     */
    Duration roomTtl() {
        Duration six = reportInterval.multipliedBy(6);
        return six.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : six;
    }
}

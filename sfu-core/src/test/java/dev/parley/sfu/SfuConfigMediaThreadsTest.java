package dev.parley.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SfuConfigMediaThreadsTest {
    private final InetAddress loopback = InetAddress.getLoopbackAddress();
    private final SfuConfig base = new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(10), 10);

    @Test
    void defaultsToOnePerAvailableProcessorAndKeepsItThroughTheOtherWithers() {
        assertEquals(Runtime.getRuntime().availableProcessors(), base.mediaThreads());
        SfuConfig three = base.withMediaThreads(3);
        assertEquals(3, three.mediaThreads());
        assertEquals(3, three.withSocketBuffers(65_536).mediaThreads());
        assertEquals(3, three.withTransports(null, IceTcpConfig.OFF).mediaThreads());
    }

    @Test
    void refusesFewerThanOneOrMoreThan256() {
        assertEquals(1, base.withMediaThreads(1).mediaThreads());
        assertEquals(256, base.withMediaThreads(256).mediaThreads());
        for (int bad : new int[] {0, -1, 257}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.withMediaThreads(bad));
            assertTrue(e.getMessage().contains("media threads must be 1..256"), e.getMessage());
        }
    }
}

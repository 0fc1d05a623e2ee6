package dev.parley.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventuallyTest {
    @Test
    void returnsAsSoonAsTheConditionHolds() {
        AtomicInteger checks = new AtomicInteger();
        Eventually.await(Duration.ofSeconds(5), "the third check", () -> checks.incrementAndGet() >= 3);
        assertEquals(3, checks.get(), "no check after the condition held");
    }

    @Test
    void failsNamingWhatItAwaitedOnceTheDeadlinePassed() {
        long start = System.nanoTime();
        AssertionError e = assertThrows(AssertionError.class,
                () -> Eventually.await(Duration.ofMillis(200), "a condition that never holds", () -> false));
        long waitedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertTrue(e.getMessage().contains("a condition that never holds"), e.getMessage());
        assertTrue(waitedMillis >= 200, "gave up after " + waitedMillis + " ms, before the deadline");
    }
}

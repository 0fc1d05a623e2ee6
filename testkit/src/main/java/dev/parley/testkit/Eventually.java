package dev.parley.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds or a deadline passes, instead of sleeping for a guessed time. */
public final class Eventually {
    private static final long POLL_MILLIS = 10;

    private Eventually() {}

    /**
     * Returns once {@code condition} holds; checks it every few milliseconds.
     *
     * @param what what is awaited, for the failure message
     * @throws AssertionError when it still does not hold after {@code timeout}, or the thread is interrupted
     */
    public static void await(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what, e);
            }
        }
    }
}

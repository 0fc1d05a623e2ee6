package dev.parley.signaling;

/** Limits joins without a join token per client address; the server backs it with the control plane's rate limiter. */
@FunctionalInterface
public interface GuestJoinLimiter {
    /** Counts one tokenless join from {@code clientAddress}; false when that address has had too many lately. */
    boolean tryJoin(String clientAddress);
}

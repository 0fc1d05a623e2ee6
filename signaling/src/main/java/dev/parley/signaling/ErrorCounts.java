package dev.parley.signaling;

import java.util.concurrent.atomic.LongAdder;

/**
 * How many {@code error} messages signaling sent, by code. One adder per code, made once: counting takes no
 * lock and allocates nothing, and a string outside {@link ErrorCode} (only an embedder's
 * {@link JoinAuthorizer} can give one) lands in a single "other" count instead of a new entry.
 */
final class ErrorCounts {
    private final LongAdder[] byCode = new LongAdder[ErrorCode.values().length];
    private final LongAdder other = new LongAdder();

    ErrorCounts() {
        for (int i = 0; i < byCode.length; i++) {
            byCode[i] = new LongAdder();
        }
    }

    void count(String code) {
        ErrorCode c = ErrorCode.ofWireName(code);
        (c == null ? other : byCode[c.ordinal()]).increment();
    }

    long sent(ErrorCode code) {
        return byCode[code.ordinal()].sum();
    }

    long sentWithOtherCodes() {
        return other.sum();
    }
}

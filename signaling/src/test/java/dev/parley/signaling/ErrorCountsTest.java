package dev.parley.signaling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ErrorCountsTest {
    @Test
    void documentedCodesAreCountedEachAndAnythingElseOnlyAsOther() {
        ErrorCounts counts = new ErrorCounts();
        counts.count("auth");
        counts.count("auth");
        counts.count("too_many_connections");
        counts.count("AUTH");
        counts.count("auth\u0000");
        counts.count("x_evil_label_value");
        counts.count(null);
        assertEquals(2, counts.sent(ErrorCode.AUTH));
        assertEquals(1, counts.sent(ErrorCode.TOO_MANY_CONNECTIONS));
        assertEquals(0, counts.sent(ErrorCode.BAD_MESSAGE));
        assertEquals(4, counts.sentWithOtherCodes(), "strings that are not codes share one count");
        assertNull(ErrorCode.ofWireName("x_evil_label_value"));
    }
}

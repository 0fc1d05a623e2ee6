package dev.parley.sfu.rtp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyframeRequestThrottleTest {
    private static final long MS = 1_000_000L;

    @Test
    void forwardsAtMostOneRequestPerDefaultInterval() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        assertEquals(Duration.ofMillis(300), KeyframeRequestThrottle.DEFAULT_INTERVAL);
        long t = 5_000 * MS;
        assertTrue(throttle.tryForward(t), "the first request goes through");
        assertFalse(throttle.tryForward(t));
        assertFalse(throttle.tryForward(t + 299 * MS));
        assertTrue(throttle.tryForward(t + 300 * MS));
        assertFalse(throttle.tryForward(t + 450 * MS), "the interval restarts at the last forwarded request");
        assertTrue(throttle.tryForward(t + 600 * MS));
    }

    @Test
    void aRequestInsideTheIntervalIsHeldBackUntilItEnds() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        long t = 1_000 * MS;
        assertFalse(throttle.takeDeferred(t), "nothing held back yet");
        assertTrue(throttle.tryForward(t));
        assertFalse(throttle.takeDeferred(t + 400 * MS), "the forwarded request left nothing behind");
        assertFalse(throttle.tryForward(t + 100 * MS), "a second subscriber asks 100 ms later");
        assertFalse(throttle.tryForward(t + 200 * MS), "and a third: still one request held back");
        assertFalse(throttle.takeDeferred(t + 299 * MS), "not before the interval ends");
        assertTrue(throttle.takeDeferred(t + 300 * MS), "released when it ends");
        assertFalse(throttle.takeDeferred(t + 320 * MS), "once");
        assertFalse(throttle.tryForward(t + 450 * MS), "the released request started the next interval");
        assertTrue(throttle.takeDeferred(t + 600 * MS));
    }

    @Test
    void aForwardedRequestAnswersTheHeldBackOne() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        assertTrue(throttle.tryForward(0));
        assertFalse(throttle.tryForward(100 * MS));
        assertTrue(throttle.tryForward(300 * MS), "a new request at the interval's end goes straight through");
        assertFalse(throttle.takeDeferred(700 * MS), "and the held-back one goes with it, not after it");
    }

    @Test
    void aSubscriberWhoseConnectionCameUpAsksAgainOnlyWhenItMissedTheAnswer() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        assertTrue(throttle.tryForward(0), "asked when its handshake began");
        assertFalse(throttle.tryForwardMissed(40 * MS), "connected before the keyframe came: it will get that one");
        assertFalse(throttle.takeDeferred(400 * MS), "and nothing was held back for it");
        throttle.onKeyframe();

        KeyframeRequestThrottle early = new KeyframeRequestThrottle();
        assertTrue(early.tryForward(0));
        early.onKeyframe(); // the answer went by while the handshake was still running
        assertTrue(early.tryForwardMissed(60 * MS), "missed it: asks again at once, inside the interval");
        assertFalse(early.tryForwardMissed(70 * MS), "one such request per keyframe");
        assertFalse(early.tryForward(200 * MS), "and it starts the interval like any forwarded request");
        assertTrue(early.takeDeferred(360 * MS));
    }

    @Test
    void aMissedRequestAfterAnUnansweredOldOneGoesThrough() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        assertTrue(throttle.tryForwardMissed(0), "nothing asked before");
        assertTrue(throttle.tryForwardMissed(300 * MS), "the last request is an interval old and unanswered (lost)");
        assertFalse(throttle.tryForwardMissed(310 * MS));
    }

    @Test
    void honoursAConfiguredInterval() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle(Duration.ofSeconds(1));
        assertTrue(throttle.tryForward(0));
        assertFalse(throttle.tryForward(999 * MS));
        assertTrue(throttle.tryForward(1000 * MS));
        KeyframeRequestThrottle none = new KeyframeRequestThrottle(Duration.ZERO);
        assertTrue(none.tryForward(7));
        assertTrue(none.tryForward(7));
    }

    @Test
    void worksAcrossTheNanoTimeOverflow() {
        KeyframeRequestThrottle throttle = new KeyframeRequestThrottle();
        long beforeWrap = Long.MAX_VALUE - 100 * MS;
        assertTrue(throttle.tryForward(beforeWrap));
        assertFalse(throttle.tryForward(beforeWrap + 150 * MS), "150 ms later, past the wrap");
        assertTrue(throttle.tryForward(beforeWrap + 350 * MS));
    }

    @Test
    void rejectsNegativeInterval() {
        assertThrows(IllegalArgumentException.class, () -> new KeyframeRequestThrottle(Duration.ofMillis(-1)));
        assertThrows(IllegalArgumentException.class, () -> new KeyframeRequestThrottle(null));
    }
}

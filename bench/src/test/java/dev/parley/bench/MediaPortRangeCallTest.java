package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.MediaPortRange;
import dev.parley.sfu.MediaPortsExhaustedException;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.testkit.Eventually;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import dev.parley.sfu.srtp.SrtpSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call through a real {@link SfuServer} with a UDP port range instead of one port: each peer connection gets a
 * port of its own from the range, media flows, a join that would need more ports than are free is refused
 * cleanly, and the ports return to the range when the participants leave.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MediaPortRangeCallTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void measureSrtpBackends() {
        // As a server does at start-up: the first SRTP session measures the cipher implementations, which on the
        // media thread would stall consent handling.
        SrtpSession.cryptoBackend();
    }
    private static final Pattern UDP_CANDIDATE = Pattern.compile("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host");

    @Test
    void eachConnectionGetsItsOwnPortAndMediaFlows() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        // Four ports: two participants (two connections each) fill the range.
        int first = 42000 + ThreadLocalRandom.current().nextInt(2000) * 4;
        MediaPortRange range = new MediaPortRange(first, first + 3);
        SfuConfig config = new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(10), 10)
                .withTransports(range, IceTcpConfig.OFF);
        try (SfuServer sfu = SfuServer.start(config)) {
            assertEquals(-1, sfu.mediaPort(), "no shared port with a range");
            try (CallMember ann = CallMember.join(sfu, "range-call", "Ann", false);
                 CallMember ben = CallMember.join(sfu, "range-call", "Ben", false)) {
                List<CallMember> all = List.of(ann, ben);
                Eventually.await(WAIT, "both receive the other's media", () -> {
                    try {
                        for (CallMember m : all) {
                            m.answerOffers();
                            m.sendMedia();
                        }
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                    return ann.received.get() > 50 && ben.received.get() > 50;
                });
                Set<Integer> ports = new HashSet<>();
                for (CallMember m : all) {
                    ports.add(candidatePort(m.publisherAnswer));
                    ports.add(candidatePort(m.lastSubscriberOffer));
                }
                assertEquals(4, ports.size(), "four connections, four ports: " + ports);
                for (int p : ports) {
                    assertTrue(range.contains(p), p + " is in " + range);
                }
                assertEquals(4, sfu.mediaPortsInUse());

                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> sfu.join("range-call", "Cy", new dev.parley.sfu.ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS));
                assertInstanceOf(MediaPortsExhaustedException.class, refused.getCause());
            }
            Eventually.await(WAIT, "the ports are back in the range", () -> sfu.mediaPortsInUse() == 0);
        }
    }

    private static int candidatePort(String sdp) {
        Matcher m = UDP_CANDIDATE.matcher(sdp);
        assertTrue(m.find(), "a UDP candidate in " + sdp);
        return Integer.parseInt(m.group(1));
    }
}

package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.media.IceTcpOutcome;
import dev.parley.testkit.Eventually;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.parley.sfu.srtp.SrtpSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call through a real {@link SfuServer} where one participant speaks ICE over TCP (both its peer
 * connections: RFC 4571 framed STUN, DTLS and SRTP on TCP connections to the passive candidate) and the other
 * UDP: media flows both ways, the SDP Parley writes announces the passive TCP candidate, and the connections are
 * counted as accepted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IceTcpCallTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @BeforeAll
    static void measureSrtpBackends() {
        // As a server does at start-up: the first SRTP session measures the cipher implementations, which on the
        // media thread would stall consent handling.
        SrtpSession.cryptoBackend();
    }

    @Test
    void aTcpParticipantAndAUdpParticipantExchangeMediaBeyondTheConsentTimeout() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        SfuConfig config = new SfuConfig(loopback, 0, List.of(loopback), Duration.ofSeconds(10), 10)
                .withTransports(null, IceTcpConfig.on(0));
        try (SfuServer sfu = SfuServer.start(config);
             CallMember tcp = CallMember.join(sfu, "tcp-call", "Tess", true);
             CallMember udp = CallMember.join(sfu, "tcp-call", "Uma", false)) {
            String passive = "tcp " + ((126L << 24) | ((32767L - 2) << 8) | 255) + " 127.0.0.1 " + sfu.iceTcpPort()
                    + " typ host tcptype passive";
            assertTrue(tcp.publisherAnswer.contains(passive), "the publisher answer announces " + passive);
            List<CallMember> all = List.of(tcp, udp);
            Eventually.await(WAIT, "both receive the other's audio and video", () -> {
                try {
                    for (CallMember m : all) {
                        m.answerOffers();
                        m.sendMedia();
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
                return tcp.received.get() > 50 && udp.received.get() > 50;
            });
            assertTrue(tcp.lastSubscriberOffer.contains("tcptype passive"), "subscriber offers announce it too");
            // Longer than the consent timeout: both stay in the call with media flowing.
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            while (System.nanoTime() < until) {
                for (CallMember m : all) {
                    m.sendMedia();
                }
                Thread.sleep(20);
            }
            long tcpBefore = tcp.received.get();
            long udpBefore = udp.received.get();
            Eventually.await(WAIT, "media still flows both ways", () -> {
                for (CallMember m : all) {
                    m.sendMedia();
                }
                return tcp.received.get() > tcpBefore + 20 && udp.received.get() > udpBefore + 20;
            });
            assertEquals(2, sfu.iceTcpConnections(IceTcpOutcome.ACCEPTED), "the TCP member's two connections");
            assertEquals(2, sfu.iceTcpConnectionsOpen());
        }
    }
}

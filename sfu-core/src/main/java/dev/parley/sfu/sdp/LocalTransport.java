package dev.parley.sfu.sdp;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * What Parley announces for one of its transports: ICE-lite credentials, fingerprint, UDP host candidates and
 * ICE-TCP passive host candidates (RFC 6544; empty when ICE-TCP is off).
 */
public record LocalTransport(String ufrag, String pwd, String fingerprint, List<InetSocketAddress> candidates,
                             List<InetSocketAddress> tcpCandidates) {
    public LocalTransport {
        candidates = List.copyOf(candidates);
        tcpCandidates = List.copyOf(tcpCandidates);
    }

    /** UDP candidates only. */
    public LocalTransport(String ufrag, String pwd, String fingerprint, List<InetSocketAddress> candidates) {
        this(ufrag, pwd, fingerprint, candidates, List.of());
    }

    /** The same transport under new ICE credentials (an ICE restart: candidates and fingerprint stay). */
    public LocalTransport withCredentials(String newUfrag, String newPwd) {
        return new LocalTransport(newUfrag, newPwd, fingerprint, candidates, tcpCandidates);
    }

    void writeTo(StringBuilder sdp, String setup) {
        sdp.append("a=ice-ufrag:").append(ufrag).append("\r\n");
        sdp.append("a=ice-pwd:").append(pwd).append("\r\n");
        sdp.append("a=ice-options:trickle\r\n");
        sdp.append("a=fingerprint:").append(fingerprint).append("\r\n");
        sdp.append("a=setup:").append(setup).append("\r\n");
    }

    void writeCandidates(StringBuilder sdp) {
        int foundation = 1;
        for (InetSocketAddress c : candidates) {
            // Host candidates only: Parley's media port is reachable directly (or through TURN on the client side).
            long priority = (126L << 24) | ((65535L - foundation) << 8) | 255;
            sdp.append("a=candidate:").append(foundation).append(" 1 udp ").append(priority).append(' ')
                    .append(c.getAddress().getHostAddress()).append(' ').append(c.getPort())
                    .append(" typ host generation 0\r\n");
            foundation++;
        }
        for (InetSocketAddress c : tcpCandidates) {
            // Below every UDP candidate, so a browser that can use UDP does; "passive": the browser connects.
            long priority = (126L << 24) | ((32767L - foundation) << 8) | 255;
            sdp.append("a=candidate:").append(foundation).append(" 1 tcp ").append(priority).append(' ')
                    .append(c.getAddress().getHostAddress()).append(' ').append(c.getPort())
                    .append(" typ host tcptype passive generation 0\r\n");
            foundation++;
        }
        sdp.append("a=end-of-candidates\r\n");
    }
}

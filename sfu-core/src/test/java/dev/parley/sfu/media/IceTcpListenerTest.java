package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.dtls.HandshakeLimits;
import dev.parley.peerkit.StunMessage;
import dev.parley.testkit.Eventually;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ICE-TCP port over real TCP on 127.0.0.1: a connection whose first frame is a valid check is answered
 * (framed) and counted accepted; silence, broken framing and a first frame that is no valid check close the
 * connection and are counted; connections beyond the per-address cap are refused.
 */
@Timeout(30)
class IceTcpListenerTest {
    private static final Duration FIRST_MESSAGE = Duration.ofMillis(400);
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private MediaEngine engine;
    private final List<Socket> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        engine = MediaEngine.start(LOOPBACK, 0, null,
                new IceTcpConfig(0, 3, 100, FIRST_MESSAGE, Duration.ofSeconds(30)), List.of(LOOPBACK),
                Duration.ofSeconds(10), HandshakeLimits.DEFAULTS, SfuConfig.DEFAULT_SOCKET_BUFFER_BYTES);
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        engine.close();
    }

    @Test
    void aValidFirstCheckIsAnsweredFramedAndTheTransportAnnouncesThePassiveCandidate() throws IOException {
        PeerTransport t = engine.createTransport("room", "test", why -> {});
        assertEquals(List.of(new InetSocketAddress(LOOPBACK, engine.tcpPort())), t.local().tcpCandidates());
        Socket s = connect();
        byte[] check = StunMessage.browserCheck(new byte[12], t.ufrag() + ":browser", 1234, true, t.pwd());
        send(s, check);
        byte[] answer = readFrame(s);
        assertEquals(0x0101, ((answer[0] & 0xFF) << 8) | (answer[1] & 0xFF), "a Binding success response");
        assertArrayEquals(new byte[12], java.util.Arrays.copyOfRange(answer, 8, 20), "for our transaction");
        Eventually.await(WAIT, "accepted counted", () -> engine.iceTcpConnections(IceTcpOutcome.ACCEPTED) == 1);
        Eventually.await(WAIT, "the pair selected", () -> t.selected() instanceof MediaPath.Tcp);
        // A second check on the same connection (consent) is answered too.
        send(s, StunMessage.browserCheck(new byte[12], t.ufrag() + ":browser", 1234, false, t.pwd()));
        byte[] consent = readFrame(s);
        assertEquals(0x0101, ((consent[0] & 0xFF) << 8) | (consent[1] & 0xFF));
        t.close();
        assertClosedByServer(s);
        Eventually.await(WAIT, "no connection open", () -> engine.iceTcpOpen() == 0);
    }

    @Test
    void silenceClosesTheConnectionAfterTheFirstMessageDeadline() throws IOException {
        Socket s = connect();
        assertClosedByServer(s);
        assertEquals(1, engine.iceTcpConnections(IceTcpOutcome.FIRST_MESSAGE_TIMEOUT));
    }

    @Test
    void brokenFramingClosesTheConnection() throws IOException {
        Socket empty = connect();
        empty.getOutputStream().write(new byte[] {0, 0});
        assertClosedByServer(empty);
        Socket oversize = connect();
        oversize.getOutputStream().write(new byte[] {(byte) 0xFF, (byte) 0xFF, 1, 2, 3});
        assertClosedByServer(oversize);
        Eventually.await(WAIT, "two framing errors counted",
                () -> engine.iceTcpConnections(IceTcpOutcome.FRAMING_ERROR) == 2);
    }

    @Test
    void aFirstFrameThatIsNoValidCheckClosesTheConnection() throws IOException {
        PeerTransport t = engine.createTransport("room", "test", why -> {});
        Socket dtls = connect();
        byte[] record = new byte[60];
        record[0] = 22;
        send(dtls, record);
        assertClosedByServer(dtls);
        Socket wrongPassword = connect();
        send(wrongPassword, StunMessage.browserCheck(new byte[12], t.ufrag() + ":browser", 1, true,
                "not-the-password-at-all!"));
        assertClosedByServer(wrongPassword);
        Eventually.await(WAIT, "two bad first messages counted",
                () -> engine.iceTcpConnections(IceTcpOutcome.BAD_FIRST_MESSAGE) == 2);
        assertEquals(0, engine.iceTcpConnections(IceTcpOutcome.ACCEPTED));
    }

    @Test
    void connectionsBeyondThePerAddressCapAreRefused() throws IOException {
        for (int i = 0; i < 3; i++) {
            connect();
        }
        Eventually.await(WAIT, "three connections open", () -> engine.iceTcpOpen() == 3);
        Socket fourth = connect();
        assertClosedByServer(fourth);
        assertEquals(1, engine.iceTcpConnections(IceTcpOutcome.REFUSED_ADDRESS));
        assertTrue(engine.iceTcpOpen() <= 3);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(LOOPBACK, engine.tcpPort());
        s.setSoTimeout((int) WAIT.toMillis());
        sockets.add(s);
        return s;
    }

    private static void send(Socket s, byte[] frame) throws IOException {
        OutputStream out = s.getOutputStream();
        byte[] framed = new byte[frame.length + 2];
        framed[0] = (byte) (frame.length >>> 8);
        framed[1] = (byte) frame.length;
        System.arraycopy(frame, 0, framed, 2, frame.length);
        out.write(framed);
        out.flush();
    }

    private static byte[] readFrame(Socket s) throws IOException {
        DataInputStream in = new DataInputStream(s.getInputStream());
        int len = in.readUnsignedShort();
        byte[] frame = new byte[len];
        in.readFully(frame);
        return frame;
    }

    /** The server closes: the next read sees the end of the stream (or a reset), not a timeout. */
    private static void assertClosedByServer(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        try {
            assertEquals(-1, in.read(), "the server closed the connection");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open after " + WAIT, e);
        } catch (java.net.SocketException reset) {
            // closed with unread data in its buffer: a reset is a close too
        }
    }
}

package dev.parley.peerkit;

import java.io.IOException;
import java.util.Arrays;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DatagramTransport;
import org.bouncycastle.tls.TlsClient;

/**
 * Runs a DTLS client just far enough to catch the first datagram it sends, its ClientHello: what a test or
 * the load tool needs to send a well-formed (or deliberately stalled) handshake start.
 */
public final class ClientHelloCatcher implements DatagramTransport {
    private byte[] first;

    private ClientHelloCatcher() {}

    /** The ClientHello {@code client} sends first, as a datagram. */
    public static byte[] firstFlight(TlsClient client) throws IOException {
        ClientHelloCatcher catcher = new ClientHelloCatcher();
        try {
            new DTLSClientProtocol().connect(client, catcher);
        } catch (IOException stopped) {
            // receive() stops the client once the ClientHello is out
        }
        if (catcher.first == null) {
            throw new IOException("the DTLS client sent no ClientHello");
        }
        return catcher.first;
    }

    @Override
    public int getReceiveLimit() {
        return 1500;
    }

    @Override
    public int getSendLimit() {
        return 1200;
    }

    @Override
    public int receive(byte[] buf, int off, int len, int waitMillis) throws IOException {
        throw new IOException("caught the ClientHello; stop here");
    }

    @Override
    public void send(byte[] buf, int off, int len) {
        if (first == null) {
            first = Arrays.copyOfRange(buf, off, off + len);
        }
    }

    @Override
    public void close() {}
}

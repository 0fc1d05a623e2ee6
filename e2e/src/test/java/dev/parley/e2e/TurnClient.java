package dev.parley.e2e;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import org.ice4j.StunException;
import org.ice4j.TransportAddress;
import org.ice4j.Transport;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.MessageIntegrityAttribute;
import org.ice4j.attribute.NonceAttribute;
import org.ice4j.attribute.RealmAttribute;
import org.ice4j.message.Message;
import org.ice4j.message.MessageFactory;
import org.ice4j.message.Request;

/**
 * A small TURN client over UDP (RFC 8656) for tests: Allocate with long-term credentials (here the TURN REST
 * username and password Parley hands out), then CreatePermission for a peer. Messages are built and read with
 * ice4j's STUN classes; MESSAGE-INTEGRITY is appended here, keyed by MD5(username:realm:password), because
 * ice4j computes it only through a full StunStack. It sends only to the TURN server it is given.
 */
final class TurnClient implements AutoCloseable {
    /** The server's answer: the STUN class and, for an error, its code (401, 403, ...). */
    record Answer(boolean success, int errorCode, String reason) {}

    private static final byte UDP = 17;
    private final DatagramSocket socket;
    private final InetSocketAddress server;
    private final String username;
    private final String password;
    private byte[] realm;
    private byte[] nonce;

    TurnClient(InetSocketAddress server, String username, String password) throws IOException {
        this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.socket.setSoTimeout(3000);
        this.server = server;
        this.username = username;
        this.password = password;
    }

    /**
     * Asks for a UDP relay: first without credentials (the server answers 401 with its realm and a nonce), then
     * with them. Returns the second answer.
     */
    Answer allocate() throws IOException, StunException {
        Request probe = MessageFactory.createAllocateRequest(UDP, false);
        Message challenge = exchange(probe, false);
        ErrorCodeAttribute error = (ErrorCodeAttribute) challenge.getAttribute(Attribute.ERROR_CODE);
        if (error == null || error.getErrorCode() != 401) {
            throw new IllegalStateException("an Allocate without credentials must be challenged with 401, was " + describe(challenge));
        }
        realm = ((RealmAttribute) challenge.getAttribute(Attribute.REALM)).getRealm();
        nonce = ((NonceAttribute) challenge.getAttribute(Attribute.NONCE)).getNonce();
        return answer(exchange(MessageFactory.createAllocateRequest(UDP, false), true));
    }

    /** Asks the server to let {@code peer} send to this client's relay (after a successful {@link #allocate()}). */
    Answer createPermission(InetAddress peer) throws IOException, StunException {
        if (nonce == null) {
            throw new IllegalStateException("allocate first");
        }
        byte[] transactionId = transactionId();
        Request request = MessageFactory.createCreatePermissionRequest(
                new TransportAddress(peer, 9, Transport.UDP), transactionId);
        return answer(exchange(request, transactionId, true));
    }

    private Message exchange(Request request, boolean signed) throws IOException, StunException {
        return exchange(request, transactionId(), signed);
    }

    private Message exchange(Request request, byte[] transactionId, boolean signed) throws IOException, StunException {
        request.setTransactionID(transactionId);
        if (signed) {
            request.putAttribute(AttributeFactory.createUsernameAttribute(username));
            request.putAttribute(AttributeFactory.createRealmAttribute(realm));
            request.putAttribute(AttributeFactory.createNonceAttribute(nonce));
        }
        byte[] bytes = request.encode(null);
        if (signed) {
            bytes = withIntegrity(bytes, longTermKey());
        }
        socket.send(new DatagramPacket(bytes, bytes.length, server));
        byte[] buffer = new byte[1500];
        while (true) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer from the TURN server at " + server + " within 3 s", e);
            }
            if (packet.getLength() >= 20 && Arrays.equals(buffer, 8, 20, transactionId, 0, 12)) {
                return Message.decode(buffer, 0, packet.getLength());
            }
        }
    }

    // RFC 8489 section 14.5: the HMAC covers the message up to the attribute, with the length already counting it.
    private static byte[] withIntegrity(byte[] message, byte[] key) {
        byte[] out = Arrays.copyOf(message, message.length + 24);
        int length = message.length - 20 + 24;
        out[2] = (byte) (length >>> 8);
        out[3] = (byte) length;
        byte[] hmac = MessageIntegrityAttribute.calculateHmacSha1(out, 0, message.length, key);
        out[message.length] = 0x00;
        out[message.length + 1] = 0x08;
        out[message.length + 2] = 0x00;
        out[message.length + 3] = 0x14;
        System.arraycopy(hmac, 0, out, message.length + 4, 20);
        return out;
    }

    private byte[] longTermKey() {
        try {
            return MessageDigest.getInstance("MD5").digest((username + ":" + new String(realm, StandardCharsets.UTF_8)
                    + ":" + password).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    private static Answer answer(Message m) {
        if (Message.isSuccessResponseType(m.getMessageType())) {
            return new Answer(true, 0, "");
        }
        ErrorCodeAttribute error = (ErrorCodeAttribute) m.getAttribute(Attribute.ERROR_CODE);
        return new Answer(false, error == null ? -1 : error.getErrorCode(), error == null ? "" : error.getReasonPhrase());
    }

    private static String describe(Message m) {
        return answer(m).toString();
    }

    private static byte[] transactionId() {
        byte[] id = new byte[12];
        ThreadLocalRandom.current().nextBytes(id);
        return id;
    }

    @Override
    public void close() {
        socket.close();
    }
}

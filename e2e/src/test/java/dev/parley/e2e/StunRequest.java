package dev.parley.e2e;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.zip.CRC32;

/**
 * Builds STUN Binding requests (RFC 8489) byte by byte, as an ICE agent sends them (RFC 8445): attributes,
 * then MESSAGE-INTEGRITY (HMAC-SHA1 keyed by the short-term password) and FINGERPRINT (CRC-32 ^ 0x5354554E).
 * Written independently of the server's STUN code so that the tests do not trust what they test.
 */
final class StunRequest {
    static final int BINDING_REQUEST = 0x0001;
    static final int USERNAME = 0x0006;
    static final int MESSAGE_INTEGRITY = 0x0008;
    static final int PRIORITY = 0x0024;
    static final int SOFTWARE = 0x8022;
    static final int FINGERPRINT = 0x8028;
    static final int ICE_CONTROLLED = 0x8029;
    static final int ICE_CONTROLLING = 0x802A;
    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final int FINGERPRINT_XOR = 0x5354554E;
    private static final int HEADER = 20;

    private final ByteArrayOutputStream attributes = new ByteArrayOutputStream();
    private final byte[] transactionId;
    private final byte padding;

    /**
     * @param transactionId 12 bytes
     * @param padding the byte that pads attribute values to 4 bytes (0 normally; RFC 5769's vectors use spaces)
     */
    StunRequest(byte[] transactionId, byte padding) {
        if (transactionId.length != 12) throw new IllegalArgumentException("a STUN transaction id has 12 bytes");
        this.transactionId = transactionId.clone();
        this.padding = padding;
    }

    /** An ICE connectivity check from the controlling side: USERNAME, PRIORITY, ICE-CONTROLLING, integrity, fingerprint. */
    static byte[] iceBindingRequest(byte[] transactionId, String username, String password, int priority, long tieBreaker) {
        return new StunRequest(transactionId, (byte) 0)
                .attribute(USERNAME, username.getBytes(StandardCharsets.UTF_8))
                .attribute(PRIORITY, ByteBuffer.allocate(4).putInt(priority).array())
                .attribute(ICE_CONTROLLING, ByteBuffer.allocate(8).putLong(tieBreaker).array())
                .signed(password.getBytes(StandardCharsets.UTF_8));
    }

    /** Appends an attribute (type, length, value, padding). */
    StunRequest attribute(int type, byte[] value) {
        writeAttributeHeader(attributes, type, value.length);
        attributes.writeBytes(value);
        for (int i = value.length; i % 4 != 0; i++) attributes.write(padding);
        return this;
    }

    /** The message with MESSAGE-INTEGRITY keyed by {@code key} and FINGERPRINT appended. */
    byte[] signed(byte[] key) {
        byte[] body = attributes.toByteArray();
        // Integrity covers the message up to its own attribute, with the length already counting it (24 bytes).
        byte[] withIntegrity = message(body, 24, new byte[0]);
        byte[] hmac = hmacSha1(key, withIntegrity, withIntegrity.length);
        ByteArrayOutputStream tail = new ByteArrayOutputStream();
        writeAttributeHeader(tail, MESSAGE_INTEGRITY, 20);
        tail.writeBytes(hmac);
        // The fingerprint covers everything before it, with the length counting the fingerprint too (8 bytes).
        byte[] withFingerprint = message(body, 24 + 8, tail.toByteArray());
        CRC32 crc = new CRC32();
        crc.update(withFingerprint, 0, withFingerprint.length);
        writeAttributeHeader(tail, FINGERPRINT, 4);
        tail.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue() ^ FINGERPRINT_XOR).array());
        return message(body, 24 + 8, tail.toByteArray());
    }

    private byte[] message(byte[] body, int extraLength, byte[] tail) {
        ByteBuffer buffer = ByteBuffer.allocate(HEADER + body.length + tail.length);
        buffer.putShort((short) BINDING_REQUEST);
        buffer.putShort((short) (body.length + extraLength));
        buffer.putInt(MAGIC_COOKIE);
        buffer.put(transactionId);
        buffer.put(body);
        buffer.put(tail);
        return buffer.array();
    }

    private static void writeAttributeHeader(ByteArrayOutputStream out, int type, int length) {
        out.write(type >>> 8);
        out.write(type);
        out.write(length >>> 8);
        out.write(length);
    }

    private static byte[] hmacSha1(byte[] key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }
}

package dev.parley.peerkit;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Writes STUN messages (RFC 8489) byte by byte, as an ICE agent sends them (RFC 8445): attributes in the order
 * given, then MESSAGE-INTEGRITY (HMAC-SHA1 keyed by the short-term password) and FINGERPRINT (CRC-32 xor
 * 0x5354554E). It computes both itself, so a test never checks the server's STUN code (or ice4j) against itself;
 * it also writes what a friendly agent would not (wrong lengths, missing attributes) for tests of bad input.
 *
 * <pre>{@code
 * byte[] check = StunMessage.iceCheck(StunMessage.newTransactionId(), "srv:cli", serverPwd, true, tieBreaker);
 * byte[] odd = new StunMessage(BINDING_REQUEST, tid).username("srv:cli").integrity(pwd).bytes(); // no FINGERPRINT
 * }</pre>
 */
public final class StunMessage {
    public static final int BINDING_REQUEST = 0x0001;
    public static final int BINDING_INDICATION = 0x0011;
    public static final int BINDING_SUCCESS = 0x0101;
    public static final int BINDING_ERROR = 0x0111;
    public static final int USERNAME = 0x0006;
    public static final int MESSAGE_INTEGRITY = 0x0008;
    public static final int ERROR_CODE = 0x0009;
    public static final int UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int XOR_MAPPED_ADDRESS = 0x0020;
    public static final int PRIORITY = 0x0024;
    public static final int USE_CANDIDATE = 0x0025;
    public static final int SOFTWARE = 0x8022;
    public static final int FINGERPRINT = 0x8028;
    public static final int ICE_CONTROLLED = 0x8029;
    public static final int ICE_CONTROLLING = 0x802A;
    /** Chrome's GOOG-NETWORK-INFO: a comprehension-optional attribute a server must ignore. */
    public static final int GOOG_NETWORK_INFO = 0xC057;

    private static final int MAGIC_COOKIE = 0x2112A442;
    private static final long FINGERPRINT_XOR = 0x5354554EL;
    private static final int HEADER = 20;
    /** The priority of a host candidate as browsers compute it (type 126, local 65535, component 1). */
    private static final long HOST_PRIORITY = 0x7E7FFFFFL;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final byte padding;

    /** A message of {@code type} whose attribute values are padded with zero bytes. */
    public StunMessage(int type, byte[] transactionId) {
        this(type, transactionId, (byte) 0);
    }

    /**
     * @param transactionId 12 bytes
     * @param padding the byte that pads attribute values to 4 bytes (0 normally; RFC 5769's vectors use spaces)
     */
    public StunMessage(int type, byte[] transactionId, byte padding) {
        if (transactionId.length != 12) {
            throw new IllegalArgumentException("a STUN transaction id has 12 bytes, not " + transactionId.length);
        }
        this.padding = padding;
        writeShort(type);
        writeShort(0);
        writeInt(MAGIC_COOKIE);
        out.writeBytes(transactionId);
    }

    /** A fresh random 12-byte transaction id. */
    public static byte[] newTransactionId() {
        byte[] id = new byte[12];
        RANDOM.nextBytes(id);
        return id;
    }

    /**
     * A connectivity check from the controlling agent: USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE when
     * nominating, then MESSAGE-INTEGRITY and FINGERPRINT.
     *
     * @param username {@code <remote ufrag>:<local ufrag>}
     * @param password the remote side's {@code a=ice-pwd}
     */
    public static byte[] iceCheck(byte[] transactionId, String username, String password, boolean useCandidate,
                                  long tieBreaker) {
        StunMessage m = new StunMessage(BINDING_REQUEST, transactionId)
                .username(username)
                .priority(HOST_PRIORITY)
                .iceControlling(tieBreaker);
        if (useCandidate) {
            m.attribute(USE_CANDIDATE, new byte[0]);
        }
        return m.integrity(password).fingerprint().bytes();
    }

    /** A connectivity check as Chrome sends it (with its optional GOOG-NETWORK-INFO first), signed with {@code password}. */
    public static byte[] browserCheck(byte[] transactionId, String username, long priority, boolean useCandidate,
                                      String password) {
        StunMessage m = new StunMessage(BINDING_REQUEST, transactionId)
                .attribute(GOOG_NETWORK_INFO, new byte[] {0, 1, 0, 10})
                .username(username)
                .iceControlling(0x0123456789ABCDEFL)
                .priority(priority);
        if (useCandidate) {
            m.attribute(USE_CANDIDATE, new byte[0]);
        }
        return m.integrity(password).fingerprint().bytes();
    }

    /** True when {@code datagram} is a Binding success response to the request {@code transactionId} named. */
    public static boolean isBindingSuccessFor(byte[] datagram, int off, int len, byte[] transactionId) {
        return len >= HEADER && transactionId != null && type(datagram, off) == BINDING_SUCCESS
                && readInt(datagram, off + 4) == MAGIC_COOKIE
                && Arrays.equals(datagram, off + 8, off + 20, transactionId, 0, 12);
    }

    /** The message type of the STUN message at {@code off} (the caller checked it holds a header). */
    public static int type(byte[] datagram, int off) {
        return ((datagram[off] & 0xFF) << 8) | (datagram[off + 1] & 0xFF);
    }

    /** Appends an attribute: type, length, value, padding to 4 bytes. */
    public StunMessage attribute(int type, byte[] value) {
        writeShort(type);
        writeShort(value.length);
        out.writeBytes(value);
        while (out.size() % 4 != 0) {
            out.write(padding);
        }
        return this;
    }

    public StunMessage username(String username) {
        return attribute(USERNAME, username.getBytes(StandardCharsets.UTF_8));
    }

    public StunMessage priority(long priority) {
        return attribute(PRIORITY, bigEndian(priority, 4));
    }

    public StunMessage iceControlling(long tieBreaker) {
        return attribute(ICE_CONTROLLING, bigEndian(tieBreaker, 8));
    }

    public StunMessage iceControlled(long tieBreaker) {
        return attribute(ICE_CONTROLLED, bigEndian(tieBreaker, 8));
    }

    /** MESSAGE-INTEGRITY over everything so far, the length field counting through this attribute. */
    public StunMessage integrity(String password) {
        return integrity(password.getBytes(StandardCharsets.UTF_8));
    }

    /** MESSAGE-INTEGRITY keyed by {@code key}, the length field counting through this attribute. */
    public StunMessage integrity(byte[] key) {
        byte[] covered = withLength(out.size() - HEADER + 24);
        return attribute(MESSAGE_INTEGRITY, hmacSha1(key, covered));
    }

    /** FINGERPRINT over everything so far, the length field counting through this attribute. */
    public StunMessage fingerprint() {
        return attribute(FINGERPRINT, bigEndian(crc32(withLength(out.size() - HEADER + 8)) ^ FINGERPRINT_XOR, 4));
    }

    /** The message, its length field counting every attribute written. */
    public byte[] bytes() {
        return withLength(out.size() - HEADER);
    }

    /** Rewrites the last 4 bytes of a message as its FINGERPRINT, so a tampered message gets past that check. */
    public static void refingerprint(byte[] message) {
        long crc = crc32(Arrays.copyOf(message, message.length - 8)) ^ FINGERPRINT_XOR;
        System.arraycopy(bigEndian(crc, 4), 0, message, message.length - 4, 4);
    }

    private byte[] withLength(int length) {
        byte[] bytes = out.toByteArray();
        bytes[2] = (byte) (length >>> 8);
        bytes[3] = (byte) length;
        return bytes;
    }

    /** HMAC-SHA1 of {@code data} keyed by {@code password}: what MESSAGE-INTEGRITY carries. */
    public static byte[] hmacSha1(String password, byte[] data) {
        return hmacSha1(password.getBytes(StandardCharsets.UTF_8), data);
    }

    private static byte[] hmacSha1(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }

    /** The CRC-32 of {@code data} (FINGERPRINT is this xor 0x5354554E). */
    public static long crc32(byte[] data) {
        CRC32 crc = new CRC32();
        crc.update(data);
        return crc.getValue();
    }

    private static byte[] bigEndian(long value, int bytes) {
        byte[] b = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            b[i] = (byte) (value >>> (8 * (bytes - 1 - i)));
        }
        return b;
    }

    private static int readInt(byte[] b, int off) {
        return ((b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8) | (b[off + 3] & 0xFF);
    }

    private void writeShort(int value) {
        out.write(value >>> 8);
        out.write(value);
    }

    private void writeInt(int value) {
        writeShort(value >>> 16);
        writeShort(value);
    }
}

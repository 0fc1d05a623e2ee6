package dev.parley.sfu.stun;

import dev.parley.peerkit.StunMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A test-side reading of a STUN message, written from RFC 8489 independently of the code under test. */
record DecodedStun(int type, byte[] transactionId, List<Attr> attributes, byte[] raw) {

    record Attr(int type, int offset, byte[] value) {
    }

    static DecodedStun parse(byte[] raw) {
        assertTrue(raw.length >= 20, "shorter than a header");
        assertEquals(0x2112A442, intAt(raw, 4), "magic cookie");
        assertEquals(raw.length - 20, shortAt(raw, 2), "length field");
        List<Attr> attributes = new ArrayList<>();
        int pos = 20;
        while (pos < raw.length) {
            int type = shortAt(raw, pos);
            int length = shortAt(raw, pos + 2);
            assertTrue(pos + 4 + length <= raw.length, "attribute runs past the end");
            attributes.add(new Attr(type, pos, Arrays.copyOfRange(raw, pos + 4, pos + 4 + length)));
            pos += 4 + ((length + 3) & ~3);
        }
        assertEquals(raw.length, pos, "padding");
        return new DecodedStun(shortAt(raw, 0), Arrays.copyOfRange(raw, 8, 20), attributes, raw);
    }

    Attr attribute(int type) {
        return attributes.stream().filter(a -> a.type() == type).findFirst().orElse(null);
    }

    List<Integer> types() {
        return attributes.stream().map(Attr::type).toList();
    }

    /** FINGERPRINT is last and holds CRC-32 of everything before it, XOR 0x5354554E. */
    boolean fingerprintVerifies() {
        Attr last = attributes.get(attributes.size() - 1);
        if (last.type() != StunMessage.FINGERPRINT || last.value().length != 4) {
            return false;
        }
        long expected = StunMessage.crc32(Arrays.copyOf(raw, last.offset())) ^ 0x5354554EL;
        return intAt(last.value(), 0) == (int) expected;
    }

    /** MESSAGE-INTEGRITY holds HMAC-SHA1 under {@code password} of the message up to it. */
    boolean integrityVerifies(String password) {
        Attr integrity = attribute(StunMessage.MESSAGE_INTEGRITY);
        if (integrity == null) {
            return false;
        }
        byte[] covered = Arrays.copyOf(raw, integrity.offset());
        int length = integrity.offset() - 20 + 24;
        covered[2] = (byte) (length >>> 8);
        covered[3] = (byte) length;
        return Arrays.equals(StunMessage.hmacSha1(password, covered), integrity.value());
    }

    InetSocketAddress xorMappedAddress() throws UnknownHostException {
        byte[] value = attribute(StunMessage.XOR_MAPPED_ADDRESS).value();
        int port = shortAt(value, 2) ^ 0x2112;
        byte[] mask = new byte[16];
        System.arraycopy(raw, 4, mask, 0, 16); // magic cookie then transaction id
        int family = value[1];
        byte[] address = Arrays.copyOfRange(value, 4, family == 1 ? 8 : 20);
        assertEquals(family == 1 ? 8 : 20, value.length, "address length for family " + family);
        for (int i = 0; i < address.length; i++) {
            address[i] ^= mask[i];
        }
        return new InetSocketAddress(InetAddress.getByAddress(address), port);
    }

    int errorCode() {
        byte[] value = attribute(StunMessage.ERROR_CODE).value();
        return (value[2] & 0x7) * 100 + (value[3] & 0xFF);
    }

    static int shortAt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int intAt(byte[] b, int at) {
        return (shortAt(b, at) << 16) | shortAt(b, at + 2);
    }
}

package dev.parley.sfu.stun;

import static dev.parley.sfu.stun.BindingRequest.HEADER_LENGTH;
import static dev.parley.sfu.stun.BindingRequest.MAGIC_COOKIE;
import static dev.parley.sfu.stun.StunIntegrity.FINGERPRINT_ATTRIBUTE_LENGTH;
import static dev.parley.sfu.stun.StunIntegrity.INTEGRITY_ATTRIBUTE_LENGTH;

import java.net.InetSocketAddress;
import org.ice4j.attribute.Attribute;
import org.ice4j.attribute.AttributeFactory;
import org.ice4j.attribute.ErrorCodeAttribute;
import org.ice4j.attribute.UnknownAttributesAttribute;
import org.ice4j.message.Message;

/**
 * Encodes Binding responses: a header echoing the request's transaction id, the attributes, then
 * MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT, which ICE puts on every message. The success
 * response, sent for every consent check, is written directly into its one array; the rare error
 * responses have their attributes encoded by ice4j.
 */
final class StunResponseEncoder {

    /** The error responses this server sends, with RFC 8489's reason phrases. */
    enum ErrorCode {
        BAD_REQUEST(ErrorCodeAttribute.BAD_REQUEST, "Bad Request"),
        UNAUTHENTICATED(ErrorCodeAttribute.UNAUTHORIZED, "Unauthenticated"),
        UNKNOWN_ATTRIBUTE(ErrorCodeAttribute.UNKNOWN_ATTRIBUTE, "Unknown Attribute"),
        ROLE_CONFLICT(ErrorCodeAttribute.ROLE_CONFLICT, "Role Conflict");

        final char code;
        final String reason;

        ErrorCode(char code, String reason) {
            this.code = code;
            this.reason = reason;
        }
    }

    private StunResponseEncoder() {
    }

    /**
     * A success response telling the peer the address we saw it at (XOR-MAPPED-ADDRESS, RFC 8489 14.2):
     * the port XOR-ed with the cookie's high half, an IPv4 address with the cookie, an IPv6 address with
     * the cookie and the transaction id.
     */
    static byte[] success(BindingRequest request, InetSocketAddress from, byte[] key, StunIntegrity integrity) {
        byte[] address = from.getAddress().getAddress();
        int valueLength = 4 + address.length;
        int length = HEADER_LENGTH + Attribute.HEADER_LENGTH + valueLength + INTEGRITY_ATTRIBUTE_LENGTH
                + FINGERPRINT_ATTRIBUTE_LENGTH;
        byte[] out = new byte[length];
        writeShort(out, 0, Message.BINDING_SUCCESS_RESPONSE);
        writeInt(out, 4, MAGIC_COOKIE);
        System.arraycopy(request.buf(), request.off() + BindingRequest.TRANSACTION_ID_OFFSET, out,
                BindingRequest.TRANSACTION_ID_OFFSET, BindingRequest.TRANSACTION_ID_LENGTH);
        int pos = HEADER_LENGTH;
        writeShort(out, pos, Attribute.XOR_MAPPED_ADDRESS);
        writeShort(out, pos + 2, valueLength);
        out[pos + 5] = (byte) (address.length == 4 ? 0x01 : 0x02); // family; the byte before it is zero
        writeShort(out, pos + 6, from.getPort() ^ (MAGIC_COOKIE >>> 16));
        for (int i = 0; i < address.length; i++) {
            // The cookie and then the transaction id sit at bytes 4..19 of the header, already in out.
            out[pos + 8 + i] = (byte) (address[i] ^ out[4 + i]);
        }
        pos += Attribute.HEADER_LENGTH + valueLength;
        return finish(out, pos, key, integrity);
    }

    /**
     * An error response; a 420 also lists the request's unknown comprehension-required attributes.
     * {@code key} is the password the request authenticated with, or {@code null} when it did not
     * authenticate (such responses must not carry MESSAGE-INTEGRITY, RFC 8489 9.1.3).
     */
    static byte[] error(BindingRequest request, ErrorCode error, byte[] key, StunIntegrity integrity) {
        Attribute errorCode = AttributeFactory.createErrorCodeAttribute(error.code, error.reason);
        if (error != ErrorCode.UNKNOWN_ATTRIBUTE) {
            return encode(Message.BINDING_ERROR_RESPONSE, request.transactionId(), key, integrity, errorCode);
        }
        UnknownAttributesAttribute unknown = AttributeFactory.createUnknownAttributesAttribute();
        for (char type : request.unknownRequired()) {
            unknown.addAttributeID(type);
        }
        return encode(Message.BINDING_ERROR_RESPONSE, request.transactionId(), key, integrity, errorCode, unknown);
    }

    private static byte[] encode(char type, byte[] transactionId, byte[] key, StunIntegrity integrity,
                                 Attribute... attributes) {
        int length = HEADER_LENGTH + FINGERPRINT_ATTRIBUTE_LENGTH + (key == null ? 0 : INTEGRITY_ATTRIBUTE_LENGTH);
        for (Attribute attribute : attributes) {
            length += Attribute.HEADER_LENGTH + padded(attribute.getDataLength());
        }
        byte[] out = new byte[length];
        writeShort(out, 0, type);
        writeInt(out, 4, MAGIC_COOKIE);
        System.arraycopy(transactionId, 0, out, BindingRequest.TRANSACTION_ID_OFFSET,
                BindingRequest.TRANSACTION_ID_LENGTH);

        int pos = HEADER_LENGTH;
        for (Attribute attribute : attributes) {
            byte[] encoded = attribute.encode(); // some ice4j encoders pad, some do not
            System.arraycopy(encoded, 0, out, pos, encoded.length);
            pos += Attribute.HEADER_LENGTH + padded(attribute.getDataLength());
        }
        return finish(out, pos, key, integrity);
    }

    /**
     * Appends MESSAGE-INTEGRITY (when {@code key} is given) and FINGERPRINT at {@code pos}, which {@code out}
     * was sized for exactly.
     */
    private static byte[] finish(byte[] out, int pos, byte[] key, StunIntegrity integrity) {
        if (key != null) {
            integrity.hmac(key, out, 0, pos, out, pos + 4);
            writeShort(out, pos, Attribute.MESSAGE_INTEGRITY);
            writeShort(out, pos + 2, StunIntegrity.HMAC_LENGTH);
            pos += INTEGRITY_ATTRIBUTE_LENGTH;
        }
        // The fingerprint covers a header whose length already counts the FINGERPRINT attribute.
        writeShort(out, 2, out.length - HEADER_LENGTH);
        writeShort(out, pos, Attribute.FINGERPRINT);
        writeShort(out, pos + 2, 4);
        writeInt(out, pos + 4, StunIntegrity.fingerprint(out, 0, pos));
        return out;
    }

    private static int padded(int length) {
        return (length + 3) & ~3;
    }

    private static void writeShort(byte[] out, int at, int value) {
        out[at] = (byte) (value >>> 8);
        out[at + 1] = (byte) value;
    }

    private static void writeInt(byte[] out, int at, int value) {
        writeShort(out, at, value >>> 16);
        writeShort(out, at + 2, value);
    }
}

package dev.parley.sfu.stun;

import static dev.parley.sfu.stun.BindingRequest.HEADER_LENGTH;
import static dev.parley.sfu.stun.BindingRequest.MAGIC_COOKIE;

import java.util.Arrays;
import org.ice4j.attribute.Attribute;
import org.ice4j.message.Message;

/**
 * Reads a datagram as a STUN Binding request (RFC 8489 section 5 and 14) with one walk over its
 * attributes, never looking outside {@code [off, off + len)}. Checks structure and FINGERPRINT only;
 * authentication is the responder's job.
 */
final class BindingRequestParser {
    private static final int ATTRIBUTE_HEADER_LENGTH = 4;
    /** RFC 8489 14.3: USERNAME is less than 513 bytes. */
    private static final int MAX_USERNAME_LENGTH = 512;
    private static final int INTEGRITY_LENGTH = 20;
    private static final int FINGERPRINT_LENGTH = 4;
    /** Enough to tell the peer what we did not understand without letting it size our answer. */
    private static final int MAX_UNKNOWN_REPORTED = 8;

    private static final ParsedDatagram NOT_STUN = new ParsedDatagram.Unusable(StunRejection.NOT_STUN);
    private static final ParsedDatagram NOT_BINDING_REQUEST =
            new ParsedDatagram.Unusable(StunRejection.NOT_BINDING_REQUEST);
    private static final ParsedDatagram MALFORMED = new ParsedDatagram.Unusable(StunRejection.MALFORMED);
    private static final ParsedDatagram MISSING_FINGERPRINT =
            new ParsedDatagram.Unusable(StunRejection.MISSING_FINGERPRINT);
    private static final ParsedDatagram BAD_FINGERPRINT =
            new ParsedDatagram.Unusable(StunRejection.BAD_FINGERPRINT);

    private BindingRequestParser() {
    }

    /** RFC 7983 first byte 0..3, a full header, and the magic cookie. The caller checked the bounds. */
    static boolean hasStunHeader(byte[] buf, int off, int len) {
        return len >= HEADER_LENGTH
                && (buf[off] & 0xFF) <= 3
                && readInt(buf, off + 4) == MAGIC_COOKIE;
    }

    /** The caller guarantees {@code [off, off + len)} lies inside {@code buf}. */
    static ParsedDatagram parse(byte[] buf, int off, int len) {
        if (!hasStunHeader(buf, off, len)) {
            return NOT_STUN;
        }
        int messageLength = readShort(buf, off + 2);
        // Attributes are 32-bit aligned, and over UDP the message is exactly the datagram.
        if (messageLength % 4 != 0 || HEADER_LENGTH + messageLength != len) {
            return NOT_STUN;
        }
        if (readShort(buf, off) != Message.BINDING_REQUEST) {
            return NOT_BINDING_REQUEST;
        }
        return readAttributes(buf, off, len);
    }

    private static ParsedDatagram readAttributes(byte[] buf, int off, int len) {
        int end = off + len;
        int usernameOffset = -1;
        int usernameLength = 0;
        int integrityOffset = -1;
        int fingerprintOffset = -1;
        long priority = -1;
        boolean iceControlling = false;
        boolean iceControlled = false;
        boolean useCandidate = false;
        char[] unknown = new char[MAX_UNKNOWN_REPORTED];
        int unknownCount = 0;

        int pos = off + HEADER_LENGTH;
        while (pos < end) {
            // The length field is a multiple of 4 and so is every step, so a header always fits here.
            int type = readShort(buf, pos);
            int valueLength = readShort(buf, pos + 2);
            int value = pos + ATTRIBUTE_HEADER_LENGTH;
            int padded = (valueLength + 3) & ~3;
            if (padded > end - value || fingerprintOffset >= 0) {
                return MALFORMED; // runs past the end, or something follows FINGERPRINT
            }
            if (type == Attribute.FINGERPRINT) {
                if (valueLength != FINGERPRINT_LENGTH) {
                    return MALFORMED;
                }
                fingerprintOffset = pos;
            } else if (integrityOffset < 0) {
                // RFC 8489 14.5: everything between MESSAGE-INTEGRITY and FINGERPRINT is ignored.
                switch (type) {
                    case Attribute.USERNAME -> {
                        if (usernameOffset >= 0 || valueLength > MAX_USERNAME_LENGTH) {
                            return MALFORMED;
                        }
                        usernameOffset = value;
                        usernameLength = valueLength;
                    }
                    case Attribute.MESSAGE_INTEGRITY -> {
                        if (valueLength != INTEGRITY_LENGTH) {
                            return MALFORMED;
                        }
                        integrityOffset = pos;
                    }
                    case Attribute.PRIORITY -> {
                        if (priority >= 0 || valueLength != 4) {
                            return MALFORMED;
                        }
                        priority = readInt(buf, value) & 0xFFFF_FFFFL;
                    }
                    case Attribute.ICE_CONTROLLING -> {
                        if (iceControlling || valueLength != 8) {
                            return MALFORMED;
                        }
                        iceControlling = true;
                    }
                    case Attribute.ICE_CONTROLLED -> {
                        if (iceControlled || valueLength != 8) {
                            return MALFORMED;
                        }
                        iceControlled = true;
                    }
                    case Attribute.USE_CANDIDATE -> {
                        if (useCandidate || valueLength != 0) {
                            return MALFORMED;
                        }
                        useCandidate = true;
                    }
                    default -> {
                        // 0x0000-0x7FFF are comprehension-required (RFC 8489 14); the rest we may skip.
                        if (type < 0x8000 && unknownCount < MAX_UNKNOWN_REPORTED
                                && !contains(unknown, unknownCount, (char) type)) {
                            unknown[unknownCount++] = (char) type;
                        }
                    }
                }
            }
            pos = value + padded;
        }

        if (fingerprintOffset < 0) {
            return MISSING_FINGERPRINT;
        }
        if (readInt(buf, fingerprintOffset + ATTRIBUTE_HEADER_LENGTH)
                != StunIntegrity.fingerprint(buf, off, fingerprintOffset - off)) {
            return BAD_FINGERPRINT;
        }
        return new BindingRequest(buf, off, len, usernameOffset, usernameLength, integrityOffset, priority,
                iceControlled, useCandidate, Arrays.copyOf(unknown, unknownCount));
    }

    private static boolean contains(char[] types, int count, char type) {
        for (int i = 0; i < count; i++) {
            if (types[i] == type) {
                return true;
            }
        }
        return false;
    }

    static int readShort(byte[] buf, int at) {
        return ((buf[at] & 0xFF) << 8) | (buf[at + 1] & 0xFF);
    }

    static int readInt(byte[] buf, int at) {
        return ((buf[at] & 0xFF) << 24) | ((buf[at + 1] & 0xFF) << 16) | ((buf[at + 2] & 0xFF) << 8)
                | (buf[at + 3] & 0xFF);
    }
}

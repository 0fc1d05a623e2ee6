package dev.parley.sfu.tap;

/**
 * One decrypted RTP packet of a tapped track, as the publisher sent it (its SSRC, sequence number, payload type
 * and timestamp unchanged; SRTP removed). Of a simulcast track, the tap gets one layer at a time (the best that
 * flows) as one stream: the SSRC of the first layer delivered, and sequence numbers, timestamps and VP8 picture
 * IDs that run on across a change of layer, which happens on a keyframe. Valid only during the {@link TrackTapListener#onRtp} call that passes
 * it: the bytes live in a queue slot that is reused afterwards, so copy what you keep.
 */
public interface TapPacket {
    /** The array holding the packet; the packet is {@code array()[offset() .. offset()+length())}. */
    byte[] array();

    int offset();

    /** Length of the whole RTP packet, header included. */
    int length();

    /** When the packet reached Parley, on the {@link System#nanoTime()} clock. */
    long arrivalNanos();

    int sequenceNumber();

    /** The RTP timestamp, unsigned 32 bits. */
    long timestamp();

    boolean marker();

    int payloadType();

    int ssrc();

    /** Where the payload starts in {@link #array()}, after CSRCs and header extensions. */
    int payloadOffset();

    /** Payload length, without RTP padding. */
    int payloadLength();

    /** A copy of the whole packet, for keeping it beyond the call. */
    default byte[] copy() {
        return java.util.Arrays.copyOfRange(array(), offset(), offset() + length());
    }
}

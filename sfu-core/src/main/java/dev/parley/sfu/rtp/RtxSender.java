package dev.parley.sfu.rtp;

import dev.parley.sfu.packet.PacketBuffer;

/**
 * The retransmission stream that goes with one outgoing video stream (RFC 4588, SSRC-multiplexed): its SSRC and
 * payload type as negotiated with the receiver, and its own sequence numbers. Owned by one thread.
 */
public final class RtxSender {
    private final int ssrc;
    private final int payloadType;
    private int sequence;

    public RtxSender(int ssrc, int payloadType, int firstSequence) {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("RTX payload type must be 0..127, got " + payloadType);
        }
        this.ssrc = ssrc;
        this.payloadType = payloadType;
        this.sequence = firstSequence & 0xFFFF;
    }

    /** Takes the next sequence number of this stream, for a packet sent on it that wraps nothing (padding). */
    public int takeSequence() {
        int s = sequence;
        sequence = (sequence + 1) & 0xFFFF;
        return s;
    }

    public int ssrc() {
        return ssrc;
    }

    public int payloadType() {
        return payloadType;
    }

    /**
     * Wraps {@code original}, the packet as the receiver first got it (its SSRC and sequence number), into
     * {@code into} as the next packet of this retransmission stream.
     *
     * @return false, using no sequence number, when the packet cannot be wrapped (see {@link RtxPacket#encapsulate})
     */
    public boolean wrap(PacketBuffer original, PacketBuffer into) {
        if (!RtxPacket.encapsulate(original.array(), original.offset(), original.length(), into, ssrc, payloadType,
                sequence)) {
            return false;
        }
        sequence = (sequence + 1) & 0xFFFF;
        return true;
    }
}

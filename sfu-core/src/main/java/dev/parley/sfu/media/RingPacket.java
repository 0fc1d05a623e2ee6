package dev.parley.sfu.media;

import dev.parley.sfu.rtp.RtpHeader;
import dev.parley.sfu.tap.TapPacket;

/** The tap thread's one reusable view of the ring slot it is delivering. */
final class RingPacket implements TapPacket {
    private byte[] array;
    private int offset;
    private int length;
    private long arrivalNanos;

    void point(byte[] array, int offset, int length, long arrivalNanos) {
        this.array = array;
        this.offset = offset;
        this.length = length;
        this.arrivalNanos = arrivalNanos;
    }

    @Override
    public byte[] array() {
        return array;
    }

    @Override
    public int offset() {
        return offset;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public long arrivalNanos() {
        return arrivalNanos;
    }

    @Override
    public int sequenceNumber() {
        return RtpHeader.sequenceNumber(array, offset);
    }

    @Override
    public long timestamp() {
        return RtpHeader.timestamp(array, offset) & 0xFFFF_FFFFL;
    }

    @Override
    public boolean marker() {
        return RtpHeader.marker(array, offset);
    }

    @Override
    public int payloadType() {
        return RtpHeader.payloadType(array, offset);
    }

    @Override
    public int ssrc() {
        return RtpHeader.ssrc(array, offset);
    }

    @Override
    public int payloadOffset() {
        return RtpHeader.payloadOffset(array, offset);
    }

    @Override
    public int payloadLength() {
        return RtpHeader.payloadLength(array, offset, length);
    }
}

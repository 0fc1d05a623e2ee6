package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;

/**
 * Splits an ICE-TCP byte stream into the packets it carries (RFC 4571: each one preceded by its length as two
 * bytes, big-endian). A frame is a STUN, DTLS or SRTP packet, so one longer than {@link PacketBuffer#MAX_DATAGRAM}
 * or an empty one means the stream is not what it claims: the decoder raises an error and reads nothing more;
 * the connection handler closes the connection.
 *
 * <p>Frames are handed on as retained slices of the pooled read buffer (no copy, no allocation per frame).
 */
final class Rfc4571FrameDecoder extends ByteToMessageDecoder {
    static final int LENGTH_BYTES = 2;
    static final int MAX_FRAME = PacketBuffer.MAX_DATAGRAM;

    private boolean failed;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < LENGTH_BYTES) {
            return;
        }
        int length = in.getUnsignedShort(in.readerIndex());
        if (length == 0 || length > MAX_FRAME) {
            failed = true;
            in.skipBytes(in.readableBytes());
            throw length == 0 ? new CorruptedFrameException("empty ICE-TCP frame")
                    : new TooLongFrameException("ICE-TCP frame of " + length + " bytes (at most " + MAX_FRAME + ")");
        }
        if (in.readableBytes() < LENGTH_BYTES + length) {
            return;
        }
        in.skipBytes(LENGTH_BYTES);
        out.add(in.readRetainedSlice(length));
    }
}

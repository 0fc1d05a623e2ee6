package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RFC 4571 framing: a two-byte big-endian length before each packet, packets split or joined arbitrarily by TCP. */
class Rfc4571FrameDecoderTest {
    private final FrameCollector frames = new FrameCollector();
    private final EmbeddedChannel channel = new EmbeddedChannel(new Rfc4571FrameDecoder(), frames);

    @Test
    void framesJoinedInOneReadComeOutOneByOne() {
        channel.writeInbound(bytes(0, 3, 1, 2, 3, 0, 1, 9, 0, 2, 7, 8));
        assertEquals(3, frames.frames.size());
        assertArrayEquals(new byte[] {1, 2, 3}, frames.frames.get(0));
        assertArrayEquals(new byte[] {9}, frames.frames.get(1));
        assertArrayEquals(new byte[] {7, 8}, frames.frames.get(2));
        assertEquals(List.of(), frames.errors);
    }

    @Test
    void aFrameSplitAcrossReadsWaitsForItsLastByte() {
        channel.writeInbound(bytes(0));
        channel.writeInbound(bytes(4, 1));
        channel.writeInbound(bytes(2, 3));
        assertEquals(0, frames.frames.size());
        channel.writeInbound(bytes(4, 0));
        assertEquals(1, frames.frames.size());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, frames.frames.get(0));
        channel.writeInbound(bytes(1, 5)); // the 0 before was this frame's first length byte
        assertEquals(2, frames.frames.size());
        assertArrayEquals(new byte[] {5}, frames.frames.get(1));
        assertEquals(List.of(), frames.errors);
    }

    @Test
    void theLargestPacketPassesAndOneByteMoreIsAnError() {
        byte[] largest = new byte[2 + Rfc4571FrameDecoder.MAX_FRAME];
        largest[0] = (byte) (Rfc4571FrameDecoder.MAX_FRAME >>> 8);
        largest[1] = (byte) Rfc4571FrameDecoder.MAX_FRAME;
        channel.writeInbound(Unpooled.wrappedBuffer(largest));
        assertEquals(1, frames.frames.size());
        assertEquals(Rfc4571FrameDecoder.MAX_FRAME, frames.frames.get(0).length);

        int tooLong = Rfc4571FrameDecoder.MAX_FRAME + 1;
        channel.writeInbound(bytes(tooLong >>> 8, tooLong & 0xFF, 1, 2, 3));
        assertEquals(1, frames.errors.size());
        assertInstanceOf(TooLongFrameException.class, frames.errors.get(0));
    }

    @Test
    void anEmptyFrameIsAnErrorAndNothingAfterItIsRead() {
        channel.writeInbound(bytes(0, 1, 42, 0, 0, 0, 1, 43));
        assertEquals(1, frames.frames.size());
        assertEquals(1, frames.errors.size());
        DecoderException e = assertInstanceOf(CorruptedFrameException.class, frames.errors.get(0));
        assertEquals("empty ICE-TCP frame", e.getMessage());
        channel.writeInbound(bytes(0, 1, 44));
        assertEquals(1, frames.frames.size(), "a stream that broke its framing is not read any further");
    }

    private static ByteBuf bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return Unpooled.wrappedBuffer(b);
    }
}

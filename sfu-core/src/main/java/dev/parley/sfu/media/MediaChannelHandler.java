package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.stun.StunBindingResponder;
import dev.parley.sfu.stun.StunResult;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/**
 * The first step of the media path: copies each datagram into the loop's packet buffer and demultiplexes
 * it by its first byte (RFC 7983) to STUN, DTLS or SRTP handling on the transport its address belongs to.
 */
final class MediaChannelHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Supplier<MediaEngine> engineRef;
    private final PacketBuffer in = new PacketBuffer();
    private MediaEngine engine;
    private StunBindingResponder stun;

    MediaChannelHandler(Supplier<MediaEngine> engineRef) {
        this.engineRef = engineRef;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        if (engine == null) {
            engine = engineRef.get();
            if (engine == null) {
                return; // datagrams before start() finished: nobody can be connected yet
            }
            stun = engine.newStunResponder();
        }
        MediaCounters counters = engine.counterSet();
        counters.received();
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        if (len == 0 || len > PacketBuffer.MAX_DATAGRAM) {
            counters.dropped(DropReason.TOO_LARGE);
            return;
        }
        content.getBytes(content.readerIndex(), in.array(), 0, len);
        in.setWindow(0, len);
        InetSocketAddress from = packet.sender();
        int first = in.getUnsignedByte(0);
        if (first <= 3) {
            onStun(from, counters);
        } else if (first >= 20 && first <= 63) {
            PeerTransport t = engine.transportAt(from);
            if (t == null) {
                counters.dropped(DropReason.UNKNOWN_SOURCE);
            } else {
                t.onDtls(in, from);
            }
        } else if (first >= 128 && first <= 191) {
            PeerTransport t = engine.transportAt(from);
            if (t == null) {
                counters.dropped(DropReason.UNKNOWN_SOURCE);
            } else {
                t.onSrtp(in);
            }
        } else {
            counters.dropped(DropReason.UNCLASSIFIED);
        }
    }

    private void onStun(InetSocketAddress from, MediaCounters counters) {
        if (!StunBindingResponder.looksLikeStun(in.array(), in.offset(), in.length())) {
            counters.dropped(DropReason.STUN_INVALID);
            return;
        }
        StunResult result = stun.handle(in.array(), in.offset(), in.length(), from);
        switch (result) {
            case StunResult.Accepted ok -> {
                PeerTransport t = engine.transportForUfrag(ok.localUfrag());
                if (t == null || t.isClosed()) {
                    counters.dropped(DropReason.STUN_INVALID);
                    return;
                }
                engine.bind(from, t);
                t.onConsent(from, ok.useCandidate(), System.nanoTime());
                byte[] response = ok.response();
                engine.sendNow(response, 0, response.length, from);
            }
            case StunResult.Rejected no -> {
                counters.dropped(DropReason.STUN_INVALID);
                if (no.response() != null) {
                    engine.sendNow(no.response(), 0, no.response().length, from);
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }
}

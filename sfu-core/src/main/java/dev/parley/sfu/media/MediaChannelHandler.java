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
 * The first step of the UDP media path: copies each datagram into the loop's packet buffer and demultiplexes
 * it by its first byte (RFC 7983) to STUN, DTLS or SRTP handling on the transport its address belongs to.
 *
 * <p>On the shared port any transport's checks are answered and addresses are looked up in the engine's table;
 * on a port of the range only the one transport that owns the port is.
 */
final class MediaChannelHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Supplier<MediaEngine> engineRef;
    private final boolean owned;
    private final PacketBuffer in = new PacketBuffer();
    private MediaEngine engine;
    private StunBindingResponder stun;
    private MediaOutlet outlet;
    /** The transport owning this port (port range only); set right after the socket is bound. */
    private volatile PeerTransport owner;

    /** The shared port's handler. */
    MediaChannelHandler(Supplier<MediaEngine> engineRef) {
        this.engineRef = engineRef;
        this.owned = false;
    }

    /** The handler of a port of the range; {@link #own} names its transport. */
    MediaChannelHandler(MediaEngine engine) {
        this.engineRef = () -> engine;
        this.owned = true;
    }

    void own(PeerTransport t) {
        owner = t;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        if (engine == null) {
            engine = engineRef.get();
            if (engine == null) {
                return; // datagrams before start() finished: nobody can be connected yet
            }
            stun = engine.newStunResponder();
            outlet = owned ? null : engine.sharedOutlet();
        }
        PeerTransport own = null;
        if (owned) {
            own = owner;
            if (own == null) {
                return; // the port was bound a moment ago and its transport is being made
            }
            if (outlet == null) {
                outlet = own.ownOutlet();
            }
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
            onStun(from, counters, own);
        } else if (first >= 20 && first <= 63) {
            PeerTransport t = transportAt(from, own);
            if (t == null) {
                counters.dropped(DropReason.UNKNOWN_SOURCE);
            } else {
                t.onDtls(in, from);
            }
        } else if (first >= 128 && first <= 191) {
            PeerTransport t = transportAt(from, own);
            if (t == null) {
                counters.dropped(DropReason.UNKNOWN_SOURCE);
            } else {
                t.onSrtp(in);
            }
        } else {
            counters.dropped(DropReason.UNCLASSIFIED);
        }
    }

    private PeerTransport transportAt(InetSocketAddress from, PeerTransport own) {
        if (own == null) {
            return engine.transportAt(from);
        }
        return own.addresses().contains(from) ? own : null;
    }

    private void onStun(InetSocketAddress from, MediaCounters counters, PeerTransport own) {
        if (!StunBindingResponder.looksLikeStun(in.array(), in.offset(), in.length())) {
            counters.dropped(DropReason.STUN_INVALID);
            return;
        }
        StunResult result = stun.handle(in.array(), in.offset(), in.length(), from);
        switch (result) {
            case StunResult.Accepted ok -> {
                PeerTransport t = engine.transportForUfrag(ok.localUfrag());
                if (t == null || t.isClosed() || (own != null && t != own)) {
                    counters.dropped(DropReason.STUN_INVALID);
                    return;
                }
                if (own == null) {
                    engine.bind(from, t);
                } else {
                    own.bindOwn(from);
                }
                MediaPath path = t.udpPath(outlet, from);
                t.onConsent(path, ok.useCandidate(), System.nanoTime());
                byte[] response = ok.response();
                path.sendNow(response, 0, response.length);
            }
            case StunResult.Rejected no -> {
                counters.dropped(DropReason.STUN_INVALID);
                if (no.response() != null) {
                    new MediaPath.Udp(outlet, from).sendNow(no.response(), 0, no.response().length);
                }
            }
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (engine != null) {
            engine.flush();
        }
    }
}

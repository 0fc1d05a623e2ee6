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
 * on a port of the range only the one transport that owns the port is. Each media loop has its own socket on the
 * shared port; a datagram whose transport belongs to another loop's room is handed to that loop
 * ({@link MediaLoop#handOff}), which handles it here too, on its own handler ({@link #onHandedOff}).
 */
final class MediaChannelHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final Supplier<MediaEngine> engineRef;
    private final int loopIndex;
    private final boolean owned;
    private final PacketBuffer in = new PacketBuffer();
    private MediaEngine engine;
    /** The loop this handler's socket is registered on. */
    private MediaLoop home;
    private StunBindingResponder stun;
    private MediaOutlet outlet;
    /** The transport owning this port (port range only); set right after the socket is bound. */
    private volatile PeerTransport owner;

    /** The handler of loop {@code loopIndex}'s socket on the shared port. */
    MediaChannelHandler(Supplier<MediaEngine> engineRef, int loopIndex) {
        this.engineRef = engineRef;
        this.loopIndex = loopIndex;
        this.owned = false;
    }

    /** The handler of a port of the range, on its transport's loop; {@link #own} names its transport. */
    MediaChannelHandler(MediaLoop home) {
        this.engineRef = home::engine;
        this.loopIndex = home.index;
        this.home = home;
        this.owned = true;
    }

    void own(PeerTransport t) {
        owner = t;
    }

    /** Loop: false while the engine is still starting. */
    private boolean ready() {
        if (engine == null) {
            MediaEngine e = engineRef.get();
            if (e == null) {
                return false;
            }
            home = e.loop(loopIndex);
            stun = e.newStunResponder();
            outlet = owned ? null : home.sharedOutlet();
            engine = e;
        }
        return true;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        if (!ready()) {
            return; // datagrams before start() finished: nobody can be connected yet
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
        MediaCounters counters = home.counterSet();
        counters.received();
        ByteBuf content = packet.content();
        int len = content.readableBytes();
        if (len == 0 || len > PacketBuffer.MAX_DATAGRAM) {
            counters.dropped(DropReason.TOO_LARGE);
            return;
        }
        content.getBytes(content.readerIndex(), in.array(), 0, len);
        in.setWindow(0, len);
        demultiplex(in, packet.sender(), counters, own, false);
    }

    /** Loop: a datagram another loop's socket on the shared port received for a transport of this loop. */
    void onHandedOff(PacketBuffer p, InetSocketAddress from) {
        if (ready()) {
            demultiplex(p, from, home.counterSet(), null, true);
        }
    }

    private void demultiplex(PacketBuffer in, InetSocketAddress from, MediaCounters counters, PeerTransport own,
                             boolean handedOff) {
        int first = in.getUnsignedByte(0);
        if (first <= 3) {
            onStun(in, from, counters, own, handedOff);
        } else if ((first >= 128 && first <= 191) || (first >= 20 && first <= 63)) {
            // SRTP or DTLS: the transport of that remote address takes it, on the loop it lives on.
            PeerTransport t = transportAt(from, own);
            if (t == null) {
                counters.dropped(DropReason.UNKNOWN_SOURCE);
            } else if (t.loop() != home) {
                handOff(t, in, from, counters, handedOff);
            } else if (first >= 128) {
                t.onSrtp(in);
            } else {
                t.onDtls(in, from);
            }
        } else {
            counters.dropped(DropReason.UNCLASSIFIED);
        }
    }

    /** The transport is another loop's: pass the datagram on to it (once: a handed-off one is never passed again). */
    private void handOff(PeerTransport t, PacketBuffer in, InetSocketAddress from, MediaCounters counters,
                         boolean handedOff) {
        if (handedOff) {
            counters.dropped(DropReason.UNKNOWN_SOURCE);
        } else if (!home.handOff(t.loop(), in, from, null)) {
            counters.dropped(DropReason.HANDOFF_FULL);
        }
    }

    private PeerTransport transportAt(InetSocketAddress from, PeerTransport own) {
        if (own == null) {
            return engine.transportAt(from);
        }
        return own.addresses().contains(from) ? own : null;
    }

    private void onStun(PacketBuffer in, InetSocketAddress from, MediaCounters counters, PeerTransport own,
                        boolean handedOff) {
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
                if (t.loop() != home) {
                    // Its loop checks it again and answers from its own socket on this port: the pair it selects
                    // then sends from the loop that owns the transport.
                    handOff(t, in, from, counters, handedOff);
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
            home.flush();
        }
    }
}

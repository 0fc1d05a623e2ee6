package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.stun.StunBindingResponder;
import dev.parley.sfu.stun.StunResult;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One ICE-TCP connection, after framing: one candidate pair of one transport. Its first frame must be a
 * connectivity check that authenticates for a transport (else it is closed); from then on its frames are
 * demultiplexed as on UDP (RFC 7983) and all go to that transport. Runs on the first media loop (the ICE-TCP
 * listener's); a transport of a room on another loop gets its frames through a {@link HandoffRing}, and its
 * connection's state changes by tasks posted to its loop.
 */
final class IceTcpConnection extends ChannelInboundHandlerAdapter {
    private final MediaEngine engine;
    private final IceTcpListener listener;
    private final InetSocketAddress remote;
    private final Duration firstMessageTimeout;
    /** The loop this connection is registered on. */
    private MediaLoop home;
    private StunBindingResponder stun;
    private ScheduledFuture<?> firstMessageDeadline;
    private PeerTransport transport;
    private MediaPath.Tcp path;
    private boolean closing;

    IceTcpConnection(MediaEngine engine, IceTcpListener listener, InetSocketAddress remote, Duration firstMessageTimeout) {
        this.engine = engine;
        this.listener = listener;
        this.remote = remote;
        this.firstMessageTimeout = firstMessageTimeout;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        home = engine.loop(0);
        stun = engine.newStunResponder();
        path = new MediaPath.Tcp(new MediaOutlet(ctx.channel()), remote);
        firstMessageDeadline = ctx.executor().schedule(() -> {
            if (transport == null) {
                closeWith(ctx, IceTcpOutcome.FIRST_MESSAGE_TIMEOUT);
            }
        }, firstMessageTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            if (closing) {
                return;
            }
            MediaCounters counters = home.counterSet();
            counters.received();
            PacketBuffer in = listener.in;
            int len = frame.readableBytes(); // at most MAX_FRAME, which fits the buffer
            frame.getBytes(frame.readerIndex(), in.array(), 0, len);
            in.setWindow(0, len);
            if (transport == null) {
                onFirstFrame(ctx, in);
            } else if (transport.loop() == home) {
                onFrame(in, counters);
            } else if (!home.handOff(transport.loop(), in, remote, this)) {
                counters.dropped(DropReason.HANDOFF_FULL);
            }
        } finally {
            frame.release();
        }
    }

    private void onFirstFrame(ChannelHandlerContext ctx, PacketBuffer in) {
        StunResult.Accepted ok = firstCheck(stun, in.array(), in.offset(), in.length(), remote);
        PeerTransport t = ok == null ? null : engine.transportForUfrag(ok.localUfrag());
        if (t == null || t.isClosed()) {
            home.counterSet().dropped(DropReason.STUN_INVALID);
            closeWith(ctx, IceTcpOutcome.BAD_FIRST_MESSAGE);
            return;
        }
        firstMessageDeadline.cancel(false);
        listener.count(IceTcpOutcome.ACCEPTED);
        transport = t;
        // The transport's state is its loop's (this one, or its room's if elsewhere: then a task, once per connection).
        t.loop().onLoop(() -> {
            t.addTcpPath(path);
            t.onConsent(path, ok.useCandidate(), System.nanoTime());
            path.sendNow(ok.response(), 0, ok.response().length);
        });
    }

    /**
     * What a connection's first frame must be: a STUN Binding request that authenticates with the password of
     * the transport its USERNAME names. Returns the accepted check, or null for anything else.
     */
    static StunResult.Accepted firstCheck(StunBindingResponder stun, byte[] buf, int off, int len, InetSocketAddress from) {
        if (len == 0 || (buf[off] & 0xFF) > 3 || !StunBindingResponder.looksLikeStun(buf, off, len)) {
            return null;
        }
        return stun.handle(buf, off, len, from) instanceof StunResult.Accepted ok ? ok : null;
    }

    /** The transport's loop: a frame this connection's loop handed over. */
    void onHandedOff(PacketBuffer in, MediaCounters counters) {
        onFrame(in, counters);
    }

    /** The transport's loop. */
    private void onFrame(PacketBuffer in, MediaCounters counters) {
        int first = in.getUnsignedByte(0);
        if (first <= 3) {
            if (!StunBindingResponder.looksLikeStun(in.array(), in.offset(), in.length())) {
                counters.dropped(DropReason.STUN_INVALID);
                return;
            }
            StunResult result = stun.handle(in.array(), in.offset(), in.length(), remote);
            if (result instanceof StunResult.Accepted ok && ok.localUfrag().equals(transport.ufrag())) {
                transport.onConsent(path, ok.useCandidate(), System.nanoTime());
                path.sendNow(ok.response(), 0, ok.response().length);
            } else {
                // A connection is one pair of one transport: checks for another transport are not answered.
                counters.dropped(DropReason.STUN_INVALID);
            }
        } else if (first >= 20 && first <= 63) {
            transport.onDtls(in, remote);
        } else if (first >= 128 && first <= 191) {
            transport.onSrtp(in);
        } else {
            counters.dropped(DropReason.UNCLASSIFIED);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        home.flush();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close(); // silent for the idle timeout: the browser gave this pair up
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        firstMessageDeadline.cancel(false);
        PeerTransport t = transport;
        if (t != null) {
            t.loop().onLoop(() -> t.onTcpPathClosed(path));
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            closeWith(ctx, IceTcpOutcome.FRAMING_ERROR);
        } else {
            ctx.close(); // connection reset and the like: nothing to count beyond the close
        }
    }

    /** Closes the connection; {@code outcome} is counted unless the connection already carries a pair. */
    private void closeWith(ChannelHandlerContext ctx, IceTcpOutcome outcome) {
        if (closing) {
            return;
        }
        closing = true;
        if (transport == null) {
            listener.count(outcome);
        } else if (outcome == IceTcpOutcome.FRAMING_ERROR) {
            // An accepted connection that breaks framing later is counted too: the operator should see it.
            listener.count(outcome);
        }
        ctx.close();
    }
}

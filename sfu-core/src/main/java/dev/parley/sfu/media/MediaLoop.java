package dev.parley.sfu.media;

import dev.parley.sfu.dtls.DtlsCertificate;
import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.packet.PacketBuffer;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One media event loop (thread {@code parley-media-<n>}) and what is confined to it: the transports of the rooms
 * placed on it, their streams and forwards, its list of sockets to flush, and its once-a-second tick. A room's
 * transports all live on one loop, so forwarding from a publisher to its subscribers never crosses threads.
 *
 * <p>Transports and streams hold their loop and call it by the names they once called the engine by
 * ({@link #onLoop}, {@link #counterSet}, {@link #flush}, ...). On the shared UDP port each loop has a socket of its
 * own on that port ({@code SO_REUSEPORT}); a datagram the kernel delivered to another loop's socket reaches this
 * one through this loop's {@link HandoffRing} (see {@link #handOff}).
 */
final class MediaLoop {
    /**
     * Slots of each loop's handoff ring: 3.2 MB, about as many full-size datagrams as a 4 MB socket buffer holds, so
     * a loop the scheduler holds back loses no more to the ring than its own socket would.
     */
    static final int HANDOFF_SLOTS = 2048;

    final int index;
    final EventLoop eventLoop;
    private final MediaEngine engine;
    private final MediaCounters counters;
    /** Rooms placed on this loop, for placing new rooms on the least loaded one. */
    final AtomicInteger rooms = new AtomicInteger();
    /** This loop's socket on the shared UDP port; null with a port range. Set once at start. */
    private MediaOutlet sharedOutlet;
    private MediaChannelHandler sharedHandler;

    /** Every live transport of this loop, for the tick. Loop-confined. */
    private final List<PeerTransport> transports = new ArrayList<>();
    /** This loop's reused outgoing UDP datagrams (loop-confined, as the sockets' queues that release them are). */
    private final OutgoingDatagrams outgoing = new OutgoingDatagrams();
    /** Sockets written to since the last flush. Loop-confined; its array only grows, so adding allocates nothing. */
    private final ArrayList<MediaOutlet> dirty = new ArrayList<>(64);

    /** The ring other loops hand this loop's datagrams into; made on first use (never, with one loop or a port range). */
    private final AtomicReference<HandoffRing> inbound = new AtomicReference<>();
    /** Whether a drain task is queued on this loop: producers queue one only when none is, not one per packet. */
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final Runnable drainTask = this::drainHandoffs;
    private final PacketBuffer handedIn = new PacketBuffer();
    private final HandoffRing.Sink deliver = this::deliver;

    MediaLoop(int index, EventLoop eventLoop, MediaEngine engine, MediaCounters counters) {
        this.index = index;
        this.eventLoop = eventLoop;
        this.engine = engine;
        this.counters = counters;
    }

    void useSharedPort(MediaOutlet outlet, MediaChannelHandler handler) {
        this.sharedOutlet = outlet;
        this.sharedHandler = handler;
    }

    MediaEngine engine() {
        return engine;
    }

    // --- what transports, streams and taps call (the names they used on the engine) ---

    DtlsCertificate certificate() {
        return engine.certificate();
    }

    List<InetSocketAddress> tcpCandidates() {
        return engine.tcpCandidates();
    }

    HandshakeAdmission handshakes() {
        return engine.handshakes();
    }

    MediaOutlet sharedOutlet() {
        return sharedOutlet;
    }

    MediaCounters counterSet() {
        return counters;
    }

    void onLoop(Runnable task) {
        if (eventLoop.inEventLoop()) {
            task.run();
        } else {
            eventLoop.execute(task);
        }
    }

    boolean inLoop() {
        return eventLoop.inEventLoop();
    }

    /** Loop only: a new transport takes part in the tick. */
    void register(PeerTransport t) {
        transports.add(t);
    }

    /** Loop only: the transport closed; its room's place on this loop is given back with its last transport. */
    void unregister(PeerTransport t) {
        engine.forget(t);
        if (transports.remove(t)) {
            engine.releaseRoom(t.room());
        }
    }

    /** Loop only: the reused datagrams copies to this loop's UDP sockets go out in. */
    OutgoingDatagrams outgoing() {
        return outgoing;
    }

    /** Loop only: {@code outlet} has writes to flush at the end of this batch. */
    void markDirty(MediaOutlet outlet) {
        if (!outlet.dirty) {
            outlet.dirty = true;
            dirty.add(outlet);
        }
    }

    /** Loop only: flushes every socket written to since the last flush. */
    void flush() {
        for (int i = 0; i < dirty.size(); i++) {
            MediaOutlet o = dirty.get(i);
            o.dirty = false;
            o.channel.flush();
        }
        dirty.clear();
    }

    /** Loop, once a second: consent and receiver reports of this loop's transports. */
    void everySecond(long consentTimeoutNanos) {
        long now = System.nanoTime();
        for (PeerTransport t : List.copyOf(transports)) {
            t.everySecond(now, consentTimeoutNanos);
        }
        flush();
    }

    /** How often publishers get transport-cc feedback: GCC reacts within a few of these. */
    static final long FEEDBACK_INTERVAL_MILLIS = 50;

    /** Loop, every {@link #FEEDBACK_INTERVAL_MILLIS}: transport-cc feedback to this loop's publishers. */
    void everyFeedbackInterval() {
        // By index: nothing here adds or removes transports, and a copy would allocate 20 times a second.
        for (int i = 0; i < transports.size(); i++) {
            transports.get(i).everyFeedbackInterval();
        }
        flush();
    }

    long maxPublishBitrate() {
        return engine.maxPublishBitrate();
    }

    /** An ICE restart gave {@code t} a new ufrag: the engine finds it under that one now. */
    void rekey(PeerTransport t, String oldUfrag) {
        engine.rekey(t, oldUfrag);
    }

    /** Loop only: after an ICE restart, {@code t} keeps only {@code keep} (null: none) of its checked UDP addresses. */
    void forgetAddressesExcept(PeerTransport t, InetSocketAddress keep) {
        engine.forgetAddressesExcept(t, keep);
    }

    /** How often publishers are asked for what they lost: NACKs go out in batches at this pace. */
    static final long NACK_INTERVAL_MILLIS = 20;

    /** Loop, every {@link #NACK_INTERVAL_MILLIS}: this loop's publishers are asked for the packets they lost. */
    void sendNacks() {
        long now = System.nanoTime();
        for (int i = 0; i < transports.size(); i++) {
            transports.get(i).sendNacks(now);
        }
        flush();
    }

    // --- handing datagrams to the loop that owns their transport ---

    /**
     * This loop only: passes a datagram that arrived here to {@code owner}'s loop, to be handled there as if it
     * had arrived on its shared socket ({@code target} null) or on the ICE-TCP connection {@code target}. False
     * when the owner is behind by a whole ring (the caller counts the drop).
     */
    boolean handOff(MediaLoop owner, PacketBuffer p, InetSocketAddress from, Object target) {
        HandoffRing ring = owner.inbound.get();
        if (ring == null) {
            // Once per loop that is ever handed a datagram, not per packet.
            owner.inbound.compareAndSet(null, new HandoffRing(HANDOFF_SLOTS));
            ring = owner.inbound.get();
        }
        if (!ring.offer(p.array(), p.offset(), p.length(), from, target)) {
            return false;
        }
        counters.handedOff();
        owner.wakeToDrain();
        return true;
    }

    /** Any thread: makes sure a drain is queued on this loop; one queued task serves any number of datagrams. */
    private void wakeToDrain() {
        if (!drainQueued.get() && drainQueued.compareAndSet(false, true)) {
            eventLoop.execute(drainTask);
        }
    }

    /** Loop: handles every datagram other loops handed over, then flushes what that sent. */
    void drainHandoffs() {
        // Cleared before reading, so a datagram offered from now on finds no drain queued and queues one.
        drainQueued.set(false);
        HandoffRing ring = inbound.get();
        if (ring == null) {
            return;
        }
        // At most a ring's worth per drain, so busy producers cannot keep this loop from its own socket.
        int n = 0;
        while (n < HANDOFF_SLOTS && ring.poll(handedIn, deliver)) {
            n++;
        }
        flush();
        if (n == HANDOFF_SLOTS && !ring.isEmpty()) {
            wakeToDrain();
        }
    }

    /** Loop: whether every ring into this loop is empty. */
    boolean handoffsDrained() {
        HandoffRing ring = inbound.get();
        return ring == null || ring.isEmpty();
    }

    private void deliver(PacketBuffer p, InetSocketAddress from, Object target) {
        if (target == null) {
            sharedHandler.onHandedOff(p, from);
        } else {
            ((IceTcpConnection) target).onHandedOff(p, counters);
        }
    }

    @Override
    public String toString() {
        return "parley-media-" + index;
    }
}

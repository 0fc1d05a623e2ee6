package dev.parley.sfu;

import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.media.IceTcpOutcome;
import dev.parley.sfu.media.MediaCounters;
import dev.parley.sfu.media.MediaEngine;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Parley's media server as a library: one UDP port (or a port range, and optionally ICE over TCP), rooms, and
 * forwarding between participants.
 *
 * <pre>{@code
 * try (SfuServer sfu = SfuServer.start(config)) {
 *     Participant alice = sfu.room("standup").join("Alice", listener).join();
 *     String answer = alice.publish(offerFromBrowser).join();
 *     TrackTap recorder = sfu.room("standup").addTap(listener, TapOptions.defaults()).join(); // decrypted RTP
 *     ...
 * }
 * }</pre>
 *
 * It has no HTTP, SQL or JSON in it: signaling is the embedding application's job (Parley's own is the
 * signaling module).
 */
public final class SfuServer implements AutoCloseable {
    private final SfuConfig config;
    private final MediaEngine media;
    private final ExecutorService controlPool;
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    /** Ticks speaker detection in rooms; the work itself runs on each room's control executor. */
    private final java.util.concurrent.ScheduledExecutorService speakerTicks =
            Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "parley-speaker-tick");
                t.setDaemon(true);
                return t;
            });
    /** How often the room's speaker is looked at: often enough that a speaker is named well within a second. */
    static final long SPEAKER_TICK_MILLIS = 100;

    private SfuServer(SfuConfig config, MediaEngine media, ExecutorService controlPool) {
        this.config = config;
        this.media = media;
        this.controlPool = controlPool;
        speakerTicks.scheduleWithFixedDelay(() -> {
            long now = System.nanoTime();
            for (Room r : rooms.values()) {
                if (r.viewerCount() > 0 || r.size() > 0) {
                    r.control().execute(() -> r.tickSpeaker(now));
                }
            }
        }, SPEAKER_TICK_MILLIS, SPEAKER_TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Binds the media port and starts the media threads. */
    public static SfuServer start(SfuConfig config) throws Exception {
        MediaEngine media = MediaEngine.start(config.bindAddress(), config.mediaPort(), config.mediaPortRange(),
                config.iceTcp(), config.announcedAddresses(), config.consentTimeout(), config.handshakeLimits(),
                config.socketBufferBytes(), config.mediaThreads());
        ExecutorService control = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "parley-room-control");
            t.setDaemon(true);
            return t;
        });
        return new SfuServer(config, media, control);
    }

    /** Caps, in bits per second, what each publisher is allowed (by REMB) per video stream; from any thread. */
    public void setMaxPublishBitrate(long bps) {
        media.setMaxPublishBitrate(bps);
    }

    /**
     * The UDP port media arrives on (the real one when the config asked for port 0), or -1 when each transport
     * takes a port of the {@linkplain SfuConfig#mediaPortRange() range}.
     */
    public int mediaPort() {
        return media.port();
    }

    /** The UDP port range in use, or null with one shared port. */
    public MediaPortRange mediaPortRange() {
        return media.portRange();
    }

    /** Ports of the range in use now (0 with one shared port). */
    public int mediaPortsInUse() {
        return media.portsInUse();
    }

    /** The ICE-TCP port (the real one when the config asked for port 0), or -1 when ICE-TCP is off. */
    public int iceTcpPort() {
        return media.tcpPort();
    }

    /** ICE-TCP connections by outcome since start, for metrics. */
    public long iceTcpConnections(IceTcpOutcome outcome) {
        return media.iceTcpConnections(outcome);
    }

    /** ICE-TCP connections open now. */
    public int iceTcpConnectionsOpen() {
        return media.iceTcpOpen();
    }

    /** The room with this name, created when it does not exist yet. Empty rooms are forgotten. */
    public Room room(String name) {
        return rooms.computeIfAbsent(name,
                n -> new Room(n, media, controlPool, config, r -> rooms.remove(r.name(), r)));
    }

    /**
     * Joins the named room, creating it when needed. Prefer this over {@code room(name).join(...)}: it
     * retries when the room empties and is forgotten at the same moment.
     */
    public CompletableFuture<Participant> join(String roomName, String displayName, ParticipantListener listener) {
        return room(roomName).join(displayName, listener).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof Room.RoomClosedException) {
                return join(roomName, displayName, listener);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** Adds a viewer (WHEP) to the named room, creating the room when needed; see {@link Room#watch}. */
    public CompletableFuture<Viewer> watch(String roomName, String offer, java.util.function.Consumer<LeaveReason> onEnded) {
        return room(roomName).watch(offer, onEnded).exceptionallyCompose(e -> {
            Throwable cause = e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
            if (cause instanceof Room.RoomClosedException) {
                return watch(roomName, offer, onEnded);
            }
            return CompletableFuture.failedFuture(cause);
        });
    }

    /** How many viewers (WHEP) watch any room now. */
    public int viewerCount() {
        int n = 0;
        for (Room r : rooms.values()) {
            n += r.viewerCount();
        }
        return n;
    }

    public Optional<Room> findRoom(String name) {
        return Optional.ofNullable(rooms.get(name));
    }

    public List<Room> rooms() {
        return List.copyOf(rooms.values());
    }

    /** How many media event loops (threads) carry media. */
    public int mediaThreads() {
        return media.mediaThreads();
    }

    /** The media loop the room runs on now, or -1 when it has no media open (see {@link MediaEngine#loopOf}). */
    public int mediaLoopOf(String room) {
        return media.loopOf(room);
    }

    /**
     * Places {@code room} on media loop {@code index} before its first participant, instead of on the least
     * loaded loop: for tests and benchmarks that need rooms on chosen loops.
     */
    public void placeRoom(String room, int index) {
        media.placeRoom(room, index);
    }

    /** Packet and drop counters of the media path, for metrics. */
    public MediaCounters counters() {
        return media.counters();
    }

    /** DTLS handshakes: how many are pending and how they ended ({@code completed}, {@code refused_*}, ...), for metrics. */
    public HandshakeAdmission handshakes() {
        return media.handshakes();
    }

    /** Removes everyone (telling them why) and releases the port and threads. */
    @Override
    public void close() {
        for (Room r : rooms()) {
            r.control().execute(() -> r.closeAll(LeaveReason.SERVER_SHUTDOWN));
        }
        speakerTicks.shutdownNow();
        controlPool.shutdown();
        try {
            controlPool.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        media.close();
    }
}

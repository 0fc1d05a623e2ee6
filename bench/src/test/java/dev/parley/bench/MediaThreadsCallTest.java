package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.sfu.IceTcpConfig;
import dev.parley.sfu.MediaPortRange;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.media.DropReason;
import dev.parley.sfu.srtp.SrtpSession;
import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.Required;
import io.netty.channel.epoll.Epoll;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Calls through a real {@link SfuServer} with two media threads: rooms placed on different loops forward at the
 * same time; on the shared port both loops have a socket on that one port, and a participant whose datagrams the
 * kernel delivers to the loop that does not own its room still gets media (handed over); with a port range each
 * connection's socket is on its room's loop; an ICE-TCP participant in a room on the second loop (the
 * listener is on the first) exchanges media; and a track tap shares its room's loop with the members, each of
 * them holding the room there until the last is gone.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MediaThreadsCallTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private final List<CallMember> members = new ArrayList<>();

    @BeforeAll
    static void measureSrtpBackends() {
        SrtpSession.cryptoBackend();
    }

    /** Members leave before the server closes (try-with-resources closes this first). */
    private void leave() {
        for (CallMember m : members) {
            m.close();
        }
        members.clear();
    }

    private static SfuConfig twoThreads() {
        return new SfuConfig(LOOPBACK, 0, List.of(LOOPBACK), Duration.ofSeconds(10), 10).withMediaThreads(2);
    }

    /** Two members in {@code room}, placed on {@code loop} first. */
    private List<CallMember> call(SfuServer sfu, String room, int loop, boolean tcp) throws Exception {
        sfu.placeRoom(room, loop);
        CallMember a = CallMember.join(sfu, room, room + "-a", tcp);
        members.add(a);
        CallMember b = CallMember.join(sfu, room, room + "-b", false);
        members.add(b);
        return List.of(a, b);
    }

    /** Sends and answers offers until every member received more than {@code packets} packets. */
    private static void awaitMedia(List<CallMember> all, int packets, String what) {
        Eventually.await(WAIT, what, () -> {
            try {
                for (CallMember m : all) {
                    m.answerOffers();
                    m.sendMedia();
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            return all.stream().allMatch(m -> m.received.get() > packets);
        });
    }

    @Test
    void roomsOnDifferentLoopsForwardAtTheSameTime() throws Exception {
        try (SfuServer sfu = SfuServer.start(twoThreads()); AutoCloseable left = this::leave) {
            assertEquals(2, sfu.mediaThreads());
            List<CallMember> first = call(sfu, "loop-zero", 0, false);
            List<CallMember> second = call(sfu, "loop-one", 1, false);
            assertEquals(0, sfu.mediaLoopOf("loop-zero"));
            assertEquals(1, sfu.mediaLoopOf("loop-one"));
            List<CallMember> all = new ArrayList<>(first);
            all.addAll(second);
            awaitMedia(all, 50, "all four members receive media");

            // Both media threads did forwarding work: each gained CPU time while both rooms sent.
            Map<String, Long> before = mediaThreadCpu();
            assertEquals(2, before.size(), "threads parley-media-0 and parley-media-1: " + before.keySet());
            long sent = sfu.counters().forwardedPackets();
            Eventually.await(WAIT, "both media threads work while both rooms forward", () -> {
                for (CallMember m : all) {
                    m.sendMedia();
                }
                Map<String, Long> now = mediaThreadCpu();
                return sfu.counters().forwardedPackets() > sent + 400
                        && now.get("parley-media-0") > before.get("parley-media-0")
                        && now.get("parley-media-1") > before.get("parley-media-1");
            });
        }
    }

    @Test
    void everyLoopHasASocketOnTheSharedPortAndMediaLandingOnTheWrongLoopIsHandedOver() throws Exception {
        Path procUdp = Path.of("/proc/net/udp");
        if (!Epoll.isAvailable() || !Files.isReadable(procUdp)) {
            // Without epoll the shared port has one socket and one loop (by design); /proc shows the sockets.
            Required.missing("Linux with epoll (several sockets on one port) and /proc/net/udp", Epoll.unavailabilityCause());
        }
        try (SfuServer sfu = SfuServer.start(twoThreads()); AutoCloseable left = this::leave) {
            assertEquals(2, socketsOn(procUdp, sfu.mediaPort()), "one socket per media loop on udp/" + sfu.mediaPort());
            // The kernel picks a socket by a hash of the sender's address, so which members land on the loop that does
            // not own their room is chance: add rooms (alternately on each loop) until some did. Each room's members
            // land on the wrong loop with probability 3/4, so ten rooms without a handoff would be a broken handoff
            // count, not bad luck (odds 1 in a million).
            List<CallMember> all = new ArrayList<>();
            for (int room = 0; room < 10 && sfu.counters().handedOffPackets() == 0; room++) {
                List<CallMember> call = call(sfu, "shared-" + room, room % 2, false);
                all.addAll(call);
                awaitMedia(call, 30, "the members of room shared-" + room + " receive media");
            }
            assertTrue(sfu.counters().handedOffPackets() > 0, "some datagrams arrived on a loop that does not own them");
            long handed = sfu.counters().handedOffPackets();
            long[] received = all.stream().mapToLong(m -> m.received.get()).toArray();
            Eventually.await(WAIT, "every member keeps receiving, handed over or not", () -> {
                for (CallMember m : all) {
                    m.sendMedia();
                }
                for (int i = 0; i < received.length; i++) {
                    if (all.get(i).received.get() < received[i] + 30) {
                        return false;
                    }
                }
                return sfu.counters().handedOffPackets() > handed;
            });
            assertEquals(0, sfu.counters().droppedPackets(DropReason.HANDOFF_FULL));
        }
    }

    @Test
    void withAPortRangeEachConnectionIsOnItsRoomsLoop() throws Exception {
        int first = 46000 + ThreadLocalRandom.current().nextInt(500) * 8;
        SfuConfig config = twoThreads().withTransports(new MediaPortRange(first, first + 7), IceTcpConfig.OFF);
        try (SfuServer sfu = SfuServer.start(config); AutoCloseable left = this::leave) {
            List<CallMember> all = new ArrayList<>(call(sfu, "range-zero", 0, false));
            all.addAll(call(sfu, "range-one", 1, false));
            assertNotEquals(sfu.mediaLoopOf("range-zero"), sfu.mediaLoopOf("range-one"));
            awaitMedia(all, 50, "the members of both rooms receive media");
            assertEquals(8, sfu.mediaPortsInUse());
            assertEquals(0, sfu.counters().handedOffPackets(), "a port of its own is read on its room's loop");
        }
    }

    @Test
    void anIceTcpParticipantInARoomOnTheSecondLoopExchangesMedia() throws Exception {
        SfuConfig config = twoThreads().withTransports(null, IceTcpConfig.on(0));
        try (SfuServer sfu = SfuServer.start(config); AutoCloseable left = this::leave) {
            List<CallMember> call = call(sfu, "tcp-on-one", 1, true);
            awaitMedia(call, 50, "the TCP and the UDP member receive each other's media");
            assertEquals(1, sfu.mediaLoopOf("tcp-on-one"));
            assertEquals(2, sfu.iceTcpConnectionsOpen());
        }
    }

    @Test
    void aTapAndTheMembersShareTheRoomsLoopAndEachHoldsTheRoomThere() throws Exception {
        try (SfuServer sfu = SfuServer.start(twoThreads()); AutoCloseable left = this::leave) {
            sfu.placeRoom("tapped", 1);
            AtomicLong tapped = new AtomicLong();
            TrackTap tap = sfu.room("tapped").addTap(new TrackTapListener() {
                @Override
                public void onTrackAdded(TappedTrack track) {}

                @Override
                public void onRtp(TappedTrack track, TapPacket packet) {
                    tapped.incrementAndGet();
                }

                @Override
                public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {}
            }, TapOptions.defaults()).get(10, TimeUnit.SECONDS);
            assertEquals(1, sfu.mediaLoopOf("tapped"), "the tap alone holds the room on its loop");
            List<CallMember> call = call(sfu, "tapped", 1, false);
            awaitMedia(call, 30, "the members receive media");
            Eventually.await(WAIT, "the tap hears the room's media", () -> {
                for (CallMember m : call) {
                    m.sendMedia();
                }
                return tapped.get() > 30;
            });
            tap.close();
            assertEquals(1, sfu.mediaLoopOf("tapped"), "the members still hold the room on its loop");
            leave();
            Eventually.await(WAIT, "with its members gone too the room leaves its loop",
                    () -> sfu.mediaLoopOf("tapped") == -1);
        }
    }

    /** CPU time of each live {@code parley-media-<n>} thread, by name. */
    private static Map<String, Long> mediaThreadCpu() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, Long> cpu = new HashMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().matches("parley-media-\\d+")) {
                cpu.put(t.getName(), mx.getThreadCpuTime(t.threadId()));
            }
        }
        return cpu;
    }

    /** UDP sockets bound to {@code port} on 127.0.0.1, from /proc/net/udp. */
    private static long socketsOn(Path procUdp, int port) throws Exception {
        String local = String.format(Locale.ROOT, "0100007F:%04X", port);
        return Files.readAllLines(procUdp).stream().skip(1)
                .map(String::trim)
                .filter(l -> l.split("\\s+")[1].equals(local))
                .count();
    }
}

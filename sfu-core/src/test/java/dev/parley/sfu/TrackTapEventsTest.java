package dev.parley.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.tap.TapOptions;
import dev.parley.sfu.tap.TapPacket;
import dev.parley.sfu.tap.TappedTrack;
import dev.parley.sfu.tap.TrackRemoval;
import dev.parley.sfu.tap.TrackTap;
import dev.parley.sfu.tap.TrackTapListener;
import java.net.InetAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A track tap is told when tracks come and go: publish, mute, unpublish, a publisher leaving; it keeps its room
 * while everyone is away, and closing it stops its thread and lets the room go. Publishers here negotiate only
 * (no media flows); the packet path is tested over real SRTP in the bench module's TrackTapLoopbackTest.
 */
class TrackTapEventsTest {
    private static final String FINGERPRINT = "sha-256 " + "1A:".repeat(31) + "2B";
    private SfuServer sfu;

    /** What a tap's listener heard, as short strings, and on which thread. */
    static final class Recorder implements TrackTapListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final List<TappedTrack> added = new CopyOnWriteArrayList<>();
        final Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        volatile boolean closed;

        @Override
        public void onTrackAdded(TappedTrack track) {
            threads.add(Thread.currentThread());
            added.add(track);
            events.add("added " + track.participantName() + " " + track.kind());
        }

        @Override
        public void onRtp(TappedTrack track, TapPacket packet) {}

        @Override
        public void onTrackMuted(TappedTrack track, boolean muted) {
            events.add((muted ? "muted " : "unmuted ") + track.participantName() + " " + track.kind());
        }

        @Override
        public void onTrackRemoved(TappedTrack track, TrackRemoval reason) {
            events.add("removed " + track.participantName() + " " + track.kind() + " " + reason);
        }

        @Override
        public void onClosed() {
            threads.add(Thread.currentThread());
            closed = true;
        }

        /** The next {@code n} events, in any order (a publisher's tracks come as a set). */
        Set<String> next(int n) throws InterruptedException {
            Set<String> got = new HashSet<>();
            for (int i = 0; i < n; i++) {
                String e = events.poll(5, TimeUnit.SECONDS);
                if (e == null) {
                    fail("expected " + n + " tap events, got only " + got);
                }
                got.add(e);
            }
            return got;
        }
    }

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofMinutes(5), 10));
    }

    @AfterEach
    void stop() {
        sfu.close();
    }

    @Test
    void tracksComeAndGoAsPublishersPublishMuteUnpublishAndLeave() throws Exception {
        Participant ada = join("tapped", "ada");
        ada.publish(offer(0x1000, true)).get(5, TimeUnit.SECONDS);
        Recorder rec = new Recorder();
        TrackTap tap = sfu.room("tapped").addTap(rec, TapOptions.defaults()).get(5, TimeUnit.SECONDS);

        assertEquals(Set.of("added ada AUDIO", "added ada VIDEO"), rec.next(2), "tracks already published");
        TappedTrack audio = rec.added.stream().filter(t -> t.kind() == MediaKind.AUDIO).findFirst().orElseThrow();
        assertEquals(ada.id(), audio.participantId());
        assertEquals("opus", audio.codec());
        assertEquals(111, audio.payloadType());
        assertEquals(48000, audio.clockRate());
        assertEquals(2, audio.channels());
        assertEquals("minptime=10;useinbandfec=1", audio.fmtp());
        TappedTrack video = rec.added.stream().filter(t -> t.kind() == MediaKind.VIDEO).findFirst().orElseThrow();
        assertEquals("VP8", video.codec());
        assertEquals(96, video.payloadType());
        assertEquals(90000, video.clockRate());
        assertFalse(rec.threads.contains(Thread.currentThread()));

        Participant bob = join("tapped", "bob");
        bob.publish(offer(0x2000, true)).get(5, TimeUnit.SECONDS);
        assertEquals(Set.of("added bob AUDIO", "added bob VIDEO"), rec.next(2), "a new publisher's tracks");

        bob.setMuted(MediaKind.AUDIO, true).get(5, TimeUnit.SECONDS);
        bob.setMuted(MediaKind.AUDIO, true).get(5, TimeUnit.SECONDS); // no change, no event
        assertEquals(Set.of("muted bob AUDIO"), rec.next(1));
        bob.setMuted(MediaKind.AUDIO, false).get(5, TimeUnit.SECONDS);
        assertEquals(Set.of("unmuted bob AUDIO"), rec.next(1));

        bob.publish(offer(0x2000, false)).get(5, TimeUnit.SECONDS);
        assertEquals(Set.of("removed bob VIDEO UNPUBLISHED"), rec.next(1), "bob stopped his camera track");

        ada.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
        assertEquals(Set.of("removed ada AUDIO PARTICIPANT_LEFT", "removed ada VIDEO PARTICIPANT_LEFT"), rec.next(2));
        bob.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
        assertEquals(Set.of("removed bob AUDIO PARTICIPANT_LEFT"), rec.next(1));

        // Everyone left, the tap stays: the room is kept, and whoever comes back is tapped on the same tap.
        assertTrue(sfu.findRoom("tapped").isPresent(), "a tapped room is kept while empty");
        Participant ada2 = join("tapped", "ada");
        ada2.publish(offer(0x3000, true)).get(5, TimeUnit.SECONDS);
        assertEquals(Set.of("added ada AUDIO", "added ada VIDEO"), rec.next(2));
        assertNull(rec.events.poll(100, TimeUnit.MILLISECONDS), "nothing else: " + rec.events);
        assertEquals(0, tap.droppedPackets());
    }

    @Test
    void closingATapStopsItsThreadDetachesItAndLetsTheEmptyRoomGo() throws Exception {
        Participant ada = join("closing", "ada");
        ada.publish(offer(0x1000, true)).get(5, TimeUnit.SECONDS);
        Recorder rec = new Recorder();
        List<Thread> made = new CopyOnWriteArrayList<>();
        TapOptions options = new TapOptions(64, r -> {
            Thread t = new Thread(r, "test-tap");
            made.add(t);
            return t;
        });
        Room room = sfu.room("closing");
        TrackTap tap = room.addTap(rec, options).get(5, TimeUnit.SECONDS);
        rec.next(2);
        assertEquals(1, made.size());
        assertTrue(rec.threads.contains(made.getFirst()), "the listener runs on the thread of the given factory");
        String videoId = rec.added.stream().filter(t -> t.kind() == MediaKind.VIDEO).findFirst().orElseThrow().trackId();

        tap.close();
        tap.close(); // harmless
        made.getFirst().join(5_000);
        assertFalse(made.getFirst().isAlive(), "the tap's thread ends");
        assertTrue(rec.closed, "onClosed is the last call");
        await("the room forgets the tap", () -> room.tapCount().join() == 0);
        assertFalse(tap.requestKeyframe(videoId), "a closed tap asks for nothing");

        Participant bob = join("closing", "bob");
        bob.publish(offer(0x2000, true)).get(5, TimeUnit.SECONDS);
        bob.setMuted(MediaKind.VIDEO, true).get(5, TimeUnit.SECONDS);
        assertNull(rec.events.poll(200, TimeUnit.MILLISECONDS), "a closed tap hears nothing more");

        ada.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
        bob.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
        assertTrue(sfu.findRoom("closing").isEmpty(), "without participants or taps, the room is forgotten");
    }

    @Test
    void anEmptyRoomWithATapIsForgottenWhenTheTapCloses() throws Exception {
        Room room = sfu.room("only-a-tap");
        Recorder rec = new Recorder();
        TrackTap tap = room.addTap(rec, TapOptions.withQueue(16)).get(5, TimeUnit.SECONDS);
        assertTrue(sfu.findRoom("only-a-tap").isPresent());
        tap.close();
        await("the room is forgotten", () -> sfu.findRoom("only-a-tap").isEmpty());
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> room.addTap(new Recorder(), TapOptions.defaults()).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, e.getCause(), "a forgotten room takes no tap");
    }

    @Test
    void badOptionsAreRefusedAndChangeNothing() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new TapOptions(0, null));
        assertThrows(IllegalArgumentException.class, () -> new TapOptions(TapOptions.MIN_QUEUE_PACKETS - 1, null));
        assertThrows(IllegalArgumentException.class, () -> new TapOptions(TapOptions.MAX_QUEUE_PACKETS + 1, null));
        assertThrows(IllegalArgumentException.class, () -> new TapOptions(-5, null));
        Participant ada = join("refusals", "ada");
        Room room = sfu.room("refusals");
        assertThrows(NullPointerException.class, () -> room.addTap(null, TapOptions.defaults()));
        assertThrows(NullPointerException.class, () -> room.addTap(new Recorder(), null));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> room.addTap(new Recorder(), new TapOptions(16, r -> null)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(IllegalArgumentException.class, e.getCause());
        assertEquals(0, room.tapCount().get(5, TimeUnit.SECONDS));
        assertNotNull(ada.id());
    }

    private Participant join(String room, String name) throws Exception {
        return sfu.join(room, name, new ParticipantListener.Ignoring()).get(5, TimeUnit.SECONDS);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }


    /** A browser-shaped publisher offer: Opus always, VP8 when {@code withVideo}. */
    private static String offer(int ssrcBase, boolean withVideo) {
        String audio = String.join("\r\n",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                "a=fmtp:111 minptime=10;useinbandfec=1", "a=ssrc:" + (ssrcBase + 1) + " cname:x", "");
        String video = String.join("\r\n",
                "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:1", "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000",
                "a=ssrc:" + (ssrcBase + 2) + " cname:x", "");
        return String.join("\r\n", "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
                "a=group:BUNDLE 0" + (withVideo ? " 1" : ""), "") + audio + (withVideo ? video : "");
    }
}

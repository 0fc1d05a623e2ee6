package dev.parley.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parley.loadtest.SyntheticPeer;
import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpFeedback;
import dev.parley.sfu.rtp.RtcpIterator;
import dev.parley.testkit.Eventually;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The active speaker and last-N through a real {@link SfuServer} over UDP on 127.0.0.1, with three synthetic
 * participants sending Opus with the RFC 6464 audio-level extension and VP8: everyone is told who speaks, and
 * when another gets loud the floor moves to it; with last-N 1 a subscriber gets video only from the latest
 * speaker (audio from everyone), and a paused video comes back, with a keyframe asked of its publisher and with
 * no gap in the subscriber's sequence numbers, when its publisher speaks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ActiveSpeakerCallTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** RFC 6464 levels (-dBov): speech and silence. */
    private static final int LOUD = 20;
    private static final int SILENT = 127;

    private SfuServer sfu;
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private Thread driver;

    /** One participant: publishes tagged audio and video, and counts what it receives from whom. */
    static final class Member extends CallMember {
        final byte index;
        final AtomicInteger level = new AtomicInteger(SILENT);
        final List<String> speakers = new CopyOnWriteArrayList<>();
        final List<List<String>> pausedLists = new CopyOnWriteArrayList<>();
        final AtomicLong plisForVideo = new AtomicLong();
        /** Packets received, by the sender's index: audio and video. */
        final Map<Integer, AtomicLong> audioFrom = new ConcurrentHashMap<>();
        final Map<Integer, AtomicLong> videoFrom = new ConcurrentHashMap<>();
        /** Video sequence gaps per sender, and the last sequence number seen. */
        final Map<Integer, AtomicInteger> videoGaps = new ConcurrentHashMap<>();
        final Map<Integer, Integer> lastVideoSeq = new ConcurrentHashMap<>();
        private int seq;

        Member(String name, int index) throws Exception {
            super(name, false);
            this.index = (byte) index;
        }

        @Override
        void onPublisherRtcp(PacketBuffer p, long at) {
            RtcpIterator it = new RtcpIterator();
            if (it.reset(p.array(), p.offset(), p.length())) {
                while (it.next()) {
                    if (RtcpFeedback.isPli(it.type(), it.count()) && RtcpFeedback.mediaSsrc(p.array(), it.offset()) == videoSsrc) {
                        plisForVideo.incrementAndGet();
                    }
                }
            }
        }

        /** The last payload byte tags the sender: 20 + index for audio, 10 + index for video. */
        @Override
        void onMediaReceived(PacketBuffer p, long at) {
            byte[] b = p.array();
            int o = p.offset();
            int tag = b[o + p.length() - 1];
            int from = tag % 10;
            if (tag >= 20) {
                audioFrom.computeIfAbsent(from, k -> new AtomicLong()).incrementAndGet();
            } else {
                int s = ((b[o + 2] & 0xFF) << 8) | (b[o + 3] & 0xFF);
                Integer last = lastVideoSeq.put(from, s);
                if (last != null && s != ((last + 1) & 0xFFFF)) {
                    videoGaps.computeIfAbsent(from, k -> new AtomicInteger()).incrementAndGet();
                }
                videoFrom.computeIfAbsent(from, k -> new AtomicLong()).incrementAndGet();
            }
        }

        long audioFrom(Member m) {
            AtomicLong n = audioFrom.get((int) m.index);
            return n == null ? 0 : n.get();
        }

        long videoFrom(Member m) {
            AtomicLong n = videoFrom.get((int) m.index);
            return n == null ? 0 : n.get();
        }

        int videoGapsFrom(Member m) {
            AtomicInteger n = videoGaps.get((int) m.index);
            return n == null ? 0 : n.get();
        }

        String speaker() {
            return speakers.isEmpty() ? null : speakers.getLast();
        }

        /** 20 ms of media: an audio packet with the current level, and every other time a video packet. */
        @Override
        void sendMedia() {
            int s = seq++;
            byte[] audio = new byte[60];
            audio[audio.length - 1] = (byte) (20 + index);
            publisher.sendRtpWithAudioLevel(audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, s & 0xFFFF, 960 * s, 1,
                    level.get(), audio);
            if (s % 2 == 0) {
                byte[] video = new byte[300];
                video[0] = 0x10; // VP8 descriptor: start of a partition
                video[video.length - 1] = (byte) (10 + index);
                publisher.sendRtp(videoSsrc, SyntheticPeer.VP8_PAYLOAD_TYPE, (s / 2) & 0xFFFF, 3600 * s, video);
            }
        }

        @Override
        public void onActiveSpeaker(String participantId) {
            speakers.add(participantId);
        }

        @Override
        public void onVideoPaused(List<String> participantIds) {
            pausedLists.add(participantIds);
        }

        List<String> paused() {
            return pausedLists.isEmpty() ? List.of() : pausedLists.getLast();
        }
    }

    private void start(int lastN, String... names) throws Exception {
        sfu = SfuServer.start(new SfuConfig(InetAddress.getLoopbackAddress(), 0, List.of(InetAddress.getLoopbackAddress()),
                Duration.ofSeconds(10), 10).withLastN(lastN));
        for (int i = 0; i < names.length; i++) {
            Member m = new Member(names[i], i);
            members.add(m);
            m.join(sfu, "talk");
        }
        driver = new Thread(() -> {
            while (running.get()) {
                for (Member m : members) {
                    try {
                        m.answerOffers();
                    } catch (Exception e) {
                        // A slow handshake on a loaded machine: the next round tries again.
                        System.out.println(m.name + " could not answer or connect its subscriber yet: " + e);
                    }
                    if (m.publisher.connected()) {
                        m.sendMedia();
                    }
                }
                try {
                    Thread.sleep(20); // media pacing, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "speaker-test-media");
        driver.start();
    }

    @AfterEach
    void stop() throws Exception {
        running.set(false);
        if (driver != null) {
            driver.interrupt();
            driver.join(5000);
        }
        for (Member m : members) {
            m.close();
        }
        if (sfu != null) {
            sfu.close();
        }
    }

    @Test
    void everyoneIsToldWhoSpeaksAndTheFloorMovesWhenAnotherGetsLoud() throws Exception {
        start(0, "Ada", "Bob", "Cy");
        Member ada = members.get(0);
        Member bob = members.get(1);
        Member cy = members.get(2);
        Eventually.await(TIMEOUT, "everyone receives everyone's audio", () -> members.stream().allMatch(m ->
                members.stream().allMatch(o -> o == m || m.audioFrom(o) > 10)));
        assertTrue(members.stream().allMatch(m -> m.speakers.isEmpty()), "nobody is named while all are silent");
        ada.level.set(LOUD);
        Eventually.await(TIMEOUT, "everyone is told that Ada speaks",
                () -> members.stream().allMatch(m -> ada.id().equals(m.speaker())));
        ada.level.set(SILENT);
        bob.level.set(LOUD);
        Eventually.await(TIMEOUT, "everyone is told that Bob speaks now",
                () -> members.stream().allMatch(m -> bob.id().equals(m.speaker())));
        for (Member m : members) {
            assertEquals(List.of(ada.id(), bob.id()), m.speakers, m.name + " heard of each change once, in order");
            assertEquals(List.of(), m.paused(), "no last-N: no video paused");
        }
        // A newcomer is told the current speaker right after joining.
        Member dee = new Member("Dee", 3);
        members.add(dee);
        dee.join(sfu, "talk");
        Eventually.await(TIMEOUT, "the newcomer knows Bob speaks", () -> bob.id().equals(dee.speaker()));
        assertEquals(bob.id(), dee.speakers.getFirst());
        assertTrue(cy.speakers.size() == 2, "Cy was not told again: " + cy.speakers);
    }

    @Test
    void withLastNOneASubscriberGetsOnlyTheLatestSpeakersVideoAndAPausedOneComesBackWithAKeyframe() throws Exception {
        start(1, "Ada", "Bob", "Cy");
        Member ada = members.get(0);
        Member bob = members.get(1);
        Member cy = members.get(2);
        ada.level.set(LOUD);
        Eventually.await(TIMEOUT, "everyone is told that Ada speaks",
                () -> members.stream().allMatch(m -> ada.id().equals(m.speaker())));
        Eventually.await(TIMEOUT, "Cy is told that Bob's video is paused for it", () -> cy.paused().equals(List.of(bob.id())));
        Eventually.await(TIMEOUT, "Bob is told that Cy's video is paused for it", () -> bob.paused().equals(List.of(cy.id())));
        // Paused: while Cy receives 25 more of Ada's video packets (and Bob's audio goes on), none of Bob's.
        long bobVideo = cy.videoFrom(bob);
        long adaVideo = cy.videoFrom(ada);
        long bobAudio = cy.audioFrom(bob);
        Eventually.await(TIMEOUT, "Cy gets Ada's video", () -> cy.videoFrom(ada) > adaVideo + 25);
        long bobVideoAfter = cy.videoFrom(bob);
        Eventually.await(TIMEOUT, "more of Ada's video", () -> cy.videoFrom(ada) > adaVideo + 50);
        assertEquals(bobVideoAfter, cy.videoFrom(bob), "no video from Bob, who is not among Cy's last 1 speakers");
        assertTrue(cy.audioFrom(bob) > bobAudio + 10, "audio is never paused: Bob's still reaches Cy");
        assertTrue(bobVideoAfter - bobVideo <= 10, "Bob's video stopped at once: " + (bobVideoAfter - bobVideo));

        // Bob speaks: after Ada's hold time the floor moves; Cy gets Bob's video again and Ada's stops.
        long plis = bob.plisForVideo.get();
        ada.level.set(SILENT);
        bob.level.set(LOUD);
        Eventually.await(TIMEOUT, "everyone is told that Bob speaks",
                () -> members.stream().allMatch(m -> bob.id().equals(m.speaker())));
        Eventually.await(TIMEOUT, "Cy gets Bob's video again", () -> cy.videoFrom(bob) > bobVideoAfter + 25);
        assertTrue(bob.plisForVideo.get() > plis, "Bob was asked for a keyframe when his video resumed for Cy");
        Eventually.await(TIMEOUT, "Cy is told that Ada's video is paused now", () -> cy.paused().equals(List.of(ada.id())));
        assertEquals(0, cy.videoGapsFrom(bob), "Bob's video went on for Cy with no gap in its sequence numbers");
        long adaPaused = cy.videoFrom(ada);
        long bobNow = cy.videoFrom(bob);
        Eventually.await(TIMEOUT, "more of Bob's video", () -> cy.videoFrom(bob) > bobNow + 50);
        assertTrue(cy.videoFrom(ada) - adaPaused <= 10, "Ada's video is paused for Cy: " + (cy.videoFrom(ada) - adaPaused));
        long adaLater = cy.videoFrom(ada);
        long bobLater = cy.videoFrom(bob);
        Eventually.await(TIMEOUT, "still more of Bob's video", () -> cy.videoFrom(bob) > bobLater + 25);
        assertEquals(adaLater, cy.videoFrom(ada), "no video from Ada once paused");
        // Ada's own view: Bob is her most recent speaker, so she gets his video and not Cy's.
        assertEquals(List.of(cy.id()), ada.paused());
    }
}

package dev.parley.sfu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SessionDescription;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * People join, publish and leave at the same moment while every client answers subscriber offers at its own
 * pace: when things settle, each remaining participant's last answered offer carries exactly the tracks of
 * everyone else still there, active, and nothing of those who left.
 */
class RenegotiationChurnTest {
    private static final String FINGERPRINT = "sha-256 " + "1A:".repeat(31) + "2B";
    private SfuServer sfu;
    private final ExecutorService clients = Executors.newFixedThreadPool(8);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    /** A client that answers each subscriber offer after a random delay, newest offer first, as a browser does. */
    final class Client implements ParticipantListener {
        final String name;
        volatile Participant self;
        volatile int lastAnswered;
        volatile Set<String> activeOwners = Set.of();
        volatile int activeSections;
        volatile int sectionsOffered;
        final ConcurrentHashMap<Integer, String> pending = new ConcurrentHashMap<>();

        Client(String name) {
            this.name = name;
        }

        @Override
        public void onJoined(Participant p, List<ParticipantInfo> others) {
            self = p;
        }

        @Override
        public void onSubscriberOffer(String sdp, int version) {
            pending.put(version, sdp);
            clients.execute(() -> answer(version, sdp));
        }

        private void answer(int version, String offer) {
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(0, 15));
                String answer = offer.replace("a=setup:actpass", "a=setup:active")
                        .replace("a=sendonly", "a=recvonly")
                        .replaceAll("a=ice-ufrag:[^\\r]+", "a=ice-ufrag:cli" + name)
                        .replaceAll("a=ice-pwd:[^\\r]+", "a=ice-pwd:clientpassword0123456789")
                        .replaceAll("a=fingerprint:[^\\r]+", "a=fingerprint:" + FINGERPRINT)
                        .replace("a=ice-lite\r\n", "");
                self.acceptSubscriberAnswer(answer, version).get(5, TimeUnit.SECONDS);
                lastAnswered = version;
                Set<String> owners = new HashSet<>();
                int active = 0;
                for (MediaSection m : SessionDescription.parse(offer).media()) {
                    if (m.direction().equals("sendonly")) {
                        owners.add(m.attribute("msid").split(" ")[0]);
                        active++;
                    }
                }
                activeOwners = owners;
                activeSections = active;
                sectionsOffered = SessionDescription.parse(offer).media().size();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof StaleAnswerException) && !(e.getCause() instanceof IllegalStateException)) {
                    failure.compareAndSet(null, e.getCause());
                }
            } catch (Exception e) {
                failure.compareAndSet(null, e);
            } finally {
                pending.remove(version);
            }
        }

        @Override
        public void onParticipantJoined(ParticipantInfo other) {}

        @Override
        public void onParticipantUpdated(ParticipantInfo other) {}

        @Override
        public void onParticipantLeft(String participantId, LeaveReason reason) {}

        @Override
        public void onRemoved(LeaveReason reason) {}
    }

    @BeforeEach
    void start() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        sfu = SfuServer.start(new SfuConfig(loopback, 0, List.of(loopback), Duration.ofMinutes(5), 50));
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
        sfu.close();
    }

    @Test
    void concurrentJoinsAndLeavesSettleOnExactlyTheRemainingTracks() throws Exception {
        int people = 10;
        List<Client> everyone = new ArrayList<>();
        Set<Client> leavers = ConcurrentHashMap.newKeySet();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < people; i++) {
            Client c = new Client("c" + i);
            everyone.add(c);
            boolean leaves = i % 3 == 1;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                    Participant p = sfu.join("churn", c.name, c).get(5, TimeUnit.SECONDS);
                    p.publish(offer(0x10000 * (everyone.indexOf(c) + 1))).get(5, TimeUnit.SECONDS);
                    if (leaves) {
                        Thread.sleep(ThreadLocalRandom.current().nextInt(0, 20));
                        leavers.add(c);
                        p.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
                    }
                } catch (Exception e) {
                    failure.compareAndSet(null, e);
                }
            });
            threads.add(t);
            t.start();
        }
        go.countDown();
        for (Thread t : threads) {
            t.join(10_000);
        }
        List<Client> stayers = everyone.stream().filter(c -> !leavers.contains(c)).toList();
        Set<String> stayerIds = new HashSet<>();
        stayers.forEach(c -> stayerIds.add(c.self.id()));

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            if (failure.get() != null) {
                fail("a join, publish, leave or answer failed", failure.get());
            }
            boolean settled = stayers.stream().allMatch(c -> {
                Set<String> expected = new HashSet<>(stayerIds);
                expected.remove(c.self.id());
                return c.pending.isEmpty() && c.activeOwners.equals(expected) && c.activeSections == 2 * expected.size();
            });
            if (settled) {
                break;
            }
            if (System.nanoTime() > deadline) {
                StringBuilder sb = new StringBuilder();
                for (Client c : stayers) {
                    sb.append(c.name).append(": answered v").append(c.lastAnswered).append(", pending ")
                            .append(c.pending.keySet()).append(", active sections ").append(c.activeSections).append('\n');
                }
                fail("offers did not settle on the remaining participants' tracks:\n" + sb);
            }
            Thread.sleep(20);
        }
        assertEquals(people - leavers.size(), sfu.room("churn").size());
    }

    @Test
    void sectionsOfThoseWhoLeftAreReusedSoTheOfferDoesNotGrow() throws Exception {
        Client ada = new Client("ada");
        Participant adaP = sfu.join("reuse", "ada", ada).get(5, TimeUnit.SECONDS);
        adaP.publish(offer(0x100000)).get(5, TimeUnit.SECONDS);
        for (int round = 0; round < 5; round++) {
            Client visitor = new Client("v" + round);
            Participant v = sfu.join("reuse", visitor.name, visitor).get(5, TimeUnit.SECONDS);
            v.publish(offer(0x200000 + 0x10000 * round)).get(5, TimeUnit.SECONDS);
            String visitorId = v.id();
            awaitState(ada, Set.of(visitorId), 2);
            v.leave(LeaveReason.LEFT).get(5, TimeUnit.SECONDS);
            awaitState(ada, Set.of(), 0);
        }
        assertEquals(2, ada.sectionsOffered, "five visitors, one after another, share the same two m-sections");
    }

    private void awaitState(Client c, Set<String> owners, int active) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!(c.pending.isEmpty() && c.activeOwners.equals(owners) && c.activeSections == active)) {
            if (failure.get() != null) {
                fail("an answer failed", failure.get());
            }
            if (System.nanoTime() > deadline) {
                fail(c.name + " did not settle on " + owners + ": " + c.activeOwners + ", " + c.activeSections + " active");
            }
            Thread.sleep(10);
        }
    }

    /** A browser-shaped publisher offer with its own SSRCs. */
    private static String offer(int ssrcBase) {
        return String.join("\r\n",
                "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
                "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
                "a=ssrc:" + (ssrcBase + 1) + " cname:x",
                "m=video 9 UDP/TLS/RTP/SAVPF 96", "c=IN IP4 0.0.0.0",
                "a=ice-ufrag:pubu", "a=ice-pwd:publisherpassword0123456", "a=fingerprint:" + FINGERPRINT,
                "a=setup:actpass", "a=mid:1", "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000",
                "a=ssrc:" + (ssrcBase + 2) + " cname:x", "");
    }
}

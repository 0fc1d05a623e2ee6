package dev.parley.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SdpException;
import dev.parley.sfu.sdp.SessionDescription;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One participant of the load: a signaling connection and one peer connection, publishing (the client offers,
 * then sends media) or subscribing (it answers every offer the server sends, then receives). Joining is done
 * the way docs/protocol.md describes for a browser.
 */
final class LoadParticipant implements AutoCloseable {
    enum Role { PUBLISHER, SUBSCRIBER }

    /** Joining failed; the message says at which step and what the server said. */
    static final class JoinFailure extends Exception {
        JoinFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** {@code LOADTEST_DEBUG} set: every signaling message received is printed (its first 150 characters). */
    private static final boolean TRACE = System.getenv("LOADTEST_DEBUG") != null;

    final String name;
    final Role role;
    final int audioSsrc;
    final int videoSsrc;
    final ReceiveStats stats;
    /** With simulcast: a publisher's layers, a subscriber's transport-cc feedback; else null. */
    private final SimulcastCamera camera;
    private final TransportFeedback feedback;
    private final SyntheticPeer peer;
    private final CompletableFuture<JsonNode> joined = new CompletableFuture<>();
    private final CompletableFuture<JsonNode> publishAnswer = new CompletableFuture<>();
    private final CompletableFuture<JsonNode> firstOfferAnswered = new CompletableFuture<>();
    private volatile SignalingConnection signaling;
    private volatile String failure;
    private volatile long joinNanos = -1;

    LoadParticipant(String name, Role role, InetAddress bind, PeerReceiver receiver, boolean decrypt, int ssrcBase)
            throws IOException {
        this(name, role, bind, receiver, decrypt, ssrcBase, false);
    }

    /**
     * @param simulcast a publisher sends three simulcast layers ({@link SimulcastCamera}, SSRCs {@code ssrcBase} to
     *     {@code ssrcBase + 3}); a subscriber accepts transport-cc and sends feedback ({@link TransportFeedback})
     */
    LoadParticipant(String name, Role role, InetAddress bind, PeerReceiver receiver, boolean decrypt, int ssrcBase,
                    boolean simulcast) throws IOException {
        this.name = name;
        this.role = role;
        this.audioSsrc = ssrcBase;
        this.videoSsrc = ssrcBase + 1;
        this.stats = role == Role.SUBSCRIBER ? new ReceiveStats(decrypt) : null;
        java.util.SplittableRandom random = new java.util.SplittableRandom();
        this.camera = simulcast && role == Role.PUBLISHER ? new SimulcastCamera(audioSsrc, videoSsrc, random) : null;
        this.feedback = simulcast && stats != null ? new TransportFeedback(stats, random.nextInt() | 1) : null;
        SyntheticPeer.MediaHandler handler = feedback != null ? feedback : stats != null ? stats
                : camera != null ? camera : (p, at) -> {};
        this.peer = SyntheticPeer.open(name, bind, handler, receiver, decrypt, SyntheticPeer.DEFAULT_RECEIVE_BUFFER);
        if (feedback != null) {
            feedback.attach(peer);
        }
    }

    SyntheticPeer peer() {
        return peer;
    }

    /** A simulcast publisher's layers, or null. */
    SimulcastCamera camera() {
        return camera;
    }

    /** A simulcast subscriber's transport-cc feedback, or null. */
    TransportFeedback feedback() {
        return feedback;
    }

    /**
     * Joins {@code room}, offers or answers, and connects ICE and DTLS-SRTP. The join time (signaling socket
     * opened to SRTP ready) is kept for {@link #joinNanos()}.
     *
     * @param expectOffer a subscriber waits for the server's first offer (there is someone publishing)
     */
    void join(HttpClient http, URI url, String room, String token, Duration timeout, boolean expectOffer)
            throws JoinFailure {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        try {
            signaling = SignalingConnection.open(http, url, timeout, this::onMessage);
        } catch (IOException e) {
            throw new JoinFailure(name + ": " + e.getMessage(), e);
        }
        signaling.send("join", "room", room, "name", name, "token", token);
        JsonNode welcome = await(joined, deadline, "joined");
        if ((camera != null || feedback != null) && !welcome.path("simulcast").asBoolean(false)) {
            throw new JoinFailure(name + ": the server runs without simulcast (start it with --simulcast true)", null);
        }
        if (role == Role.PUBLISHER) {
            signaling.send("publish", "sdp", camera != null ? camera.offer(peer) : peer.publisherOffer(audioSsrc, videoSsrc));
            JsonNode answer = await(publishAnswer, deadline, "publishAnswer");
            try {
                peer.acceptAnswer(answer.path("sdp").asText());
            } catch (SdpException e) {
                throw new JoinFailure(name + ": the server's publish answer is unusable: " + e.getMessage(), e);
            }
        } else if (expectOffer) {
            await(firstOfferAnswered, deadline, "subscriberOffer");
        } else {
            joinNanos = System.nanoTime() - start;
            return; // nothing to receive: no media connection until someone publishes
        }
        try {
            peer.connect(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (IOException | TimeoutException e) {
            throw new JoinFailure(name + ": ICE/DTLS to the server's media port failed: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            throw new JoinFailure(name + ": " + e.getMessage(), e);
        }
        joinNanos = System.nanoTime() - start;
    }

    private JsonNode await(CompletableFuture<JsonNode> step, long deadline, String what) throws JoinFailure {
        try {
            return step.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            String f = failure;
            throw new JoinFailure(name + ": " + (f != null ? f : "no '" + what + "' from the server in time"), e);
        } catch (ExecutionException e) {
            throw new JoinFailure(name + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JoinFailure(name + ": interrupted", e);
        }
    }

    // Signaling messages, on the HTTP client's thread.
    private void onMessage(JsonNode m) {
        if (TRACE) {
            String text = m.toString();
            System.err.println(java.time.LocalTime.now() + " " + name + " <- " + text.substring(0, Math.min(150, text.length())));
        }
        switch (m.path("type").asText()) {
            case "joined" -> joined.complete(m);
            case "publishAnswer" -> publishAnswer.complete(m);
            case "subscriberOffer" -> answer(m);
            case "lobby" -> fail("the room has a lobby: a host must admit each participant (use a token that skips it)");
            case "error" -> fail("the server refused " + m.path("requestType").asText("a message") + ": "
                    + m.path("code").asText() + ": " + m.path("message").asText());
            case "removed", "left" -> fail("the server took the participant out: " + m.path("reason").asText());
            default -> {
                // participantJoined, chat and the rest: nothing to do
            }
        }
    }

    private void answer(JsonNode offer) {
        if (role != Role.SUBSCRIBER) {
            return; // a publish-only client need not answer (docs/protocol.md)
        }
        String sdp = offer.path("sdp").asText();
        try {
            stats.clockRates(clockRates(sdp));
            String answer = feedback != null ? peer.answerWithTransportSequence(sdp) : peer.answerFor(sdp);
            signaling.send("subscriberAnswer", "sdp", answer, "version", offer.path("version").asInt());
            firstOfferAnswered.complete(offer);
        } catch (SdpException | RuntimeException e) {
            fail("cannot answer the server's subscriber offer: " + e.getMessage());
        }
    }

    private void fail(String why) {
        if (failure == null) {
            failure = why;
        }
        JoinFailureException error = new JoinFailureException(why);
        joined.completeExceptionally(error);
        publishAnswer.completeExceptionally(error);
        firstOfferAnswered.completeExceptionally(error);
    }

    /** Why the participant failed or was taken out, or null. */
    String failure() {
        return failure;
    }

    /** True while its signaling socket is open and its media connection up (or not needed yet). */
    boolean connected() {
        SignalingConnection s = signaling;
        return failure == null && s != null && !s.closed().isDone() && (joinNanos >= 0);
    }

    /** Nanoseconds from opening the signaling socket to SRTP ready; -1 before. */
    long joinNanos() {
        return joinNanos;
    }

    /** The clock rate of each payload type offered ({@code a=rtpmap:<pt> <name>/<rate>}), 0 where none. */
    static int[] clockRates(String sdp) throws SdpException {
        int[] rates = new int[128];
        for (MediaSection m : SessionDescription.parse(sdp).media()) {
            for (String rtpmap : m.attributes("rtpmap")) {
                String[] f = rtpmap.trim().split("[ /]");
                if (f.length >= 3) {
                    try {
                        int pt = Integer.parseInt(f[0]);
                        if (pt >= 0 && pt < 128) {
                            rates[pt] = Integer.parseInt(f[2]);
                        }
                    } catch (NumberFormatException ignored) {
                        // not a number: leave that payload type without jitter
                    }
                }
            }
        }
        return rates;
    }

    private static final class JoinFailureException extends RuntimeException {
        JoinFailureException(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    public void close() {
        SignalingConnection s = signaling;
        if (s != null) {
            s.close();
        }
        peer.close();
    }
}

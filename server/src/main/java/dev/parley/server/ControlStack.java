package dev.parley.server;

import dev.parley.control.Admission;
import dev.parley.control.AdmissionRefused;
import dev.parley.control.ControlConfig;
import dev.parley.control.ControlPlane;
import dev.parley.control.JoinGrant;
import dev.parley.control.RecordingRefused;
import dev.parley.control.events.EventSink;
import dev.parley.control.events.FanOutSink;
import dev.parley.control.events.InProcessEventBus;
import dev.parley.control.events.JdbcEventOutbox;
import dev.parley.control.events.KafkaEventSink;
import dev.parley.control.events.OutboxRelay;
import dev.parley.control.events.WebhookDispatcher;
import dev.parley.control.state.InMemoryLiveParticipants;
import dev.parley.control.state.InMemoryRateLimiter;
import dev.parley.control.state.InMemoryRevocationStore;
import dev.parley.control.state.LiveParticipants;
import dev.parley.control.state.RateLimiter;
import dev.parley.control.state.RedisState;
import dev.parley.control.state.RevocationStore;
import dev.parley.signaling.IceServer;
import dev.parley.signaling.JoinAuthorizer;
import dev.parley.signaling.JoinPermit;
import dev.parley.signaling.ParticipantObserver;
import dev.parley.signaling.RecordingControl;
import dev.parley.signaling.SignalingLimits;
import dev.parley.signaling.SignalingService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane as the server runs it: the REST API and database, the event outbox with its relay to
 * Kafka or the in-process bus (and webhooks), and shared state in Redis or in memory, all chosen by config.
 */
final class ControlStack implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlStack.class);

    private final ControlPlane plane;
    private final OutboxRelay relay;
    private final WebhookDispatcher webhooks;
    private final RedisState redis;
    private final RateLimiter limiter;
    private final SignalingRooms rooms;
    /** The AI bridge on the rooms, or null when AI is off. */
    private final AiCaptioner captioner;
    /** Presence is written to the database off the room threads, in order. */
    private final ExecutorService presence = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "parley-presence");
        t.setDaemon(true);
        return t;
    });

    private ControlStack(ControlPlane plane, OutboxRelay relay, WebhookDispatcher webhooks, RedisState redis,
                         SignalingRooms rooms, RateLimiter limiter, AiCaptioner captioner) {
        this.captioner = captioner;
        this.limiter = limiter;
        this.webhooks = webhooks;
        this.plane = plane;
        this.relay = relay;
        this.redis = redis;
        this.rooms = rooms;
    }

    /**
     * @param captioner the AI bridge on the rooms, or null when AI is off
     * @param speech the one-shot analysis behind {@code /api/v1/ai/*} ({@code SpeechAnalysis.NONE} when AI is off)
     */
    static ControlStack start(ServerConfig config, String publicUrl, dev.parley.control.RoomRecorder recorder,
                              AiCaptioner captioner, dev.parley.control.SpeechAnalysis speech) {
        RedisState redis = config.redisUrl() == null ? null
                : RedisState.connect(config.redisUrl(), config.nodes().redisKeyPrefix());
        RateLimiter limiter = redis == null ? new InMemoryRateLimiter() : redis.rateLimiter();
        RevocationStore revocations = redis == null ? new InMemoryRevocationStore() : redis.revocations();
        LiveParticipants live = redis == null ? new InMemoryLiveParticipants() : redis.liveParticipants();
        OutboxRelay[] relayRef = new OutboxRelay[1];
        JdbcEventOutbox outbox = new JdbcEventOutbox(() -> {
            OutboxRelay r = relayRef[0];
            if (r != null) {
                r.wake();
            }
        });
        ControlConfig cc = new ControlConfig(config.dataDir(), config.dbUrl(), config.dbUser(), config.dbPassword(),
                config.jwtSecret(), config.authRequired(), publicUrl, config.stunUrls(), config.turnUrls(),
                config.turnSecret(), config.turnTtl(), ControlConfig.DEFAULT_MAX_BODY_BYTES);
        SignalingRooms rooms = new SignalingRooms();
        ControlPlane plane;
        try {
            plane = ControlPlane.start(cc, outbox, limiter, revocations, live, rooms, recorder,
                    captioner == null ? dev.parley.control.RoomCaptioner.NONE : captioner, speech);
        } catch (RuntimeException e) {
            if (redis != null) {
                redis.close();
            }
            throw e;
        }
        List<EventSink> sinks = new ArrayList<>();
        if (config.kafkaBootstrap() != null) {
            sinks.add(new KafkaEventSink(config.kafkaBootstrap(), "", Duration.ofSeconds(30)));
            log.info("Events go to Kafka at {}", config.kafkaBootstrap());
        } else {
            sinks.add(new InProcessEventBus());
        }
        WebhookDispatcher webhooks = new WebhookDispatcher(plane.jdbi(), plane::webhookTargets,
                WebhookDispatcher.Options.defaults()).start();
        sinks.add(webhooks);
        OutboxRelay relay = new OutboxRelay(plane.jdbi(), new FanOutSink(sinks)).start();
        relayRef[0] = relay;
        if (captioner != null) {
            captioner.reportTo(plane.captionResults(), plane::captionsWanted);
        }
        return new ControlStack(plane, relay, webhooks, redis, rooms, limiter, captioner);
    }

    ControlPlane plane() {
        return plane;
    }

    /** The nodes sharing this Redis, or null without Redis (one node serves every room). */
    dev.parley.control.state.RedisNodes nodes() {
        return redis == null ? null : redis.nodes();
    }

    long eventBacklog() {
        return relay.backlog();
    }

    long eventsDelivered() {
        return relay.delivered();
    }

    long eventDeliveryFailures() {
        return relay.failedAttempts();
    }

    /**
     * Webhook deliveries waiting in the database (in flight included), or -1 when the database does not answer.
     * Read at scrape time, once per scrape: a COUNT over the {@code (state, next_attempt_at)} index, of at most
     * the dispatcher's 10 000 pending rows, is cheap, and unlike a count kept in memory it includes rows an
     * earlier run or another node left, which are the ones an operator is looking for.
     */
    long webhooksPending() {
        try {
            return webhooks.pending();
        } catch (RuntimeException e) {
            log.debug("webhook deliveries not counted for metrics: {}", e.toString());
            return -1;
        }
    }

    /** Webhook deliveries this process made (2xx), since it started. */
    long webhooksDelivered() {
        return webhooks.delivered();
    }

    /** Webhook attempts that failed (each retried, or abandoned), since this process started. */
    long webhookAttemptsFailed() {
        return webhooks.failedAttempts();
    }

    /** Webhook deliveries this process gave up, since it started. */
    long webhooksAbandoned() {
        return webhooks.abandoned();
    }

    /**
     * Who may join, decided by the control plane at join time (token, meeting state, account, password):
     * with auth required, a valid join token for the room; otherwise a token is optional (guests join open
     * rooms by link) but, when given, must be valid. The permit carries the meeting's lobby, host rights and
     * participant limit, which signaling enforces.
     */
    JoinAuthorizer authorizer() {
        return (room, name, token) -> {
            Admission a;
            try {
                a = plane.admit(room, token);
            } catch (AdmissionRefused e) {
                throw new JoinAuthorizer.JoinRefusedException(e.code(), e.getMessage());
            }
            JoinGrant g = a.grant();
            if (g == null) {
                return new JoinPermit("guest-" + UUID.randomUUID(), name, true, true, false, a.lobby(), a.maxParticipants());
            }
            return new JoinPermit(g.identity(), g.name() == null || g.name().isBlank() ? name : g.name(),
                    g.canPublish(), g.canSubscribe(), a.host(), a.lobby(), a.maxParticipants(), g.canRecord());
        };
    }

    /** Recording started and stopped over signaling, by participants whose permit allows it. */
    RecordingControl recordingControl() {
        return new RecordingControl() {
            @Override
            public void start(String room, String identity) throws RefusedException {
                try {
                    plane.startRecording(room, identity);
                } catch (RecordingRefused e) {
                    throw new RefusedException(e.code(), e.getMessage());
                }
            }

            @Override
            public void stop(String room, String identity) throws RefusedException {
                try {
                    plane.stopRecording(room, identity);
                } catch (RecordingRefused e) {
                    throw new RefusedException(e.code(), e.getMessage());
                }
            }
        };
    }

    /** Captions turned on and off over signaling by hosts. */
    dev.parley.signaling.CaptionControl captionControl() {
        return (room, identity, on) -> {
            try {
                plane.setCaptions(room, identity, on);
            } catch (dev.parley.control.CaptionsRefused e) {
                throw new RecordingControl.RefusedException(e.code(), e.getMessage());
            }
        };
    }

    /**
     * The per-address signaling limits, guest joins counted by the shared rate limiter (Redis when configured).
     * When the limiter cannot be reached, joins go ahead: an outage of Redis must not lock everyone out.
     */
    SignalingLimits signalingLimits(UsageLimits limits) {
        int perMinute = limits.guestJoinsPerMinute();
        return new SignalingLimits(limits.connectionsPerAddress(), limits.roomsPerAddress(), address -> {
            try {
                return limiter.tryAcquire("guest-join:" + address, perMinute, Duration.ofMinutes(1));
            } catch (RuntimeException e) {
                log.warn("guest join rate limit not checked: {}", e.toString());
                return true;
            }
        }, Set.copyOf(limits.trustedProxies()), limits.maxConnections());
    }

    ParticipantObserver observer() {
        return new ParticipantObserver() {
            @Override
            public void joined(String room, String participantId, JoinPermit permit) {
                runLogged(() -> plane.participantJoined(room, participantId, permit.identity(), permit.name()));
                if (captioner != null) {
                    captioner.participantJoined(room);
                }
            }

            @Override
            public void left(String room, String participantId, String reason) {
                runLogged(() -> plane.participantLeft(room, participantId));
                if (captioner != null) {
                    captioner.participantLeft(room, participantId);
                }
            }

            @Override
            public void waiting(String room, String waitingId, JoinPermit permit) {
                runLogged(() -> plane.participantWaiting(room, waitingId, permit.identity(), permit.name()));
            }

            @Override
            public void admitted(String room, String waitingId, JoinPermit permit, String by) {
                runLogged(() -> plane.lobbyDecision(true, room, waitingId, permit.identity(), by));
            }

            @Override
            public void refused(String room, String waitingId, JoinPermit permit, String by) {
                runLogged(() -> plane.lobbyDecision(false, room, waitingId, permit.identity(), by));
            }

            @Override
            public void removed(String room, String participantId, JoinPermit permit, String reason, String by) {
                runLogged(() -> plane.participantRemoved(room, participantId, permit.identity(), reason, by));
                if (captioner != null) {
                    captioner.participantLeft(room, participantId);
                }
            }
        };
    }

    /** Points the meeting API's lobby and meeting-end calls at the signaling that now serves the rooms. */
    void attach(SignalingService signaling) {
        rooms.signaling = signaling;
    }

    List<IceServer> iceServers(JoinPermit permit) {
        List<IceServer> out = new ArrayList<>();
        for (Map<String, Object> s : plane.iceServers(permit.identity())) {
            @SuppressWarnings("unchecked")
            List<String> urls = (List<String>) s.get("urls");
            out.add(new IceServer(urls, (String) s.get("username"), (String) s.get("credential")));
        }
        return out;
    }

    /** Presence bookkeeping must never break a join or a leave: a database hiccup is logged, not thrown. */
    private void runLogged(Runnable r) {
        try {
            presence.execute(() -> {
                try {
                    r.run();
                } catch (RuntimeException e) {
                    log.warn("recording participant presence failed: {}", e.toString());
                }
            });
        } catch (RejectedExecutionException shuttingDown) {
            // Too late for this departure: close() closes every presence still open before the database goes.
            log.debug("presence update after shutdown began; left to the shutdown's sweep");
        }
    }

    /**
     * The control plane's part of a shutdown, after signaling has closed its sessions: the departures already
     * queued are written, whoever is still recorded as present is closed (meetings stop being live), the relay
     * stops (events not yet delivered stay in the outbox), webhook requests in flight are given a few seconds
     * and the rest stay in their table; the database closes last.
     */
    @Override
    public void close() {
        presence.shutdown();
        try {
            if (!presence.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("presence writes did not finish in 10 s; the rest are closed below");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            plane.closeOpenPresence();
        } catch (RuntimeException e) {
            log.warn("closing open presence failed; the next start closes it: {}", e.toString());
        }
        relay.close(); // closes the sinks, the webhook dispatcher among them
        plane.close();
        if (redis != null) {
            redis.close();
        }
    }
}

package dev.parley.ai;

import dev.parley.ai.AiUnavailableException.Reason;
import dev.parley.ai.audio.Pcm16k;
import dev.parley.ai.kserve.GRPCInferenceServiceGrpc;
import dev.parley.ai.kserve.ModelInferRequest;
import dev.parley.ai.kserve.ModelInferResponse;
import dev.parley.ai.kserve.ModelReadyRequest;
import dev.parley.ai.kserve.ServerReadyRequest;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A KServe v2 gRPC client over several Triton endpoints: round robin over the usable ones (ready, models ready,
 * breaker not open), ServerReady/ModelReady checks on a schedule, a deadline per call (retries on the next endpoint
 * when one is unreachable stay within it), a circuit breaker per endpoint, and a bound on calls in flight. gRPC
 * channels reconnect by themselves; the health check resets their reconnect backoff while an endpoint is down, so
 * a restarted Triton is found within one health interval rather than after minutes of backoff.
 */
final class TritonClient implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TritonClient.class);

    private final AiSettings settings;
    private final AiMetrics metrics;
    private final List<Node> nodes = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private final Semaphore inFlight;
    private final Consumer<Boolean> onAvailability;
    private final long healthDeadlineMillis;
    private volatile boolean closed;
    private volatile boolean lastAvailable = true;
    private final Object availabilityLock = new Object();

    /** One endpoint: its channel, what the health check saw, and its breaker. */
    private final class Node {
        final String address;
        final ManagedChannel channel;
        final GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;
        final CircuitBreaker breaker;
        volatile boolean checked;
        volatile boolean ready = true; // optimistic until the first check answers
        final Map<String, Boolean> modelsReady = new ConcurrentHashMap<>();
        volatile String lastError = "";
        int slowChecks; // health thread only

        Node(AiSettings.Endpoint e) {
            this.address = e.toString();
            this.channel = Grpc.newChannelBuilderForAddress(e.host(), e.port(), InsecureChannelCredentials.create())
                    .maxInboundMessageSize(16 << 20)
                    .build();
            this.stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
            this.breaker = new CircuitBreaker(settings.breakerFailures(), settings.breakerOpen().toNanos(), () -> {
                metrics.breakerOpened();
                LOG.warn("Triton endpoint {}: circuit breaker open after {} failures ({})", address,
                        settings.breakerFailures(), lastError);
            });
        }

        boolean modelReady(String model) {
            return modelsReady.getOrDefault(model, true);
        }

        EndpointHealth health(long now) {
            Map<String, Boolean> models = new LinkedHashMap<>();
            for (ModelContract c : contracts()) {
                models.put(c.name(), modelReady(c.name()));
            }
            return new EndpointHealth(address, checked, ready, models, breaker.state(now), lastError);
        }
    }

    /**
     * @param onAvailability called (on the health thread or a caller's) with true when some endpoint becomes usable
     *     after none was, and false when none is usable any more
     */
    TritonClient(AiSettings settings, AiMetrics metrics, ScheduledExecutorService scheduler,
                 Consumer<Boolean> onAvailability) {
        this.settings = settings;
        this.metrics = metrics;
        this.onAvailability = onAvailability;
        this.inFlight = new Semaphore(settings.maxInFlight());
        this.healthDeadlineMillis = Math.min(Math.max(settings.callDeadline().toMillis(), 2000), 10_000);
        for (AiSettings.Endpoint e : settings.endpoints()) {
            nodes.add(new Node(e));
        }
        long interval = settings.healthInterval().toMillis();
        scheduler.scheduleWithFixedDelay(this::checkHealth, 0, interval, TimeUnit.MILLISECONDS);
    }

    private List<ModelContract> contracts() {
        return settings.emotion() == null ? List.of(settings.asr()) : List.of(settings.asr(), settings.emotion());
    }

    int inFlight() {
        return settings.maxInFlight() - inFlight.availablePermits();
    }

    /**
     * Asks every endpoint ServerReady and ModelReady for each model. Their deadline is at least 2 s, even when
     * inference calls have a tighter one, and one check that times out is not enough to take an endpoint out (two in
     * a row are): a busy host should not look down. An endpoint that refuses the connection or answers "not ready"
     * is out at once.
     */
    void checkHealth() {
        for (Node n : nodes) {
            if (closed) {
                return; // the channels are going: what a check sees now says nothing about Triton
            }
            try {
                var stub = n.stub.withDeadlineAfter(healthDeadlineMillis, TimeUnit.MILLISECONDS);
                boolean ready = stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady();
                for (ModelContract c : contracts()) {
                    boolean model = ready && stub.modelReady(ModelReadyRequest.newBuilder().setName(c.name())
                            .setVersion(c.version()).build()).getReady();
                    n.modelsReady.put(c.name(), model);
                }
                if (!ready) {
                    n.lastError = "ServerReady: not ready";
                }
                n.ready = ready;
                n.slowChecks = 0;
            } catch (StatusRuntimeException e) {
                boolean slow = e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
                n.slowChecks = slow ? n.slowChecks + 1 : 0;
                if (!slow || n.slowChecks >= 2) {
                    n.ready = false;
                }
                n.lastError = "health check: " + describe(e.getStatus());
                n.channel.resetConnectBackoff(); // try to reconnect at the next check, not after a long backoff
            } catch (RuntimeException e) {
                n.ready = false;
                n.lastError = "health check: " + e;
            }
            n.checked = true;
        }
        if (!closed) {
            updateAvailability();
        }
    }

    private void updateAvailability() {
        boolean now = available();
        synchronized (availabilityLock) {
            if (now == lastAvailable) {
                return;
            }
            lastAvailable = now;
        }
        if (now) {
            LOG.info("Triton: an endpoint is usable again");
        } else {
            LOG.warn("Triton: no endpoint is usable ({})", nodes.stream().map(n -> n.address + ": " + n.lastError)
                    .collect(java.util.stream.Collectors.joining("; ")));
        }
        try {
            onAvailability.accept(now);
        } catch (RuntimeException e) {
            LOG.warn("availability listener failed", e);
        }
    }

    /** Whether some endpoint can take a call now. */
    boolean available() {
        long now = System.nanoTime();
        for (Node n : nodes) {
            if (n.ready && allModelsReady(n) && n.breaker.wouldAllow(now)) {
                return true;
            }
        }
        return false;
    }

    private boolean allModelsReady(Node n) {
        for (ModelContract c : contracts()) {
            if (!n.modelReady(c.name())) {
                return false;
            }
        }
        return true;
    }

    AiHealth health() {
        long now = System.nanoTime();
        List<EndpointHealth> list = new ArrayList<>();
        for (Node n : nodes) {
            list.add(n.health(now));
        }
        return new AiHealth(list);
    }

    /** Transcribes {@code pcm}, waiting up to the deadline for a free call slot. */
    AsrResult recognize(Pcm16k pcm) {
        ModelContract c = settings.asr();
        Answer a = infer(c, pcm);
        TensorCodec.AsrAnswer text = TensorCodec.asr(c, a.response);
        return new AsrResult(text.text(), text.confidence(), c.name(), a.endpoint, a.nanos / 1_000_000);
    }

    /** Scores {@code pcm}'s emotion; fails when no emotion model is configured. */
    EmotionResult emotion(Pcm16k pcm) {
        ModelContract c = settings.emotion();
        if (c == null) {
            throw new AiUnavailableException(Reason.FAILED, "no emotion model is configured (ai-emotion-model)");
        }
        Answer a = infer(c, pcm);
        return new EmotionResult(TensorCodec.emotion(c, a.response), c.name(), a.endpoint, a.nanos / 1_000_000);
    }

    private record Answer(ModelInferResponse response, String endpoint, long nanos) {}

    private Answer infer(ModelContract c, Pcm16k pcm) {
        long start = System.nanoTime();
        Deadline deadline = Deadline.after(settings.callDeadline().toNanos(), TimeUnit.NANOSECONDS);
        try {
            if (!inFlight.tryAcquire(deadline.timeRemaining(TimeUnit.NANOSECONDS), TimeUnit.NANOSECONDS)) {
                throw new AiUnavailableException(Reason.BUSY, "all " + settings.maxInFlight()
                        + " inference call slots stayed busy until the deadline");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AiUnavailableException(Reason.FAILED, "interrupted while waiting for a call slot");
        }
        boolean ok = false;
        try {
            Answer a = attempt(c, pcm, deadline, start);
            ok = true;
            return a;
        } finally {
            inFlight.release();
            metrics.call(System.nanoTime() - start, ok);
        }
    }

    private Answer attempt(ModelContract c, Pcm16k pcm, Deadline deadline, long start) {
        ModelInferRequest request = TensorCodec.request(c, pcm, "parley-" + ids.incrementAndGet());
        List<Node> tried = new ArrayList<>();
        String lastFailure = null;
        while (true) {
            Node n = pick(c, tried);
            if (n == null) {
                if (lastFailure != null) {
                    throw new AiUnavailableException(Reason.NO_HEALTHY_ENDPOINT, "no Triton endpoint answered: " + lastFailure);
                }
                throw nothingUsable(c);
            }
            tried.add(n);
            try {
                ModelInferResponse r = n.stub.withDeadline(deadline).modelInfer(request);
                n.breaker.success();
                return new Answer(r, n.address, System.nanoTime() - start);
            } catch (StatusRuntimeException e) {
                Status.Code code = e.getStatus().getCode();
                n.lastError = "ModelInfer " + c.name() + ": " + describe(e.getStatus());
                if (endpointFault(code)) {
                    n.breaker.failure(System.nanoTime());
                    updateAvailability();
                } else {
                    n.breaker.neutral();
                }
                if (code == Status.Code.DEADLINE_EXCEEDED || deadline.isExpired()) {
                    throw new AiUnavailableException(Reason.DEADLINE_EXCEEDED, "model " + c.name() + " on " + n.address
                            + " did not answer within " + settings.callDeadline().toMillis() + " ms");
                }
                if (code != Status.Code.UNAVAILABLE) {
                    throw new AiUnavailableException(Reason.FAILED, "model " + c.name() + " on " + n.address
                            + " refused the request: " + describe(e.getStatus()));
                }
                lastFailure = n.address + " " + describe(e.getStatus()); // unreachable: try the next endpoint
            }
        }
    }

    private AiUnavailableException nothingUsable(ModelContract c) {
        boolean anyReady = false;
        for (Node n : nodes) {
            anyReady |= n.ready && n.modelReady(c.name());
        }
        return anyReady
                ? new AiUnavailableException(Reason.CIRCUIT_OPEN, "every ready Triton endpoint's circuit breaker is open")
                : new AiUnavailableException(Reason.NO_HEALTHY_ENDPOINT, "no Triton endpoint is ready for model "
                        + c.name());
    }

    /** The next usable endpoint in round-robin order, not yet tried; takes its breaker's permit. */
    private Node pick(ModelContract c, List<Node> tried) {
        int size = nodes.size();
        int start = Math.floorMod(next.getAndIncrement(), size);
        long now = System.nanoTime();
        for (int i = 0; i < size; i++) {
            Node n = nodes.get((start + i) % size);
            if (!tried.contains(n) && n.ready && n.modelReady(c.name()) && n.breaker.tryAcquire(now)) {
                return n;
            }
        }
        return null;
    }

    /** Failures that say something about the endpoint (down, overloaded, broken) rather than the request. */
    private static boolean endpointFault(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, RESOURCE_EXHAUSTED, ABORTED, DATA_LOSS -> true;
            default -> false;
        };
    }

    private static String describe(Status s) {
        String d = s.getDescription();
        return s.getCode() + (d == null ? "" : " (" + (d.length() > 200 ? d.substring(0, 200) + "..." : d) + ")");
    }

    @Override
    public void close() {
        closed = true;
        for (Node n : nodes) {
            n.channel.shutdownNow();
        }
        for (Node n : nodes) {
            try {
                n.channel.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}

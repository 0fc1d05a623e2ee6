package dev.parley.ai.standin;

import com.google.protobuf.ByteString;
import dev.parley.ai.AiSettings;
import dev.parley.ai.ModelContract;
import dev.parley.ai.TensorType;
import dev.parley.ai.kserve.GRPCInferenceServiceGrpc;
import dev.parley.ai.kserve.ModelInferRequest;
import dev.parley.ai.kserve.ModelInferResponse;
import dev.parley.ai.kserve.ModelReadyRequest;
import dev.parley.ai.kserve.ModelReadyResponse;
import dev.parley.ai.kserve.ServerLiveRequest;
import dev.parley.ai.kserve.ServerLiveResponse;
import dev.parley.ai.kserve.ServerReadyRequest;
import dev.parley.ai.kserve.ServerReadyResponse;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A KServe v2 inference server for tests, speaking the same generated {@code GRPCInferenceService} as NVIDIA
 * Triton on 127.0.0.1 (Triton itself cannot run here). It checks every ModelInfer request against the configured
 * {@link ModelContract}s (model name and version, input tensor names, datatype, shape, raw content size, the sample
 * rate, the requested outputs): a request off the contract gets INVALID_ARGUMENT (NOT_FOUND for an unknown model)
 * and is recorded in {@link #violations()}. Every request is recorded with its samples and arrival time, and
 * answered with scripted text (ASR) or labels and scores (emotion).
 *
 * <p>It can be stopped and restarted on the same port, made slow, or made to report itself or a model not ready.
 */
public final class KserveStandIn implements AutoCloseable {
    /** One ModelInfer request the stand-in accepted. */
    public record Received(String model, short[] samples, long arrivalNanos, String requestId) {
        /** Samples in the request (16 kHz mono). */
        public int sampleCount() {
            return samples.length;
        }

        public long durationMillis() {
            return samples.length * 1000L / 16_000;
        }
    }

    private final ModelContract asr;
    private final ModelContract emotion;
    private volatile int port;
    private volatile Server server;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean serverReady = true;
    private final Map<String, Boolean> modelReady = new ConcurrentHashMap<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();
    private final Queue<String> scriptedTexts = new ConcurrentLinkedQueue<>();
    private volatile Function<Received, String> textAnswer = r -> "segment of " + r.durationMillis() + " ms";
    private volatile Function<Received, Map<String, Double>> emotionAnswer = r -> {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("neutral", 0.7);
        m.put("happy", 0.2);
        m.put("sad", 0.1);
        return m;
    };
    private volatile double confidence = 0.9;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger healthChecks = new AtomicInteger();

    private KserveStandIn(ModelContract asr, ModelContract emotion) {
        this.asr = asr;
        this.emotion = emotion;
    }

    /** Starts on an ephemeral port of 127.0.0.1, serving the ASR model and (when not null) the emotion model. */
    public static KserveStandIn start(ModelContract asr, ModelContract emotion) {
        return start(asr, emotion, 0);
    }

    /** Starts on {@code port} of 127.0.0.1 (0 for an ephemeral one). */
    public static KserveStandIn start(ModelContract asr, ModelContract emotion, int port) {
        KserveStandIn s = new KserveStandIn(asr, emotion);
        s.server = s.build(port);
        s.port = s.server.getPort();
        return s;
    }

    private Server build(int onPort) {
        try {
            return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort))
                    .withOption(ChannelOption.SO_REUSEADDR, true)
                    .maxInboundMessageSize(64 << 20)
                    .addService(new Service())
                    .build()
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("the KServe stand-in cannot listen on 127.0.0.1:" + onPort, e);
        }
    }

    public int port() {
        return port;
    }

    /** {@code 127.0.0.1:port}, as an {@code ai-endpoints} entry. */
    public AiSettings.Endpoint endpoint() {
        return new AiSettings.Endpoint("127.0.0.1", port);
    }

    /** Stops listening and drops open connections, like a Triton that died. */
    public synchronized void stop() {
        Server s = server;
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server = null;
        }
    }

    /** Listens again on the same port. */
    public synchronized void restart() {
        if (server == null) {
            server = build(port);
        }
    }

    public boolean running() {
        return server != null;
    }

    /** Every ModelInfer waits this long before answering (a slow or overloaded Triton). */
    public void setDelay(Duration delay) {
        this.delay = delay;
    }

    /** What ServerReady answers. */
    public void setServerReady(boolean ready) {
        this.serverReady = ready;
    }

    /** What ModelReady answers for {@code model}. */
    public void setModelReady(String model, boolean ready) {
        modelReady.put(model, ready);
    }

    /** Texts to answer the next ASR requests with, in order; after them the text function answers. */
    public void scriptTexts(String... texts) {
        scriptedTexts.addAll(List.of(texts));
    }

    /** How ASR requests are answered once the scripted texts are used up. */
    public void answerTexts(Function<Received, String> answer) {
        this.textAnswer = answer;
    }

    /** The confidence ASR answers carry (when the contract has a confidence output). */
    public void setConfidence(double confidence) {
        this.confidence = confidence;
    }

    /** How emotion requests are answered: labels with scores. */
    public void answerEmotions(Function<Received, Map<String, Double>> answer) {
        this.emotionAnswer = answer;
    }

    /** Every accepted ModelInfer request, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** The accepted requests for one model. */
    public List<Received> received(String model) {
        return received.stream().filter(r -> r.model().equals(model)).toList();
    }

    /** Requests refused for breaking the contract, each described. */
    public List<String> violations() {
        return List.copyOf(violations);
    }

    /** ModelInfer calls that reached the stand-in, accepted or not. */
    public int calls() {
        return calls.get();
    }

    /** ServerReady calls answered. */
    public int healthChecks() {
        return healthChecks.get();
    }

    /** Forgets what was received (not the scripts or settings). */
    public void clearReceived() {
        received.clear();
        violations.clear();
    }

    @Override
    public void close() {
        stop();
    }

    private final class Service extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {
        @Override
        public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
            out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
            out.onCompleted();
        }

        @Override
        public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
            healthChecks.incrementAndGet();
            out.onNext(ServerReadyResponse.newBuilder().setReady(serverReady).build());
            out.onCompleted();
        }

        @Override
        public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
            boolean known = contract(request.getName()) != null;
            out.onNext(ModelReadyResponse.newBuilder()
                    .setReady(known && serverReady && modelReady.getOrDefault(request.getName(), true)).build());
            out.onCompleted();
        }

        @Override
        public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
            long arrival = System.nanoTime();
            calls.incrementAndGet();
            ModelContract c = contract(request.getModelName());
            if (c == null) {
                violations.add("unknown model '" + request.getModelName() + "'");
                out.onError(Status.NOT_FOUND.withDescription("unknown model '" + request.getModelName() + "'")
                        .asRuntimeException());
                return;
            }
            short[] samples;
            try {
                samples = check(c, request);
            } catch (IllegalArgumentException e) {
                violations.add(c.name() + ": " + e.getMessage());
                out.onError(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
                return;
            }
            Duration d = delay;
            if (!d.isZero()) {
                try {
                    Thread.sleep(d); // a slow model, as the test asked for
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Received r = new Received(c.name(), samples, arrival, request.getId());
            received.add(r);
            out.onNext(c == asr ? asrAnswer(c, request, r) : emotionAnswer(c, request, r));
            out.onCompleted();
        }
    }

    private ModelContract contract(String model) {
        if (asr.name().equals(model)) {
            return asr;
        }
        return emotion != null && emotion.name().equals(model) ? emotion : null;
    }

    /** Checks the request against the contract and returns its samples; throws with the first violation. */
    private static short[] check(ModelContract c, ModelInferRequest r) {
        if (!c.version().isEmpty() && !c.version().equals(r.getModelVersion())) {
            throw new IllegalArgumentException("model version '" + r.getModelVersion() + "', expected '" + c.version() + "'");
        }
        int expectedInputs = c.sampleRateInput().isEmpty() ? 1 : 2;
        if (r.getInputsCount() != expectedInputs) {
            throw new IllegalArgumentException(r.getInputsCount() + " inputs, expected " + expectedInputs);
        }
        if (r.getRawInputContentsCount() != r.getInputsCount()) {
            throw new IllegalArgumentException(r.getRawInputContentsCount() + " raw contents for "
                    + r.getInputsCount() + " inputs");
        }
        short[] samples = null;
        for (int i = 0; i < r.getInputsCount(); i++) {
            ModelInferRequest.InferInputTensor t = r.getInputs(i);
            ByteString raw = r.getRawInputContents(i);
            if (t.getName().equals(c.input())) {
                samples = audio(c, t, raw);
            } else if (t.getName().equals(c.sampleRateInput())) {
                if (!t.getDatatype().equals("INT32") || !t.getShapeList().equals(List.of(1L)) || raw.size() != 4) {
                    throw new IllegalArgumentException("sample rate input must be INT32 [1], got " + t.getDatatype()
                            + " " + t.getShapeList() + " with " + raw.size() + " bytes");
                }
                int rate = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt();
                if (rate != 16_000) {
                    throw new IllegalArgumentException("sample rate " + rate + ", expected 16000");
                }
            } else {
                throw new IllegalArgumentException("unexpected input tensor '" + t.getName() + "'");
            }
        }
        if (samples == null) {
            throw new IllegalArgumentException("no input tensor '" + c.input() + "'");
        }
        List<String> outputs = r.getOutputsList().stream().map(ModelInferRequest.InferRequestedOutputTensor::getName).toList();
        List<String> expected = new ArrayList<>(List.of(c.output()));
        if (!c.scoreOutput().isEmpty()) {
            expected.add(c.scoreOutput());
        }
        if (!outputs.equals(expected)) {
            throw new IllegalArgumentException("requested outputs " + outputs + ", expected " + expected);
        }
        return samples;
    }

    private static short[] audio(ModelContract c, ModelInferRequest.InferInputTensor t, ByteString raw) {
        if (!t.getDatatype().equals(c.datatype().name())) {
            throw new IllegalArgumentException("input '" + t.getName() + "' is " + t.getDatatype() + ", expected "
                    + c.datatype());
        }
        List<Long> shape = t.getShapeList();
        if (shape.size() != c.shape().size()) {
            throw new IllegalArgumentException("input shape " + shape + " does not fit " + c.shape());
        }
        long elements = 1;
        for (int i = 0; i < shape.size(); i++) {
            long want = c.shape().get(i);
            long got = shape.get(i);
            if ((want != -1 && got != want) || got < 1) {
                throw new IllegalArgumentException("input shape " + shape + " does not fit " + c.shape());
            }
            elements *= got;
        }
        ByteBuffer b = raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (c.datatype() == TensorType.BYTES) {
            if (elements != 1 || b.remaining() < 4 || b.getInt() != b.remaining()) {
                throw new IllegalArgumentException("a BYTES input must hold one length-prefixed element");
            }
            byte[] wav = new byte[b.remaining()];
            b.get(wav);
            return wavSamples(wav);
        }
        int size = c.datatype() == TensorType.FP32 ? 4 : 2;
        if (raw.size() != elements * size) {
            throw new IllegalArgumentException("raw content has " + raw.size() + " bytes for " + elements + " "
                    + c.datatype() + " elements");
        }
        short[] s = new short[(int) elements];
        for (int i = 0; i < s.length; i++) {
            if (size == 4) {
                float f = b.getFloat();
                if (!(f >= -1f && f <= 1f)) {
                    throw new IllegalArgumentException("FP32 sample " + f + " outside -1..1");
                }
                s[i] = (short) Math.max(-32768, Math.min(32767, Math.round(f * 32768f)));
            } else {
                s[i] = b.getShort();
            }
        }
        return s;
    }

    private static short[] wavSamples(byte[] wav) {
        ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (wav.length < 44 || b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157 || b.getShort(20) != 1
                || b.getShort(22) != 1 || b.getInt(24) != 16_000 || b.getShort(34) != 16) {
            throw new IllegalArgumentException("the BYTES input is not a 16 kHz mono 16-bit WAV file");
        }
        int data = b.getInt(40);
        if (data != wav.length - 44) {
            throw new IllegalArgumentException("the WAV data size " + data + " does not match the file");
        }
        short[] s = new short[data / 2];
        b.position(44);
        for (int i = 0; i < s.length; i++) {
            s[i] = b.getShort();
        }
        return s;
    }

    private ModelInferResponse asrAnswer(ModelContract c, ModelInferRequest request, Received r) {
        String text = scriptedTexts.poll();
        if (text == null) {
            text = textAnswer.apply(r);
        }
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(c.name()).setId(request.getId());
        b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(c.output()).setDatatype("BYTES").addShape(1));
        b.addRawOutputContents(bytesTensor(List.of(text)));
        if (!c.scoreOutput().isEmpty()) {
            b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(c.scoreOutput()).setDatatype("FP32")
                    .addShape(1));
            b.addRawOutputContents(fp32Tensor(List.of(confidence)));
        }
        return b.build();
    }

    private ModelInferResponse emotionAnswer(ModelContract c, ModelInferRequest request, Received r) {
        Map<String, Double> scores = emotionAnswer.apply(r);
        ModelInferResponse.Builder b = ModelInferResponse.newBuilder().setModelName(c.name()).setId(request.getId());
        b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(c.output()).setDatatype("BYTES")
                .addShape(scores.size()));
        b.addRawOutputContents(bytesTensor(List.copyOf(scores.keySet())));
        b.addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName(c.scoreOutput()).setDatatype("FP32")
                .addShape(scores.size()));
        b.addRawOutputContents(fp32Tensor(List.copyOf(scores.values())));
        return b.build();
    }

    private static ByteString bytesTensor(List<String> elements) {
        ByteString.Output out = ByteString.newOutput();
        for (String e : elements) {
            byte[] bytes = e.getBytes(StandardCharsets.UTF_8);
            out.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(bytes.length).array(), 0, 4);
            out.write(bytes, 0, bytes.length);
        }
        return out.toByteString();
    }

    private static ByteString fp32Tensor(List<Double> values) {
        ByteBuffer b = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putFloat((float) v);
        }
        return ByteString.copyFrom(b.array());
    }
}

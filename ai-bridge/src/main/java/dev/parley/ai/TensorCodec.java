package dev.parley.ai;

import com.google.protobuf.ByteString;
import dev.parley.ai.audio.Pcm16k;
import dev.parley.ai.kserve.InferTensorContents;
import dev.parley.ai.kserve.ModelInferRequest;
import dev.parley.ai.kserve.ModelInferResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Builds KServe v2 requests from audio by a {@link ModelContract}, and reads the answers. */
final class TensorCodec {
    private TensorCodec() {}

    static ModelInferRequest request(ModelContract c, Pcm16k pcm, String id) {
        ModelInferRequest.Builder b = ModelInferRequest.newBuilder().setModelName(c.name()).setId(id);
        if (!c.version().isEmpty()) {
            b.setModelVersion(c.version());
        }
        ModelInferRequest.InferInputTensor.Builder audio = ModelInferRequest.InferInputTensor.newBuilder()
                .setName(c.input()).setDatatype(c.datatype().name());
        for (long d : c.shapeFor(pcm.length())) {
            audio.addShape(d);
        }
        b.addInputs(audio);
        b.addRawInputContents(audioBytes(c.datatype(), pcm));
        if (!c.sampleRateInput().isEmpty()) {
            b.addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName(c.sampleRateInput())
                    .setDatatype("INT32").addShape(1));
            b.addRawInputContents(ByteString.copyFrom(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(Pcm16k.RATE).array()));
        }
        b.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(c.output()));
        if (!c.scoreOutput().isEmpty()) {
            b.addOutputs(ModelInferRequest.InferRequestedOutputTensor.newBuilder().setName(c.scoreOutput()));
        }
        return b.build();
    }

    private static ByteString audioBytes(TensorType type, Pcm16k pcm) {
        int n = pcm.length();
        return switch (type) {
            case FP32 -> {
                ByteBuffer buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    buf.putFloat(pcm.sample(i) / 32768f);
                }
                yield ByteString.copyFrom(buf.array());
            }
            case INT16 -> {
                ByteBuffer buf = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < n; i++) {
                    buf.putShort(pcm.sample(i));
                }
                yield ByteString.copyFrom(buf.array());
            }
            case BYTES -> {
                byte[] wav = wav(pcm);
                ByteBuffer buf = ByteBuffer.allocate(4 + wav.length).order(ByteOrder.LITTLE_ENDIAN);
                buf.putInt(wav.length).put(wav);
                yield ByteString.copyFrom(buf.array());
            }
        };
    }

    /** The audio as a 16 kHz mono 16-bit PCM WAV file. */
    static byte[] wav(Pcm16k pcm) {
        int data = pcm.length() * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + data).put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(Pcm16k.RATE).putInt(Pcm16k.RATE * 2).putShort((short) 2).putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(data);
        for (int i = 0; i < pcm.length(); i++) {
            b.putShort(pcm.sample(i));
        }
        return b.array();
    }

    /** The first element of the text output, and the first of the confidence output (NaN when none). */
    static AsrAnswer asr(ModelContract c, ModelInferResponse r) {
        List<byte[]> text = bytesOutput(c, r, c.output());
        String s = text.isEmpty() ? "" : new String(text.get(0), StandardCharsets.UTF_8).strip();
        double confidence = Double.NaN;
        if (!c.scoreOutput().isEmpty()) {
            double[] scores = numberOutput(c, r, c.scoreOutput());
            if (scores.length > 0) {
                confidence = Math.max(0, Math.min(1, scores[0]));
            }
        }
        return new AsrAnswer(s, confidence);
    }

    record AsrAnswer(String text, double confidence) {}

    /** Labels paired with scores, highest first. */
    static List<EmotionScore> emotion(ModelContract c, ModelInferResponse r) {
        List<byte[]> labels = bytesOutput(c, r, c.output());
        double[] scores = numberOutput(c, r, c.scoreOutput());
        if (labels.size() != scores.length) {
            throw new AiUnavailableException(AiUnavailableException.Reason.FAILED, "model " + c.name() + " answered "
                    + labels.size() + " labels and " + scores.length + " scores");
        }
        List<EmotionScore> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            out.add(new EmotionScore(new String(labels.get(i), StandardCharsets.UTF_8), scores[i]));
        }
        out.sort(Comparator.comparingDouble(EmotionScore::score).reversed());
        return out;
    }

    private static int index(ModelContract c, ModelInferResponse r, String name) {
        for (int i = 0; i < r.getOutputsCount(); i++) {
            if (r.getOutputs(i).getName().equals(name)) {
                return i;
            }
        }
        throw new AiUnavailableException(AiUnavailableException.Reason.FAILED, "model " + c.name()
                + " answered without the output tensor '" + name + "'");
    }

    private static List<byte[]> bytesOutput(ModelContract c, ModelInferResponse r, String name) {
        int i = index(c, r, name);
        ModelInferResponse.InferOutputTensor t = r.getOutputs(i);
        if (!t.getDatatype().equals("BYTES")) {
            throw off(c, name, "BYTES", t.getDatatype());
        }
        List<byte[]> out = new ArrayList<>();
        if (r.getRawOutputContentsCount() > 0) {
            if (i >= r.getRawOutputContentsCount()) {
                throw missingRaw(c, name);
            }
            ByteBuffer b = r.getRawOutputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            while (b.remaining() >= 4) {
                int len = b.getInt();
                if (len < 0 || len > b.remaining()) {
                    throw new AiUnavailableException(AiUnavailableException.Reason.FAILED, "model " + c.name()
                            + ": the BYTES output '" + name + "' is malformed");
                }
                byte[] e = new byte[len];
                b.get(e);
                out.add(e);
            }
        } else {
            for (ByteString s : t.getContents().getBytesContentsList()) {
                out.add(s.toByteArray());
            }
        }
        return out;
    }

    private static double[] numberOutput(ModelContract c, ModelInferResponse r, String name) {
        int i = index(c, r, name);
        ModelInferResponse.InferOutputTensor t = r.getOutputs(i);
        String type = t.getDatatype();
        if (!type.equals("FP32") && !type.equals("FP64")) {
            throw off(c, name, "FP32", type);
        }
        if (r.getRawOutputContentsCount() > 0) {
            if (i >= r.getRawOutputContentsCount()) {
                throw missingRaw(c, name);
            }
            ByteBuffer b = r.getRawOutputContents(i).asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int size = type.equals("FP32") ? 4 : 8;
            double[] out = new double[b.remaining() / size];
            for (int k = 0; k < out.length; k++) {
                out[k] = size == 4 ? b.getFloat() : b.getDouble();
            }
            return out;
        }
        InferTensorContents contents = t.getContents();
        if (type.equals("FP32")) {
            double[] out = new double[contents.getFp32ContentsCount()];
            for (int k = 0; k < out.length; k++) {
                out[k] = contents.getFp32Contents(k);
            }
            return out;
        }
        return contents.getFp64ContentsList().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static AiUnavailableException off(ModelContract c, String name, String want, String got) {
        return new AiUnavailableException(AiUnavailableException.Reason.FAILED, "model " + c.name() + ": output '"
                + name + "' is " + got + ", the contract says " + want);
    }

    private static AiUnavailableException missingRaw(ModelContract c, String name) {
        return new AiUnavailableException(AiUnavailableException.Reason.FAILED, "model " + c.name()
                + ": no raw contents for output '" + name + "'");
    }
}

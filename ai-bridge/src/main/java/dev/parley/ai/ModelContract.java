package dev.parley.ai;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a model on Triton expects and answers: the tensor contract Parley's requests follow.
 *
 * <p>The audio goes in one input tensor ({@code input}) of {@code datatype} and {@code shape}; in the shape, -1
 * marks the axis that takes the sample count (FP32, INT16), and every other dimension is 1; for BYTES the shape
 * holds one element (e.g. {@code [1]} or {@code [1,1]}; a -1 becomes 1). When {@code sampleRateInput} is not empty,
 * a second input of that name carries 16000 as INT32 of shape {@code [1]}.
 *
 * <p>For speech recognition, {@code output} is the text (BYTES, the first element, UTF-8) and {@code scoreOutput}
 * an optional confidence (FP32, first element; empty when the model has none). For emotion, {@code output} holds
 * the labels (BYTES, one per class) and {@code scoreOutput} their scores (FP32, same order), both required.
 *
 * @param name the model's name on Triton
 * @param version the model version, or empty to let Triton choose
 */
public record ModelContract(String name, String version, String input, TensorType datatype, List<Long> shape,
                            String sampleRateInput, String output, String scoreOutput) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,128}");
    private static final Pattern VERSION = Pattern.compile("[0-9]{0,18}");
    private static final Pattern TENSOR = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");

    /** The default ASR contract: model {@code asr}, input {@code AUDIO} FP32 {@code [1,-1]}, output {@code TEXT}. */
    public static ModelContract asrDefaults() {
        return new ModelContract("asr", "", "AUDIO", TensorType.FP32, List.of(1L, -1L), "", "TEXT", "");
    }

    /**
     * The default emotion contract: model {@code emotion}, input {@code AUDIO} FP32 {@code [1,-1]}, outputs
     * {@code LABELS} and {@code SCORES}.
     */
    public static ModelContract emotionDefaults() {
        return new ModelContract("emotion", "", "AUDIO", TensorType.FP32, List.of(1L, -1L), "", "LABELS", "SCORES");
    }

    /** Checks the contract; messages name the model and the offending part. */
    public ModelContract {
        version = version == null ? "" : version.strip();
        sampleRateInput = sampleRateInput == null ? "" : sampleRateInput.strip();
        scoreOutput = scoreOutput == null ? "" : scoreOutput.strip();
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name must be 1-128 letters, digits, '_', '.' or '-', got '" + name + "'");
        }
        if (!VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("model " + name + ": version must be a number or empty, got '" + version + "'");
        }
        tensor(name, "input", input);
        tensor(name, "output", output);
        if (!sampleRateInput.isEmpty()) {
            tensor(name, "sample-rate input", sampleRateInput);
        }
        if (!scoreOutput.isEmpty()) {
            tensor(name, "score output", scoreOutput);
        }
        if (datatype == null) {
            throw new IllegalArgumentException("model " + name + ": the input datatype is missing");
        }
        if (shape == null || shape.isEmpty() || shape.size() > 4) {
            throw new IllegalArgumentException("model " + name + ": the input shape needs 1 to 4 dimensions, got " + shape);
        }
        shape = List.copyOf(shape);
        int variable = 0;
        for (long d : shape) {
            if (d == -1) {
                variable++;
            } else if (d != 1) {
                throw new IllegalArgumentException("model " + name + ": input shape " + shape
                        + " may hold only 1 and one -1 (the sample axis)");
            }
        }
        if (datatype != TensorType.BYTES && variable != 1) {
            throw new IllegalArgumentException("model " + name + ": a " + datatype + " input shape needs exactly one -1"
                    + " for the samples, got " + shape);
        }
        if (datatype == TensorType.BYTES && variable > 1) {
            throw new IllegalArgumentException("model " + name + ": a BYTES input holds one element, got shape " + shape);
        }
        List<String> names = java.util.stream.Stream.of(input, output, sampleRateInput, scoreOutput)
                .filter(s -> !s.isEmpty()).toList();
        if (names.stream().distinct().count() != names.size()) {
            throw new IllegalArgumentException("model " + name + ": tensor names must differ from each other");
        }
    }

    private static void tensor(String model, String what, String value) {
        if (value == null || !TENSOR.matcher(value).matches()) {
            throw new IllegalArgumentException("model " + model + ": " + what
                    + " tensor name must be 1-128 letters, digits, '_', '.', ':' or '-', got '" + value + "'");
        }
    }

    /** The shape for {@code samples} samples: -1 replaced by the count (by 1 for BYTES). */
    public long[] shapeFor(int samples) {
        long[] s = new long[shape.size()];
        for (int i = 0; i < s.length; i++) {
            long d = shape.get(i);
            s[i] = d == -1 ? (datatype == TensorType.BYTES ? 1 : samples) : d;
        }
        return s;
    }

    /** Parses a shape such as {@code [1,-1]} or {@code 1,-1}. */
    public static List<Long> parseShape(String text) {
        String t = text == null ? "" : text.strip();
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        List<Long> dims = new ArrayList<>();
        for (String part : t.split(",")) {
            try {
                dims.add(Long.parseLong(part.strip()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a tensor shape is a list of integers such as [1,-1], got '" + text + "'");
            }
        }
        return dims;
    }
}

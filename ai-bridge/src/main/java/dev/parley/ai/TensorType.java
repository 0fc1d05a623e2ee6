package dev.parley.ai;

/** How a model wants its audio input tensor (KServe v2 datatype names). */
public enum TensorType {
    /** Samples as 32-bit floats from -1 to 1, one element per sample. */
    FP32,
    /** Samples as signed 16-bit integers, one element per sample. */
    INT16,
    /** One element: the audio as a 16 kHz mono 16-bit WAV file. */
    BYTES;

    /** Parses a KServe datatype name ({@code FP32}, {@code INT16}, {@code BYTES}), case-insensitive. */
    public static TensorType parse(String name) {
        for (TensorType t : values()) {
            if (t.name().equalsIgnoreCase(name == null ? "" : name.strip())) {
                return t;
            }
        }
        throw new IllegalArgumentException("tensor datatype must be FP32, INT16 or BYTES, got '" + name + "'");
    }
}

package dev.parley.recorder.media;

/** Byte arrays written as lists of unsigned values, for hand-made vectors. */
final class ByteVectors {
    private ByteVectors() {
    }

    static byte[] of(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}

package dev.parley.sfu.media;

import java.util.Arrays;

/**
 * The loop's lists of streams, forwards and taps are arrays replaced whole when one is added or removed (a control
 * action, rare), so the packet path iterates a plain array: no iterator, no allocation per packet.
 */
final class CopyOnWriteArrays {
    private CopyOnWriteArrays() {
    }

    static <T> T[] append(T[] array, T item) {
        T[] copy = Arrays.copyOf(array, array.length + 1);
        copy[array.length] = item;
        return copy;
    }

    static <T> T[] remove(T[] array, T item) {
        for (int i = 0; i < array.length; i++) {
            if (array[i] == item) {
                T[] copy = Arrays.copyOf(array, array.length - 1);
                System.arraycopy(array, i + 1, copy, i, array.length - i - 1);
                return copy;
            }
        }
        return array;
    }
}

package dev.parley.recorder.media;

import java.nio.charset.StandardCharsets;

/** EBML (RFC 8794) encoding of the few element forms the Matroska writer needs, into a {@link GrowableBytes}. */
final class Ebml {
    /** The reserved "unknown size" value in its 8-byte form: the element ends where its parent ends. */
    static final long UNKNOWN_SIZE = 0x00FF_FFFF_FFFF_FFFFL;

    private Ebml() {
    }

    /** Writes an element id; Matroska ids carry their own length marker, so their bytes are written as is. */
    static void id(GrowableBytes b, int id) {
        if ((id & 0xFF00_0000) != 0) {
            b.put(id >>> 24);
        }
        if ((id & 0xFFFF_0000) != 0) {
            b.put(id >>> 16);
        }
        if ((id & 0xFFFF_FF00) != 0) {
            b.put(id >>> 8);
        }
        b.put(id);
    }

    /** Writes a size in the shortest variable-length form (all-ones values are reserved, so one more byte). */
    static void size(GrowableBytes b, long size) {
        int n = 1;
        while (n < 8 && size >= (1L << (7 * n)) - 1) {
            n++;
        }
        long marked = size | 1L << (7 * n);
        for (int i = n - 1; i >= 0; i--) {
            b.put((int) (marked >>> (8 * i)));
        }
    }

    /** Writes a size in the 8-byte form, so that it can be overwritten in place later. */
    static void size8(GrowableBytes b, long size) {
        b.put(0x01);
        for (int i = 6; i >= 0; i--) {
            b.put((int) (size >>> (8 * i)));
        }
    }

    /** The 8-byte form of a size, to write at a known position. */
    static byte[] size8(long size) {
        byte[] b = new byte[8];
        size8(b, 0, size);
        return b;
    }

    /** Overwrites {@code dst[at..at+8)} with the 8-byte form of a size (patching an element already built). */
    static void size8(byte[] dst, int at, long size) {
        dst[at] = 0x01;
        for (int i = 1; i < 8; i++) {
            dst[at + i] = (byte) (size >>> (8 * (7 - i)));
        }
    }

    static void uint(GrowableBytes b, int id, long value) {
        int n = 1;
        while (n < 8 && (value >>> (8 * n)) != 0) {
            n++;
        }
        id(b, id);
        size(b, n);
        for (int i = n - 1; i >= 0; i--) {
            b.put((int) (value >>> (8 * i)));
        }
    }

    static void float64(GrowableBytes b, int id, double value) {
        id(b, id);
        size(b, 8);
        long bits = Double.doubleToLongBits(value);
        for (int i = 7; i >= 0; i--) {
            b.put((int) (bits >>> (8 * i)));
        }
    }

    static void string(GrowableBytes b, int id, String value) {
        binary(b, id, value.getBytes(StandardCharsets.UTF_8));
    }

    static void binary(GrowableBytes b, int id, byte[] value) {
        id(b, id);
        size(b, value.length);
        b.put(value, 0, value.length);
    }

    /** A master element whose children are already encoded in {@code children}. */
    static void master(GrowableBytes b, int id, GrowableBytes children) {
        id(b, id);
        size(b, children.length());
        b.put(children.array(), 0, children.length());
    }

    /** A Void element of exactly {@code total} bytes (at least 2), reserving room to overwrite later. */
    static void voidElement(GrowableBytes b, int total) {
        if (total < 2 || total > 127) {
            throw new IllegalArgumentException("void element of " + total + " bytes");
        }
        b.put(0xEC);
        b.put(0x80 | (total - 2));
        for (int i = 2; i < total; i++) {
            b.put(0);
        }
    }
}

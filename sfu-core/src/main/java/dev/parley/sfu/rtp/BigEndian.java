package dev.parley.sfu.rtp;

/** Network byte order reads and writes on a byte array; callers have already checked the bounds. */
final class BigEndian {
    private BigEndian() {
    }

    static int u8(byte[] buf, int i) {
        return buf[i] & 0xFF;
    }

    static int u16(byte[] buf, int i) {
        return (buf[i] & 0xFF) << 8 | (buf[i + 1] & 0xFF);
    }

    static int u24(byte[] buf, int i) {
        return (buf[i] & 0xFF) << 16 | (buf[i + 1] & 0xFF) << 8 | (buf[i + 2] & 0xFF);
    }

    static int i32(byte[] buf, int i) {
        return (buf[i] & 0xFF) << 24 | (buf[i + 1] & 0xFF) << 16 | (buf[i + 2] & 0xFF) << 8 | (buf[i + 3] & 0xFF);
    }

    static long u32(byte[] buf, int i) {
        return i32(buf, i) & 0xFFFF_FFFFL;
    }

    static long i64(byte[] buf, int i) {
        return (long) i32(buf, i) << 32 | u32(buf, i + 4);
    }

    static void put16(byte[] buf, int i, int v) {
        buf[i] = (byte) (v >>> 8);
        buf[i + 1] = (byte) v;
    }

    static void put24(byte[] buf, int i, int v) {
        buf[i] = (byte) (v >>> 16);
        buf[i + 1] = (byte) (v >>> 8);
        buf[i + 2] = (byte) v;
    }

    static void put32(byte[] buf, int i, int v) {
        buf[i] = (byte) (v >>> 24);
        buf[i + 1] = (byte) (v >>> 16);
        buf[i + 2] = (byte) (v >>> 8);
        buf[i + 3] = (byte) v;
    }

    static void put64(byte[] buf, int i, long v) {
        put32(buf, i, (int) (v >>> 32));
        put32(buf, i + 4, (int) v);
    }

    /** True when [off, off+len) is a real window of {@code buf}; guards every public parser entry. */
    static boolean inBounds(byte[] buf, int off, int len) {
        return buf != null && off >= 0 && len >= 0 && len <= buf.length - off;
    }
}

package dev.parley.sfu.rtp;

/**
 * Lists the sequence numbers a generic NACK reports lost, item by item (each PID, then the BLP bits from lowest),
 * without allocating; keep one per thread and {@link #reset} it per NACK.
 *
 * <pre>{@code
 * lost.reset(buf, it.offset(), it.length());
 * while (lost.hasNext()) { int seq = lost.nextSequenceNumber(); ... }
 * }</pre>
 */
public final class NackIterator {
    private byte[] buf;
    private int off;
    private int items;
    private int item;
    private int pid;
    private int blp;
    private int bit;
    private boolean hasNext;
    private int next;

    /** Starts over the NACK at {@code [off, off+len)}; a window outside {@code buf} yields nothing. */
    public void reset(byte[] buf, int off, int len) {
        boolean usable = BigEndian.inBounds(buf, off, len);
        this.buf = usable ? buf : null;
        this.off = off;
        this.items = usable ? Nack.itemCount(len) : 0;
        this.item = -1;
        this.bit = 16;
        advance();
    }

    /** Whether another lost sequence number remains. */
    public boolean hasNext() {
        return hasNext;
    }

    /** The next lost sequence number (0..65535); only valid after {@link #hasNext()} returned true. */
    public int nextSequenceNumber() {
        if (!hasNext) {
            throw new IllegalStateException("no more lost sequence numbers in this NACK");
        }
        int result = next;
        advance();
        return result;
    }

    private void advance() {
        while (bit < 16) {
            int b = bit++;
            if ((blp & (1 << b)) != 0) {
                next = (pid + b + 1) & 0xFFFF;
                hasNext = true;
                return;
            }
        }
        if (++item >= items) {
            hasNext = false;
            buf = null;
            return;
        }
        pid = Nack.pid(buf, off, item);
        blp = Nack.blp(buf, off, item);
        bit = 0;
        next = pid;
        hasNext = true;
    }
}

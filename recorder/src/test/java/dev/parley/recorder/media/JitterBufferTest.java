package dev.parley.recorder.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JitterBufferTest {
    private static final long MS = 1_000_000L;

    /** What was released: sequence, timestamp, gap flag and first payload byte. */
    record Out(long seq, long ts, boolean gap, int firstByte) {
    }

    private final List<Out> out = new ArrayList<>();
    private final JitterBuffer buffer = new JitterBuffer(64, 100 * MS,
            p -> out.add(new Out(p.sequence, p.timestamp, p.afterGap, p.array[p.payloadOffset])));

    private void push(int seq, int ts, long nowMillis) {
        byte[] p = RtpStream.packet(seq & 0xFFFF, ts, 7, false, new byte[] {(byte) seq, 1, 2});
        assertTrue(buffer.push(p, 0, p.length, nowMillis * MS));
    }

    private List<Long> seqs() {
        return out.stream().map(Out::seq).toList();
    }

    @Test
    void reordersWithinTheDeadline() {
        push(10, 900, 0);
        push(12, 2700, 1);
        push(13, 3600, 2);
        push(11, 1800, 3);
        buffer.poll(100 * MS);
        assertEquals(List.of(10L, 11L, 12L, 13L), seqs());
        assertTrue(out.stream().noneMatch(Out::gap));
        assertEquals(0, buffer.lost());
    }

    @Test
    void theFirstPacketsMayArriveOutOfOrderToo() {
        push(11, 900, 0);
        push(10, 0, 5);
        push(12, 1800, 6);
        assertTrue(out.isEmpty(), "the first packet waits for its deadline");
        buffer.poll(100 * MS);
        assertEquals(List.of(10L, 11L, 12L), seqs());
        assertTrue(out.stream().noneMatch(Out::gap));
        assertEquals(0, buffer.late());
    }

    @Test
    void givesUpOnAHoleAtTheDeadlineAndMarksTheGap() {
        push(100, 0, 0);
        push(102, 1800, 10);
        push(103, 2700, 20);
        buffer.poll(109 * MS);
        assertEquals(List.of(100L), seqs(), "102 waits for 101 until its deadline");
        buffer.poll(110 * MS);
        assertEquals(List.of(100L, 102L, 103L), seqs());
        assertTrue(out.get(1).gap(), "the packet after the hole says so");
        assertFalse(out.get(2).gap());
        assertEquals(1, buffer.lost());
        push(101, 900, 111);
        assertEquals(1, buffer.late(), "a packet after its place was given up on is dropped");
        assertEquals(3, out.size());
    }

    @Test
    void dropsDuplicates() {
        push(5, 0, 0);
        push(7, 0, 1);
        push(7, 0, 2);
        push(5, 0, 3);
        push(6, 0, 4);
        buffer.poll(100 * MS);
        assertEquals(List.of(5L, 6L, 7L), seqs());
        assertEquals(2, buffer.duplicates());
        push(5, 0, 101);
        assertEquals(1, buffer.late(), "once released, a copy is late");
    }

    @Test
    void unrollsSequenceWrapAroundEvenWhenReordered() {
        push(65534, 0, 0);
        push(0, 1800, 1);
        push(65535, 900, 2);
        push(1, 2700, 3);
        buffer.poll(100 * MS);
        assertEquals(List.of(65534L, 65535L, 65536L, 65537L), seqs());
        assertTrue(out.stream().noneMatch(Out::gap));
    }

    @Test
    void unrollsTimestampWrapAroundTo64Bits() {
        push(1, 0xFFFF_FC00, 0);
        push(3, 0x0000_0800, 1);
        push(2, 0xFFFF_FE00, 2);
        buffer.poll(100 * MS);
        assertEquals(List.of(0xFFFF_FC00L, 0xFFFF_FE00L, 0x1_0000_0800L), out.stream().map(Out::ts).toList());
    }

    @Test
    void aJumpBeyondTheCapacityIsARestartNotUnboundedGrowth() {
        push(1000, 0, 0);
        push(1002, 0, 1); // held behind 1001
        push(30_000, 0, 2); // far ahead: the stream restarted its numbering
        assertEquals(List.of(1000L, 1002L), seqs(), "what was held is released at once");
        buffer.poll(102 * MS);
        assertEquals(List.of(1000L, 1002L, 30_000L), seqs());
        assertTrue(out.get(1).gap() && out.get(2).gap());
        assertEquals(1, buffer.restarts());
        assertEquals(0, buffer.held());
        for (int i = 0; i < 10_000; i += 2) { // every other packet missing, never released by a poll
            push(30_002 + i, 0, 3);
            assertTrue(buffer.held() <= 64, "held " + buffer.held());
        }
    }

    @Test
    void flushReleasesEverythingInOrder() {
        push(1, 0, 0);
        push(4, 0, 0);
        push(3, 0, 0);
        buffer.flush();
        assertEquals(List.of(1L, 3L, 4L), seqs());
        assertTrue(out.get(1).gap());
        assertEquals(1, buffer.lost());
    }

    @Test
    void refusesWhatIsNotAnRtpPacketAndChangesNothing() {
        byte[] junk = {0x12, 0x34, 0x56};
        assertFalse(buffer.push(junk, 0, junk.length, 0));
        byte[] empty = RtpStream.packet(5, 0, 7, false, new byte[0]);
        assertFalse(buffer.push(empty, 0, empty.length, 0));
        byte[] huge = RtpStream.packet(5, 0, 7, false, new byte[JitterBuffer.MAX_PACKET]);
        assertFalse(buffer.push(huge, 0, huge.length, 0));
        assertEquals(3, buffer.refused());
        assertEquals(0, buffer.received());
        push(9, 0, 1);
        buffer.poll(101 * MS);
        assertEquals(List.of(9L), seqs(), "the first real packet still starts the stream");
    }
}

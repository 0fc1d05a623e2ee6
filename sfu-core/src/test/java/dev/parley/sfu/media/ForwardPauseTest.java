package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A forward paused by last-N and resumed numbers its packets on from where it stopped, so the subscriber sees no gap. */
class ForwardPauseTest {
    @Test
    void afterAPauseTheSubscribersSequenceGoesOnWithoutAGap() {
        Forward f = new Forward(null, null, dev.parley.sfu.MediaKind.VIDEO, 90000, 0x1234, 96, 1000);
        for (int seq = 65_530; seq < 65_536; seq++) {
            f.onLivePacket(seq);
            assertEquals((seq + 1000) & 0xFFFF, f.outgoingSequence(seq));
        }
        int lastSent = f.outgoingSequence(65_535);
        f.paused = true; // packets 0..499 are held back
        f.paused = false;
        f.resumed = true;
        f.onLivePacket(500);
        assertEquals((lastSent + 1) & 0xFFFF, f.outgoingSequence(500), "the first packet after the pause follows the last one sent");
        f.onLivePacket(501);
        assertEquals((lastSent + 2) & 0xFFFF, f.outgoingSequence(501));
        assertEquals(500, f.incomingSequence(f.outgoingSequence(500)), "NACKs map back to the publisher's numbers");
    }

    @Test
    void withoutAPauseTheOffsetStays() {
        Forward f = new Forward(null, null, dev.parley.sfu.MediaKind.VIDEO, 90000, 0x1234, 96, 7);
        f.onLivePacket(10);
        f.onLivePacket(40); // a gap from the publisher is the subscriber's gap too: it NACKs what was lost
        assertEquals(47, f.outgoingSequence(40));
    }
}

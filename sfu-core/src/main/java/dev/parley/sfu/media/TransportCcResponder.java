package dev.parley.sfu.media;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.TransportCcWriter;
import dev.parley.sfu.rtp.TransportSequenceExtension;

/**
 * The receive side of transport-wide congestion control, for a publisher's transport: records when each packet
 * carrying a transport sequence number arrived (a preallocated ring) and, on the loop's feedback timer, tells the
 * publisher in a transport-cc feedback, from which the browser runs its own send-side estimate toward Parley.
 * Loop-confined; nothing allocates per packet.
 */
final class TransportCcResponder {
    /** Packets remembered: over 10 000 packets a second at a 50 ms feedback interval before any is dropped. */
    static final int RING = 1024;
    private static final int MASK = RING - 1;

    private final int extensionId;
    private final long[] arrivalNanos = new long[RING];
    private final long[] sequenceAt = new long[RING];
    private final TransportCcWriter writer = new TransportCcWriter();
    private boolean started;
    /** Highest sequence number seen, unwrapped to 64 bits. */
    private long highest;
    /** First sequence number not yet reported. */
    private long nextToReport;
    private int feedbackCount;
    private int mediaSsrc;

    /** @param extensionId the id the publisher negotiated for the transport sequence number */
    TransportCcResponder(int extensionId) {
        this.extensionId = extensionId;
        java.util.Arrays.fill(sequenceAt, -1);
    }

    /**
     * Records an arriving packet (already decrypted) and renumbers its sequence slot to Parley's id, so forwarded
     * copies carry it where subscribers expect it.
     */
    void onPacket(byte[] buf, int off, int len, int ssrc, long now) {
        int seq = TransportSequenceExtension.read(buf, off, len, extensionId);
        if (seq < 0) {
            return;
        }
        long unwrapped;
        if (!started) {
            started = true;
            unwrapped = seq;
            highest = seq;
            nextToReport = seq;
        } else {
            unwrapped = highest + (short) (seq - (int) highest);
            if (unwrapped > highest) {
                highest = unwrapped;
            }
        }
        if (unwrapped < nextToReport || unwrapped <= highest - RING) {
            return; // already reported lost, or too old to report
        }
        int slot = (int) (unwrapped & MASK);
        sequenceAt[slot] = unwrapped;
        arrivalNanos[slot] = now;
        mediaSsrc = ssrc;
    }

    /**
     * Moves the packet's transport sequence number to the id Parley stamps its own under (swapping the two ids'
     * elements), so each copy forwarded is stamped in place. Only once its stream is found: the swap may move the
     * element the stream lookup reads (Firefox puts mid where Parley puts transport-cc).
     */
    void renumber(byte[] buf, int off, int len) {
        if (extensionId != TransportSequenceExtension.PARLEY_ID) {
            TransportSequenceExtension.renumber(buf, off, len, extensionId, TransportSequenceExtension.PARLEY_ID);
        }
    }

    /**
     * Writes a feedback for everything since the last one into {@code out}.
     *
     * @return false when there is nothing to report
     */
    boolean writeFeedback(PacketBuffer out, int senderSsrc) {
        if (!started || nextToReport > highest) {
            return false;
        }
        if (highest - nextToReport >= RING) {
            nextToReport = highest - RING + 1;
        }
        writer.begin((int) nextToReport, feedbackCount++);
        long s = nextToReport;
        for (; s <= highest; s++) {
            int slot = (int) (s & MASK);
            boolean received = sequenceAt[slot] == s;
            if (!writer.add(received, received ? arrivalNanos[slot] / 1000 : 0)) {
                break;
            }
        }
        if (writer.count() == 0) {
            return false;
        }
        nextToReport = s;
        int n = writer.write(out.array(), 0, senderSsrc, mediaSsrc);
        out.setWindow(0, n);
        return true;
    }
}

package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.Remb;

/**
 * Tells a publisher, in a REMB, how much its video may use: the sum of its video streams' allowed bitrates
 * ({@link PublishedStream#allowedBitrateBps}) plus an allowance per audio stream, naming the video SSRCs. Chrome
 * caps its whole send rate at the REMB, so a publisher does not send more than anyone can receive.
 */
final class RembSender {
    /** Room for audio inside the REMB: Opus at its highest usual rate, with headers. */
    static final long AUDIO_ALLOWANCE_BPS = 64_000;
    private static final int MAX_SSRCS = 16;

    private final int[] ssrcs = new int[MAX_SSRCS];

    /**
     * Writes the REMB for {@code published} into {@code out}.
     *
     * @return false when the publisher sends no video with a known SSRC (nothing to cap)
     */
    boolean write(PacketBuffer out, int senderSsrc, PublishedStream[] published, long maxBps) {
        long total = 0;
        int n = 0;
        for (PublishedStream s : published) {
            if (s.kind() == MediaKind.VIDEO && s.ssrcKnown() && n < MAX_SSRCS) {
                ssrcs[n++] = s.ssrc();
                total += s.allowedBitrateBps(maxBps);
            } else if (s.kind() == MediaKind.AUDIO) {
                total += AUDIO_ALLOWANCE_BPS;
            }
        }
        if (n == 0) {
            return false;
        }
        int len = Remb.write(out.array(), 0, senderSsrc, total, ssrcs, n);
        out.setWindow(0, len);
        return true;
    }
}

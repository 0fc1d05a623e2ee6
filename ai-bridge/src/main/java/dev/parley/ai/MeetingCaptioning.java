package dev.parley.ai;

/** The bridge attached to one meeting's room, from {@link AiBridge#attach}. */
public interface MeetingCaptioning extends AutoCloseable {
    String meetingId();

    /** The current caption status. */
    CaptionStatus status();

    /** Speech segments cut from this meeting's audio so far (sent or dropped). */
    long segments();

    /** Packets the room's tap dropped because the bridge's tap thread fell behind. */
    long tapDroppedPackets();

    /** Detaches from the room: no more segments are cut, queued ones of this meeting are dropped. Idempotent. */
    @Override
    void close();
}

package dev.parley.ai;

/**
 * What one participant said in one speech segment.
 *
 * @param participantName the display name the participant joined with
 * @param startMillis when the segment starts, in milliseconds since the bridge was attached to the meeting
 * @param endMillis when it ends, on the same clock
 * @param confidence the model's confidence from 0 to 1, or NaN when the model gives none
 */
public record TranscriptSegment(String meetingId, String participantId, String participantName, long startMillis,
                                long endMillis, String text, double confidence) {}

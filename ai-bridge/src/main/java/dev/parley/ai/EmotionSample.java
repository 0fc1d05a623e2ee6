package dev.parley.ai;

import java.util.List;

/**
 * The emotion model's view of one participant's speech segment.
 *
 * @param startMillis when the segment starts, in milliseconds since the bridge was attached to the meeting
 * @param endMillis when it ends, on the same clock
 * @param scores labels with scores, highest score first
 */
public record EmotionSample(String meetingId, String participantId, String participantName, long startMillis,
                            long endMillis, List<EmotionScore> scores) {
    public EmotionSample {
        scores = List.copyOf(scores);
    }
}

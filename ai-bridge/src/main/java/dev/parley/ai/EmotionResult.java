package dev.parley.ai;

import java.util.List;

/**
 * An emotion answer.
 *
 * @param scores labels with scores, highest score first
 * @param model the model that answered
 * @param endpoint the Triton endpoint that answered ({@code host:port})
 * @param latencyMillis how long the call took
 */
public record EmotionResult(List<EmotionScore> scores, String model, String endpoint, long latencyMillis) {
    public EmotionResult {
        scores = List.copyOf(scores);
    }
}

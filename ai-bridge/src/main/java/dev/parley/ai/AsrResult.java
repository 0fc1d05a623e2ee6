package dev.parley.ai;

/**
 * A speech recognition answer.
 *
 * @param text the recognised text (empty when nothing was recognised)
 * @param confidence 0 to 1, or NaN when the model gives none
 * @param model the model that answered
 * @param endpoint the Triton endpoint that answered ({@code host:port})
 * @param latencyMillis how long the call took
 */
public record AsrResult(String text, double confidence, String model, String endpoint, long latencyMillis) {}

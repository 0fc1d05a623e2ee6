package dev.parley.ai;

import java.util.List;

/**
 * What the bridge sends where.
 *
 * @param endpoints Triton endpoints ({@code host:port})
 * @param asr the speech recognition model's contract
 * @param emotion the emotion model's contract, or null when none is configured
 * @param sampleRate the audio's sample rate (always 16000, mono)
 * @param deadlineMillis each call's deadline
 */
public record AiInfo(List<String> endpoints, ModelContract asr, ModelContract emotion, int sampleRate,
                     long deadlineMillis) {
    public AiInfo {
        endpoints = List.copyOf(endpoints);
    }
}

package dev.parley.ai;

/**
 * Receives what the bridge hears in attached meetings. Called on the bridge's inference and health threads, never
 * on a media or tap thread; keep each call short (hand the result to a queue, a database writer or signaling).
 * An exception thrown here is logged and does not stop captioning.
 */
public interface AiListener {
    /** A participant's speech segment was transcribed (segments with no recognised text are not reported). */
    void onTranscript(TranscriptSegment segment);

    /** The emotion model scored a speech segment (only when an emotion model is configured). */
    default void onEmotion(EmotionSample sample) {}

    /** A meeting's captions paused or resumed; also called once on attach with the starting status. */
    default void onStatus(String meetingId, CaptionStatus status) {}
}

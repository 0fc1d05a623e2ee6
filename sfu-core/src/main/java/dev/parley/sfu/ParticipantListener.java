package dev.parley.sfu;

/**
 * What the SFU tells the owner of a participant (the signaling session, or an embedding application).
 *
 * <p>Calls come one at a time per room, from the room's control thread, never from a media thread.
 * Implementations must return quickly and must not block (queue the message, send asynchronously).
 */
public interface ParticipantListener {
    /** The participant is in: the first call, before any other, with everyone else already in the room. */
    void onJoined(Participant self, java.util.List<ParticipantInfo> others);

    /** A new offer for this participant's subscriber connection; answer it with {@link Participant#acceptSubscriberAnswer}. */
    void onSubscriberOffer(String sdp, int version);

    void onParticipantJoined(ParticipantInfo other);

    void onParticipantUpdated(ParticipantInfo other);

    void onParticipantLeft(String participantId, LeaveReason reason);

    /**
     * Whether the participant receives the others' tracks. A publish-only participant (a WHIP ingest) says no: it
     * gets no subscriber connection and no {@link #onSubscriberOffer} calls.
     */
    default boolean receivesTracks() {
        return true;
    }

    /**
     * Which simulcast layers (rids) of this participant's track {@code mid} somebody needs now; the others may be
     * paused at the sender. Called when that changes.
     */
    default void onPublisherLayers(String mid, java.util.List<String> neededRids) {
    }

    /** This participant was removed by the server (consent timeout, shutdown). Not called after {@link Participant#leave}. */
    void onRemoved(LeaveReason reason);

    /**
     * The room's active speaker changed to {@code participantId} (possibly this participant); also called right
     * after {@link #onJoined} when the room already has one.
     */
    default void onActiveSpeaker(String participantId) {
    }

    /**
     * Last-N: the participants whose video this participant is not sent now (the list replaces the previous one;
     * empty when every video flows). Only called when it changes.
     */
    default void onVideoPaused(java.util.List<String> participantIds) {
    }

    /**
     * A listener that ignores everything it is told: for a participant that only publishes and needs no news of
     * the room (a bot, a synthetic publisher in a test). Subclass it to hear only what matters to you.
     */
    class Ignoring implements ParticipantListener {
        @Override
        public void onJoined(Participant self, java.util.List<ParticipantInfo> others) {
        }

        @Override
        public void onSubscriberOffer(String sdp, int version) {
        }

        @Override
        public void onParticipantJoined(ParticipantInfo other) {
        }

        @Override
        public void onParticipantUpdated(ParticipantInfo other) {
        }

        @Override
        public void onParticipantLeft(String participantId, LeaveReason reason) {
        }

        @Override
        public void onRemoved(LeaveReason reason) {
        }
    }
}

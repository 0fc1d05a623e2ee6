package dev.parley.signaling;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.parley.sfu.ParticipantInfo;
import java.util.List;

/** A message to the client (docs/protocol.md); {@link #type()} is the wire name. */
sealed interface ServerMessage {
    String type();

    /**
     * You are in; {@code host} says whether you may admit, refuse and remove others; {@code canRecord} whether you
     * may start and stop recording; {@code recording} whether the meeting is being recorded now.
     */
    /** {@code subscriberOffer}: a {@code subscriberOffer} follows at once (someone in the room publishes already). */
    record Joined(String participantId, String room, List<ParticipantInfo> participants, List<IceServer> iceServers,
                  boolean host, boolean canRecord, Recording recording, boolean simulcast, boolean subscriberOffer)
            implements ServerMessage {
        public String type() {
            return "joined";
        }
    }

    /** The meeting is being recorded ({@code active}, with the recording's id) or no longer. */
    record Recording(boolean active, String recordingId) implements ServerMessage {
        static final Recording NONE = new Recording(false, null);

        public String type() {
            return "recording";
        }
    }

    record PublishAnswer(String sdp) implements ServerMessage {
        public String type() {
            return "publishAnswer";
        }
    }

    record SubscriberOffer(String sdp, int version) implements ServerMessage {
        public String type() {
            return "subscriberOffer";
        }
    }

    record ParticipantJoined(ParticipantInfo participant) implements ServerMessage {
        public String type() {
            return "participantJoined";
        }
    }

    record ParticipantUpdated(ParticipantInfo participant) implements ServerMessage {
        public String type() {
            return "participantUpdated";
        }
    }

    record ParticipantLeft(String participantId, String reason) implements ServerMessage {
        public String type() {
            return "participantLeft";
        }
    }

    record Chat(String from, String name, String text, String sentAt) implements ServerMessage {
        public String type() {
            return "chat";
        }
    }

    record Pong() implements ServerMessage {
        public String type() {
            return "pong";
        }
    }

    record Left(String reason) implements ServerMessage {
        public String type() {
            return "left";
        }
    }

    /** You wait in the room's lobby until a host admits you ({@code joined} follows) or refuses you. */
    record Lobby(String waitingId, String room) implements ServerMessage {
        public String type() {
            return "lobby";
        }
    }

    /** To hosts: who waits in the lobby now, oldest first. */
    record LobbyUpdated(List<Waiting> waiting) implements ServerMessage {
        public String type() {
            return "lobbyUpdated";
        }

        record Waiting(String waitingId, String identity, String name, String since) {}

        static LobbyUpdated of(List<WaitingParticipant> list) {
            return new LobbyUpdated(list.stream()
                    .map(w -> new Waiting(w.waitingId(), w.identity(), w.name(), w.since().toString())).toList());
        }
    }

    /** The server took you out of the room (or its lobby), e.g. because the meeting ended; the socket closes. */
    record Removed(String reason) implements ServerMessage {
        public String type() {
            return "removed";
        }
    }

    /**
     * What a participant said, to everyone in the room: {@code start} and {@code end} are when (ISO-8601 instants);
     * a caption that is not {@code final} is an interim guess, replaced by the next caption of the same speaker.
     */
    record Caption(String participantId, String name, String text, String start, String end,
                   @JsonProperty("final") boolean isFinal) implements ServerMessage {
        public String type() {
            return "caption";
        }
    }

    /** Whether the room's captions are {@code active}, {@code paused} (the speech service is not answering) or {@code off}. */
    record CaptionStatus(String status) implements ServerMessage {
        public String type() {
            return "captionStatus";
        }
    }

    /** To hosts: the emotion heard in a participant's speech between {@code start} and {@code end}. */
    record Emotion(String participantId, String name, String label, double score, String start, String end)
            implements ServerMessage {
        public String type() {
            return "emotion";
        }
    }

    /** The room's active speaker is now {@code participantId} (also sent right after {@code joined} when there is one). */
    record ActiveSpeaker(String participantId) implements ServerMessage {
        public String type() {
            return "activeSpeaker";
        }
    }

    /** Last-N: the participants whose video the server does not send you now (replaces the previous list). */
    record VideoPaused(List<String> participantIds) implements ServerMessage {
        public String type() {
            return "videoPaused";
        }
    }

    /** To a publisher: of its simulcast track {@code mid}, the layers (rids) somebody needs; it may pause the others. */
    record PublisherLayers(String mid, List<String> rids) implements ServerMessage {
        public String type() {
            return "publisherLayers";
        }
    }

    /** {@code url}: only with {@code wrong_node}, the signaling URL of the node that serves the room. */
    record Error(String code, String message, String requestType,
                 @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                 String url) implements ServerMessage {
        Error(String code, String message, String requestType) {
            this(code, message, requestType, null);
        }

        public String type() {
            return "error";
        }
    }

    /**
     * The token that takes this seat back with {@code resume} on a new connection, good once; the seat is held
     * for {@code graceSeconds} after its connection drops.
     */
    record ResumeToken(String token, long graceSeconds) implements ServerMessage {
        public String type() {
            return "resumeToken";
        }
    }

    /** You have your seat back (after {@code resume}): the room as it is now, like {@code joined}. */
    record Resumed(String participantId, String room, List<ParticipantInfo> participants, List<IceServer> iceServers,
                   boolean host, boolean canRecord, Recording recording) implements ServerMessage {
        public String type() {
            return "resumed";
        }
    }

    /** A participant's connection dropped and it is held while it reconnects ({@code true}), or it is back. */
    record ParticipantReconnecting(String participantId, boolean reconnecting) implements ServerMessage {
        public String type() {
            return "participantReconnecting";
        }
    }
}

package dev.parley.signaling;

import dev.parley.sfu.ParticipantInfo;
import java.util.List;

/** A message to the client (docs/protocol.md); {@link #type()} is the wire name. */
sealed interface ServerMessage {
    String type();

    record Joined(String participantId, String room, List<ParticipantInfo> participants, List<IceServer> iceServers)
            implements ServerMessage {
        public String type() {
            return "joined";
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

    record Error(String code, String message, String requestType) implements ServerMessage {
        public String type() {
            return "error";
        }
    }
}

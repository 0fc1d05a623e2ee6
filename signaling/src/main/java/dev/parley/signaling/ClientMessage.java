package dev.parley.signaling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.sfu.TrackSource;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** A message from the client, decoded and validated (docs/protocol.md). */
sealed interface ClientMessage {
    record Join(String room, String name, String token) implements ClientMessage {}

    /** {@code sources}: what some of the offer's sections carry, by mid (a shared screen); the others are the defaults. */
    record Publish(String sdp, Map<String, TrackSource> sources) implements ClientMessage {
        Publish(String sdp) {
            this(sdp, Map.of());
        }
    }

    record SubscriberAnswer(String sdp, int version) implements ClientMessage {}

    record Trickle(String target) implements ClientMessage {}

    record Mute(String kind, boolean muted) implements ClientMessage {}

    record Chat(String text) implements ClientMessage {}

    record Ping() implements ClientMessage {}

    record Leave() implements ClientMessage {}

    /** A host lets someone in from the lobby. */
    record Admit(String waitingId) implements ClientMessage {}

    /** A host turns someone in the lobby away. */
    record Refuse(String waitingId) implements ClientMessage {}

    /** A host takes someone out of the room and bars their identity from it until the meeting ends. */
    record Remove(String participantId) implements ClientMessage {}

    /** A participant allowed to record starts recording the room's meeting. */
    record StartRecording() implements ClientMessage {}

    /** A participant allowed to record stops the room's running recording. */
    record StopRecording() implements ClientMessage {}

    /** A host turns live captions on or off for the room's meeting. */
    record SetCaptions(boolean on) implements ClientMessage {}

    /** Takes back, on a new connection, the seat a resume token names (instead of {@code join}). */
    record Resume(String token) implements ClientMessage {}

    /** Restarts ICE on the subscriber connection: the server sends a new offer with new credentials. */
    record RestartIce() implements ClientMessage {}
    /** The size (device pixels) of the tile showing a participant's camera; 0x0 when it is not shown. */
    record SetVideoSize(String participantId, int width, int height) implements ClientMessage {}

    Pattern ROOM = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    int MAX_NAME = 64;
    int MAX_CHAT = 2000;
    int MAX_SDP = 256 * 1024;
    /** The most sections a {@code publish} may describe in {@code sources}: as many as tracks a participant may have. */
    int MAX_SOURCES = 64;
    Pattern MID = Pattern.compile("[A-Za-z0-9_.\\-]{1,32}");
    int MAX_VIDEO_SIZE = 16384;

    /** Why a message was refused: the protocol's error code, a message for the developer, and the message type if known. */
    final class Invalid extends Exception {
        final String code;
        final String requestType;

        Invalid(String code, String requestType, String message) {
            super(message);
            this.code = code;
            this.requestType = requestType;
        }
    }

    static ClientMessage decode(ObjectMapper json, String text) throws Invalid {
        JsonNode node;
        try {
            node = json.readTree(text);
        } catch (Exception e) {
            throw new Invalid("bad_message", null, "not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new Invalid("bad_message", null, "a message must be a JSON object");
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isTextual()) {
            throw new Invalid("bad_message", null, "a message needs a string field 'type'");
        }
        String type = typeNode.asText();
        Fields f = new Fields(node, type);
        return switch (type) {
            case "join" -> {
                String room = f.string("room", 64);
                if (!ROOM.matcher(room).matches()) {
                    throw f.invalid("'room' must be 1-64 characters of A-Z a-z 0-9 _ . -");
                }
                String name = f.string("name", MAX_NAME).strip();
                if (name.isEmpty()) {
                    throw f.invalid("'name' must not be blank");
                }
                yield new Join(room, name, f.optionalString("token", 8192));
            }
            case "publish" -> new Publish(f.string("sdp", MAX_SDP), f.sources("sources"));
            case "subscriberAnswer" -> new SubscriberAnswer(f.string("sdp", MAX_SDP), f.integer("version"));
            case "trickle" -> {
                String target = f.string("target", 16);
                if (!target.equals("publisher") && !target.equals("subscriber")) {
                    throw f.invalid("'target' must be 'publisher' or 'subscriber'");
                }
                yield new Trickle(target);
            }
            case "mute" -> {
                String kind = f.string("kind", 8);
                if (!kind.equals("audio") && !kind.equals("video")) {
                    throw f.invalid("'kind' must be 'audio' or 'video'");
                }
                yield new Mute(kind, f.bool("muted"));
            }
            case "chat" -> {
                String chat = f.string("text", MAX_CHAT);
                if (chat.isBlank()) {
                    throw f.invalid("'text' must not be blank");
                }
                yield new Chat(chat);
            }
            case "ping" -> new Ping();
            case "leave" -> new Leave();
            case "admit" -> new Admit(f.string("waitingId", 64));
            case "refuse" -> new Refuse(f.string("waitingId", 64));
            case "remove" -> new Remove(f.string("participantId", 64));
            case "startRecording" -> new StartRecording();
            case "stopRecording" -> new StopRecording();
            case "setCaptions" -> new SetCaptions(f.bool("on"));
            case "resume" -> new Resume(f.string("token", 128));
            case "restartIce" -> new RestartIce();
            case "setVideoSize" -> {
                String participantId = f.string("participantId", 64);
                int width = f.integer("width");
                int height = f.integer("height");
                if (width < 0 || height < 0 || width > MAX_VIDEO_SIZE || height > MAX_VIDEO_SIZE || (width == 0) != (height == 0)) {
                    throw f.invalid("'width' and 'height' must be 1-" + MAX_VIDEO_SIZE + ", or both 0 (not shown)");
                }
                yield new SetVideoSize(participantId, width, height);
            }
            default -> throw new Invalid("unknown_type", type, "unknown message type '" + type + "'");
        };
    }

    /** Typed field access with errors that name the field. */
    final class Fields {
        private final JsonNode node;
        private final String type;

        Fields(JsonNode node, String type) {
            this.node = node;
            this.type = type;
        }

        Invalid invalid(String message) {
            return new Invalid("bad_message", type, message);
        }

        String string(String name, int maxLength) throws Invalid {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                throw invalid("'" + name + "' is required");
            }
            if (!v.isTextual()) {
                throw invalid("'" + name + "' must be a string");
            }
            String s = v.asText();
            if (s.isEmpty()) {
                throw invalid("'" + name + "' must not be empty");
            }
            if (s.length() > maxLength) {
                throw invalid("'" + name + "' is longer than " + maxLength + " characters");
            }
            return s;
        }

        String optionalString(String name, int maxLength) throws Invalid {
            JsonNode v = node.get(name);
            return v == null || v.isNull() ? null : string(name, maxLength);
        }

        int integer(String name) throws Invalid {
            JsonNode v = node.get(name);
            if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
                throw invalid("'" + name + "' must be an integer");
            }
            return v.asInt();
        }

        /** An optional object of mid to track source; absent or null is none. */
        Map<String, TrackSource> sources(String name) throws Invalid {
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return Map.of();
            }
            if (!v.isObject()) {
                throw invalid("'" + name + "' must be an object of mid to source");
            }
            if (v.size() > MAX_SOURCES) {
                throw invalid("'" + name + "' names more than " + MAX_SOURCES + " sections");
            }
            Map<String, TrackSource> sources = new HashMap<>();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!MID.matcher(e.getKey()).matches()) {
                    throw invalid("'" + name + "' keys must be mids (1-32 characters of A-Z a-z 0-9 _ . -)");
                }
                TrackSource source = e.getValue().isTextual() ? TrackSource.ofWireName(e.getValue().asText()) : null;
                if (source == null) {
                    throw invalid("'" + name + "." + e.getKey() + "' must be 'microphone', 'camera' or 'screen'");
                }
                sources.put(e.getKey(), source);
            }
            return Map.copyOf(sources);
        }

        boolean bool(String name) throws Invalid {
            JsonNode v = node.get(name);
            if (v == null || !v.isBoolean()) {
                throw invalid("'" + name + "' must be true or false");
            }
            return v.asBoolean();
        }
    }
}

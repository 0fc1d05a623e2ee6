package dev.parley.control.state;

import java.util.List;
import java.util.Objects;

/**
 * What one node reports about itself to the others, every heartbeat: where browsers reach it and how busy it is.
 *
 * @param nodeId          the node's lasting id (its data directory's {@code node-id})
 * @param publicUrl       the node's own {@code public-url}, e.g. {@code https://node-1.parley.example.org}
 * @param mediaAddresses  {@code host:port} pairs its media port is announced on (for operators; ICE says the same)
 * @param participants    signaling connections in rooms on this node
 * @param rooms           rooms with someone in them (or in their lobby) on this node
 * @param cpuLoad         the process's recent CPU use, 0..1, or -1 when unknown (reported, not used to place)
 * @param draining        whether the node is stopping: it takes no new rooms, its own rooms carry on
 */
public record NodeLoad(String nodeId, String publicUrl, List<String> mediaAddresses, int participants, int rooms,
                       double cpuLoad, boolean draining) {
    public NodeLoad {
        Keys.require(nodeId, "nodeId");
        Objects.requireNonNull(publicUrl, "publicUrl");
        if (!publicUrl.startsWith("http://") && !publicUrl.startsWith("https://")) {
            throw new IllegalArgumentException("publicUrl must be an http(s) URL, was " + publicUrl);
        }
        mediaAddresses = List.copyOf(mediaAddresses);
        if (participants < 0 || rooms < 0) {
            throw new IllegalArgumentException("participants and rooms must not be negative");
        }
    }

    /** The WebSocket URL of this node's signaling, {@code wss://host/ws/signaling} for an https public URL. */
    public String signalingUrl() {
        String base = publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl;
        return (base.startsWith("https:") ? "wss:" + base.substring(6) : "ws:" + base.substring(5)) + "/ws/signaling";
    }

    /** The same report, marked draining. */
    public NodeLoad asDraining() {
        return new NodeLoad(nodeId, publicUrl, mediaAddresses, participants, rooms, cpuLoad, true);
    }
}

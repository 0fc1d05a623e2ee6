package dev.parley.signaling;

import java.util.HashMap;
import java.util.Map;

/**
 * Per client address, the open signaling connections and the rooms they are in, held within limits so one
 * address cannot occupy the server. Entries vanish when an address holds nothing. Thread-safe.
 */
final class AddressQuota {
    private final int maxConnections;
    private final int maxRooms;
    private final Map<String, Usage> byAddress = new HashMap<>();

    private static final class Usage {
        int connections;
        /** Room name to how many of this address's connections are in it. */
        final Map<String, Integer> rooms = new HashMap<>();
    }

    AddressQuota(int maxConnections, int maxRooms) {
        this.maxConnections = maxConnections;
        this.maxRooms = maxRooms;
    }

    int maxConnections() {
        return maxConnections;
    }

    int maxRooms() {
        return maxRooms;
    }

    /** Counts a new connection; false (and nothing counted) when the address already has the most allowed. */
    synchronized boolean openConnection(String address) {
        Usage u = byAddress.computeIfAbsent(address, a -> new Usage());
        if (u.connections >= maxConnections) {
            return false;
        }
        u.connections++;
        return true;
    }

    synchronized void closeConnection(String address) {
        Usage u = byAddress.get(address);
        if (u != null) {
            u.connections--;
            forgetIfIdle(address, u);
        }
    }

    /**
     * Counts a connection entering {@code room}; false (and nothing counted) when that would put the address in
     * more rooms than allowed. Another connection into a room the address is already in is always fine.
     */
    synchronized boolean enterRoom(String address, String room) {
        Usage u = byAddress.computeIfAbsent(address, a -> new Usage());
        if (!u.rooms.containsKey(room) && u.rooms.size() >= maxRooms) {
            forgetIfIdle(address, u);
            return false;
        }
        u.rooms.merge(room, 1, Integer::sum);
        return true;
    }

    synchronized void leaveRoom(String address, String room) {
        Usage u = byAddress.get(address);
        if (u != null) {
            u.rooms.computeIfPresent(room, (r, n) -> n > 1 ? n - 1 : null);
            forgetIfIdle(address, u);
        }
    }

    /** How many addresses hold something (to check that nothing leaks). */
    synchronized int addresses() {
        return byAddress.size();
    }

    private void forgetIfIdle(String address, Usage u) {
        if (u.connections <= 0 && u.rooms.isEmpty()) {
            byAddress.remove(address);
        }
    }
}

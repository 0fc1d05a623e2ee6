package dev.parley.sfu.media;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which media loop each room runs on. A room is placed when its first transport or tap is made, on the loop
 * with the fewest rooms (ties in turn), and stays there while anything of it is open: a room's publishers,
 * subscribers, viewers and taps all share one loop, so forwarding needs no locks. With its last user gone the
 * room is forgotten and placed afresh next time. Rooms far outnumber loops, so counting rooms balances well
 * enough; a room cannot move while it has media, since its streams are confined to its loop.
 */
final class RoomPlacement {
    private static final class Pin {
        final MediaLoop loop;
        int users;

        Pin(MediaLoop loop) {
            this.loop = loop;
        }
    }

    private final MediaLoop[] loops;
    private final ConcurrentHashMap<String, Pin> pins = new ConcurrentHashMap<>();
    private final AtomicInteger turn = new AtomicInteger();

    RoomPlacement(MediaLoop[] loops) {
        this.loops = loops.clone();
    }

    /** The room's loop, placing the room when it has none; the caller owes a {@link #release}. */
    MediaLoop acquire(String room) {
        return pins.compute(room, (name, pin) -> {
            if (pin == null) {
                pin = new Pin(leastLoaded());
                pin.loop.rooms.incrementAndGet();
            }
            pin.users++;
            return pin;
        }).loop;
    }

    /** One user of the room is gone; with the last one the room leaves its loop. */
    void release(String room) {
        pins.computeIfPresent(room, (name, pin) -> {
            if (--pin.users > 0) {
                return pin;
            }
            pin.loop.rooms.decrementAndGet();
            return null;
        });
    }

    /**
     * Places a room on loop {@code index} before it has any transport (tests and benchmarks that want rooms on
     * chosen loops). A room already placed elsewhere and in use cannot move.
     */
    void place(String room, int index) {
        if (index < 0 || index >= loops.length) {
            throw new IllegalArgumentException("no media loop " + index + " (there are " + loops.length + ")");
        }
        pins.compute(room, (name, pin) -> {
            if (pin != null && pin.loop.index == index) {
                return pin;
            }
            if (pin != null && pin.users > 0) {
                throw new IllegalStateException("room " + room + " already has media on loop " + pin.loop.index);
            }
            if (pin != null) {
                pin.loop.rooms.decrementAndGet();
            }
            Pin placed = new Pin(loops[index]);
            placed.loop.rooms.incrementAndGet();
            return placed;
        });
    }

    /** The index of the room's loop, or -1 when the room has none now. */
    int loopOf(String room) {
        Pin pin = pins.get(room);
        return pin == null ? -1 : pin.loop.index;
    }

    private MediaLoop leastLoaded() {
        int start = Math.floorMod(turn.getAndIncrement(), loops.length);
        MediaLoop best = null;
        for (int i = 0; i < loops.length; i++) {
            MediaLoop l = loops[(start + i) % loops.length];
            if (best == null || l.rooms.get() < best.rooms.get()) {
                best = l;
            }
        }
        return best;
    }
}

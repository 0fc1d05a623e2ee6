package dev.parley.sfu.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RoomPlacementTest {
    private final MediaLoop[] loops = {
            new MediaLoop(0, null, null, new MediaCounters()),
            new MediaLoop(1, null, null, new MediaCounters()),
            new MediaLoop(2, null, null, new MediaCounters())};
    private final RoomPlacement placement = new RoomPlacement(loops);

    @Test
    void aRoomStaysOnOneLoopWhileItHasUsers() {
        MediaLoop first = placement.acquire("standup");
        assertSame(first, placement.acquire("standup"));
        assertSame(first, placement.acquire("standup"));
        placement.release("standup");
        placement.release("standup");
        assertEquals(first.index, placement.loopOf("standup"), "one user is left");
        placement.release("standup");
        assertEquals(-1, placement.loopOf("standup"), "forgotten with its last user");
        assertEquals(0, first.rooms.get());
    }

    @Test
    void newRoomsGoToTheLoopWithFewestRooms() {
        for (int i = 0; i < 9; i++) {
            placement.acquire("room-" + i);
        }
        for (MediaLoop l : loops) {
            assertEquals(3, l.rooms.get(), "nine rooms over three loops");
        }
        // Empty one loop: the next rooms go there until it catches up.
        int emptied = placement.loopOf("room-0");
        for (int i = 0; i < 9; i++) {
            if (placement.loopOf("room-" + i) == emptied) {
                placement.release("room-" + i);
            }
        }
        assertEquals(0, loops[emptied].rooms.get());
        assertEquals(emptied, placement.acquire("late-1").index);
        assertEquals(emptied, placement.acquire("late-2").index);
        assertEquals(emptied, placement.acquire("late-3").index);
    }

    @Test
    void aRoomCanBePlacedBeforeItsFirstUserButNotMovedWhileInUse() {
        placement.place("chosen", 2);
        assertEquals(2, placement.loopOf("chosen"));
        assertSame(loops[2], placement.acquire("chosen"));
        placement.place("chosen", 2); // where it is already: fine
        assertThrows(IllegalStateException.class, () -> placement.place("chosen", 0));
        assertEquals(2, placement.loopOf("chosen"));
        assertThrows(IllegalArgumentException.class, () -> placement.place("other", 3));
        assertThrows(IllegalArgumentException.class, () -> placement.place("other", -1));
        placement.place("moved", 1);
        placement.place("moved", 0); // unused yet: it may still move
        assertEquals(1, loops[0].rooms.get());
        assertEquals(0, loops[1].rooms.get());
        assertNotEquals(-1, placement.loopOf("moved"));
    }
}

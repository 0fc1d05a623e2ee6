package dev.parley.recorder.compose;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.recorder.compose.TrackFile.Kind;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layout rule: as many cells as the most videos at one moment; a video keeps its cell; cells are reused. */
class MeetingGridTest {
    private static TrackFile video(String who, long start, long end) {
        return new TrackFile(Path.of(who + ".webm"), who, who, Kind.VIDEO, start, end, 0);
    }

    @Test
    void cellsFollowWhoWasThereAndAreReusedWhenSomeoneLeaves() {
        List<TrackFile> tracks = List.of(
                new TrackFile(Path.of("a.webm"), "a", "a", Kind.AUDIO, 0, 10_000, 0),
                video("a", 0, 10_000), video("b", 2_000, 5_000), video("c", 6_000, 9_000),
                video("d", 1_000, 3_000));
        MeetingGrid grid = MeetingGrid.of(tracks);
        // a, d and b overlap between 2 s and 3 s: three cells, in a 2x2 grid.
        assertEquals(2, grid.columns);
        assertEquals(2, grid.rows);
        assertEquals(List.of("a@1 in 0", "d@4 in 1", "b@2 in 2", "c@3 in 1"), grid.placements.stream()
                .map(p -> p.track().participantId() + "@" + p.input() + " in " + p.cell()).toList());
        assertEquals(1, grid.column(1));
        assertEquals(1, grid.row(2));
    }

    @Test
    void aMeetingWithoutVideoHasOneBlackCell() {
        MeetingGrid grid = MeetingGrid.of(List.of(new TrackFile(Path.of("a.webm"), "a", "a", Kind.AUDIO, 0, 1, 0)));
        assertEquals(1, grid.columns);
        assertEquals(1, grid.rows);
        assertEquals(0, grid.placements.size());
    }

    @Test
    void aSyncCorrectionMovesTheVideoButNeverBeforeZero() {
        TrackFile early = new TrackFile(Path.of("v.webm"), "v", "v", Kind.VIDEO, 100, 2_000, -150);
        assertEquals(0, early.placedStartMillis());
        assertEquals(1_850, early.placedEndMillis());
    }
}

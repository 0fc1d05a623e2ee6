package dev.parley.recorder.compose;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The layout rule of the meeting file's picture.
 *
 * <p>The grid has as many cells as there were videos at the same time at the busiest moment of the meeting:
 * {@code columns = ceil(sqrt(n))}, {@code rows = ceil(n / columns)}. Videos are taken in order of their start
 * (then participant id, then file name, so the result is the same every time); each one gets the lowest-numbered
 * cell that is free for its whole time and keeps it until it ends, so nobody's picture jumps around. Cells are
 * numbered row by row from the top left. A cell is black while nobody is in it. A video is scaled to fit its cell
 * keeping its aspect ratio, centred, with black bars.
 */
final class MeetingGrid {
    /** Where one video goes. */
    record Placement(TrackFile track, int input, int cell) {
    }

    final int columns;
    final int rows;
    final List<Placement> placements;

    private MeetingGrid(int columns, int rows, List<Placement> placements) {
        this.columns = columns;
        this.rows = rows;
        this.placements = placements;
    }

    /** Lays out the video tracks among {@code tracks} (whose positions are ffmpeg's input numbers). */
    static MeetingGrid of(List<TrackFile> tracks) {
        List<Integer> ordered = new ArrayList<>();
        for (int i = 0; i < tracks.size(); i++) {
            if (tracks.get(i).kind() == TrackFile.Kind.VIDEO) {
                ordered.add(i);
            }
        }
        ordered.sort(Comparator.comparing((Integer i) -> tracks.get(i).placedStartMillis())
                .thenComparing(i -> tracks.get(i).participantId())
                .thenComparing(i -> tracks.get(i).file().toString()));
        List<Long> cellFreeFrom = new ArrayList<>();
        List<Placement> placements = new ArrayList<>();
        for (int input : ordered) {
            TrackFile t = tracks.get(input);
            int cell = 0;
            while (cell < cellFreeFrom.size() && cellFreeFrom.get(cell) > t.placedStartMillis()) {
                cell++;
            }
            if (cell == cellFreeFrom.size()) {
                cellFreeFrom.add(t.placedEndMillis());
            } else {
                cellFreeFrom.set(cell, t.placedEndMillis());
            }
            placements.add(new Placement(t, input, cell));
        }
        // Greedy by start time uses exactly as many cells as the most videos at one moment.
        int cells = Math.max(1, cellFreeFrom.size());
        int columns = (int) Math.ceil(Math.sqrt(cells));
        int rows = (cells + columns - 1) / columns;
        return new MeetingGrid(columns, rows, List.copyOf(placements));
    }

    int column(int cell) {
        return cell % columns;
    }

    int row(int cell) {
        return cell / columns;
    }
}

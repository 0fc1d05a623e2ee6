package dev.parley.server;

import dev.parley.sfu.Participant;
import dev.parley.sfu.Room;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.StreamStats;
import java.util.ArrayList;
import java.util.List;

/**
 * The per-participant series of one {@code /metrics} scrape: each stream's figures and each participant's
 * estimate with their label values, read once from the live rooms and shared by the six per-participant
 * families. Each family used to walk the rooms itself, so a scrape at 100 participants read every
 * participant's statistics, and built its label values, six times.
 */
final class ParticipantSeries {
    /** One stream's figures and its labels: room, participant, kind, direction (then room_name, name). */
    record Stream(StreamStats stats, String[] labels) {
    }

    /** A participant's available-bitrate estimate and its labels: room, participant (then room_name, name). */
    record Estimate(long bps, String[] labels) {
    }

    final List<Stream> streams;
    final List<Estimate> estimates;

    private ParticipantSeries(List<Stream> streams, List<Estimate> estimates) {
        this.streams = streams;
        this.estimates = estimates;
    }

    /** Reads the live rooms now; {@code userLabels} adds the room and display names as labels. */
    static ParticipantSeries read(SfuServer sfu, RoomIds roomIds, boolean userLabels) {
        List<Stream> streams = new ArrayList<>();
        List<Estimate> estimates = new ArrayList<>();
        for (Room room : sfu.rooms()) {
            String roomId = roomIds.of(room.name());
            for (Participant p : room.participantsNow()) {
                for (StreamStats st : p.mediaStats()) {
                    String kind = st.kind().sdpName();
                    String direction = st.direction().label();
                    streams.add(new Stream(st, userLabels
                            ? new String[] {roomId, p.id(), kind, direction, room.name(), p.name()}
                            : new String[] {roomId, p.id(), kind, direction}));
                }
                long bps = p.availableBitrateBps();
                if (bps >= 0) {
                    estimates.add(new Estimate(bps, userLabels
                            ? new String[] {roomId, p.id(), room.name(), p.name()}
                            : new String[] {roomId, p.id()}));
                }
            }
        }
        return new ParticipantSeries(streams, estimates);
    }
}

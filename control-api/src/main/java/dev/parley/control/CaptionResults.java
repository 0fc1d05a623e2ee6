package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the AI bridge reports what it heard in a room: each result is pushed live to the room's pages (through
 * {@link LiveRooms}), and final transcript segments and emotion samples are stored with the room's meeting and
 * published as {@code ai.transcript} and {@code ai.emotion} events in the same transaction. Rooms without a
 * meeting record (integrators' rooms) get the live push and the events, but nothing is stored.
 *
 * <p>Call it from the bridge's result thread, never from a media thread: storing waits for the database. A
 * failure to store is logged and swallowed, so the bridge never stops over it.
 */
public final class CaptionResults {
    private static final Logger LOG = LoggerFactory.getLogger(CaptionResults.class);
    /** Longer texts are cut: a caption is a sentence or two, and a runaway model must not fill the table. */
    static final int MAX_TEXT = 2000;
    static final int MAX_LABEL = 64;

    /** Whether a room is being captioned: {@code active}, {@code paused} (the speech service is not answering), or {@code off}. */
    public enum Status {
        OFF, ACTIVE, PAUSED;

        /** The name on the wire: {@code off}, {@code active}, {@code paused}. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What one participant said between {@code start} and {@code end} (wall clock of the audio). A segment that is
     * not {@code complete} is an interim guess: shown live, then replaced by the complete one, and never stored.
     *
     * @param confidence 0..1, or negative when the model gives none
     */
    public record Segment(String participantId, String participantName, Instant start, Instant end, String text,
                          double confidence, boolean complete) {
        public Segment {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(text, "text");
            participantName = participantName == null || participantName.isBlank() ? participantId : participantName;
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("the segment ends before it starts");
            }
            text = cut(text.strip(), MAX_TEXT);
        }
    }

    /**
     * The emotion heard in one participant's speech between {@code start} and {@code end}: the strongest label with
     * its score, and every label's score.
     */
    public record Emotion(String participantId, String participantName, Instant start, Instant end, String label,
                          double score, Map<String, Double> scores) {
        public Emotion {
            Objects.requireNonNull(participantId, "participantId");
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(end, "end");
            Objects.requireNonNull(label, "label");
            participantName = participantName == null || participantName.isBlank() ? participantId : participantName;
            if (end.isBefore(start)) {
                throw new IllegalArgumentException("the sample ends before it starts");
            }
            label = cut(label.strip(), MAX_LABEL);
            scores = scores == null ? Map.of() : Map.copyOf(scores);
        }
    }

    private final Jdbi jdbi;
    private final Clock clock;
    private final EventOutbox outbox;
    private final LiveRooms rooms;

    CaptionResults(Jdbi jdbi, Clock clock, EventOutbox outbox, LiveRooms rooms) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.outbox = outbox;
        this.rooms = rooms;
    }

    /** A transcript segment heard in {@code room}: pushed to everyone there; stored and published when complete. */
    public void onTranscript(String room, Segment segment) {
        rooms.caption(room, segment);
        if (!segment.complete() || segment.text().isEmpty()) {
            return;
        }
        store(room, "transcript segment", (h, meeting) -> {
            String meetingId = meeting.map(Meeting::id).orElse(null);
            long[] at = meeting.isPresent() ? offsets(h, meetingId, segment.start(), segment.end()) : null;
            if (meetingId != null) {
                TranscriptStore.insertSegment(h, UUID.randomUUID().toString(), meetingId, segment, at[0], at[1],
                        UserStore.now(clock));
            }
            outbox.append(h, DomainEvents.aiTranscript(room, meetingId, segment, at));
        });
    }

    /** An emotion sample heard in {@code room}: pushed to its hosts, stored and published. */
    public void onEmotion(String room, Emotion emotion) {
        rooms.emotion(room, emotion);
        store(room, "emotion sample", (h, meeting) -> {
            String meetingId = meeting.map(Meeting::id).orElse(null);
            long[] at = meeting.isPresent() ? offsets(h, meetingId, emotion.start(), emotion.end()) : null;
            if (meetingId != null) {
                TranscriptStore.insertEmotion(h, UUID.randomUUID().toString(), meetingId, emotion, at[0], at[1],
                        UserStore.now(clock));
            }
            outbox.append(h, DomainEvents.aiEmotion(room, meetingId, emotion, at));
        });
    }

    /** The captioning of {@code room} changed state (e.g. paused while the speech service is down): pushed to the room. */
    public void onStatus(String room, Status status) {
        rooms.captionStatus(room, Objects.requireNonNull(status, "status"));
    }

    private interface Work {
        void run(Handle h, Optional<Meeting> meeting);
    }

    private void store(String room, String what, Work work) {
        try {
            jdbi.useTransaction(h -> work.run(h, MeetingStore.byRoom(h, room)));
        } catch (RuntimeException e) {
            LOG.warn("A {} of room {} was not stored: {}", what, room, e.toString());
        }
    }

    /** Start and end as milliseconds from the meeting's first join (never negative). */
    private static long[] offsets(Handle h, String meetingId, Instant start, Instant end) {
        Instant origin = TranscriptStore.meetingStart(h, meetingId).orElse(start);
        long s = Math.max(0, start.toEpochMilli() - origin.toEpochMilli());
        long e = Math.max(s, end.toEpochMilli() - origin.toEpochMilli());
        return new long[] {s, e};
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}

package dev.parley.control;

import dev.parley.control.events.EventOutbox;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * Turns a room's captions on and off: for a host over signaling, and when a host changes the meeting's
 * {@code captions} setting. The setting is the record (a room with a meeting remembers it, and captions start
 * again when the room opens); the {@link RoomCaptioner} does the work, and the room is told the new status.
 */
final class CaptionSwitch {
    private final Jdbi jdbi;
    private final Clock clock;
    private final EventOutbox outbox;
    private final RoomCaptioner captioner;
    private final LiveRooms rooms;

    CaptionSwitch(Jdbi jdbi, Clock clock, EventOutbox outbox, RoomCaptioner captioner, LiveRooms rooms) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.outbox = outbox;
        this.captioner = captioner;
        this.rooms = rooms;
    }

    boolean available() {
        return captioner.available();
    }

    /**
     * A host in {@code room} turns captions {@code on} or off. With a meeting, its setting is changed (event
     * {@code meeting.updated}); the captioner is started or stopped and the room told.
     *
     * @throws ApiProblem {@code ai-disabled} when turning on without AI, {@code meeting-ended}
     */
    void set(String room, boolean on) {
        if (on && !captioner.available()) {
            throw disabled();
        }
        jdbi.useTransaction(h -> {
            Optional<Meeting> found = MeetingStore.byRoom(h, room);
            if (found.isEmpty()) {
                return; // an integrator's room: captions live only, nothing to remember
            }
            Meeting m = found.get();
            if (m.status() == Meeting.Status.ENDED) {
                throw new ApiProblem(ProblemType.MEETING_ENDED, "this meeting has ended");
            }
            if (m.settings().captions() != on) {
                Meeting next = new Meeting(m.id(), m.room(), m.title(), m.hostId(), m.scheduledStart(), m.scheduledEnd(),
                        m.settings().withCaptions(on), m.status(), m.createdAt(), UserStore.now(clock), m.endedAt());
                MeetingStore.update(h, next);
                outbox.append(h, DomainEvents.meetingUpdated(next, List.of("settings.captions")));
            }
        });
        apply(room, on);
    }

    /**
     * The meeting's {@code captions} setting was changed over REST (committed): a live meeting's room follows it.
     * A meeting not live yet starts captions when its room opens ({@link #wanted}).
     */
    void settingChanged(Meeting m) {
        if (m.status() == Meeting.Status.LIVE) {
            try {
                apply(m.room(), m.settings().captions());
            } catch (ApiProblem ignored) {
                // the setting is stored; the room shows 'off' until the captioner can start
            }
        }
    }

    /** The meeting of {@code room} ended (everyone was removed): its captions stop. */
    void meetingEnded(String room) {
        captioner.stop(room);
    }

    /** Whether {@code room}'s meeting asks for captions (its setting), for the captioner to start when the room opens. */
    boolean wanted(String room) {
        return jdbi.withHandle(h -> MeetingStore.byRoom(h, room)).map(m -> m.settings().captions()).orElse(false);
    }

    private void apply(String room, boolean on) {
        if (on) {
            try {
                captioner.start(room);
            } catch (RoomCaptioner.Unavailable e) {
                rooms.captionStatus(room, CaptionResults.Status.OFF);
                throw new ApiProblem(ProblemType.AI_DISABLED, "captions could not start: " + e.getMessage());
            }
            rooms.captionStatus(room, CaptionResults.Status.ACTIVE);
        } else {
            captioner.stop(room);
            rooms.captionStatus(room, CaptionResults.Status.OFF);
        }
    }

    static ApiProblem disabled() {
        return new ApiProblem(ProblemType.AI_DISABLED, "this server has no AI service configured for captions");
    }
}

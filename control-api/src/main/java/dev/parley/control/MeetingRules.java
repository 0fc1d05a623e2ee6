package dev.parley.control;

import java.util.Set;

/** Field rules for meetings, shared by create and update. */
final class MeetingRules {
    static final int TITLE_MAX = 200;
    static final int PASSWORD_MAX = 128;
    static final int MAX_PARTICIPANTS_LIMIT = 1000;
    static final int DEFAULT_MAX_PARTICIPANTS = 100;
    static final Set<String> SETTINGS_FIELDS = Set.of("guestsAllowed", "password", "lobby", "recordingAllowed", "maxParticipants",
            "captions");

    private MeetingRules() {}

    static String title(JsonBody body, boolean required) {
        String title = body.text("title", 1, TITLE_MAX, required);
        if (title != null && title.isBlank()) {
            body.error("title", "must not be blank");
            return null;
        }
        return title;
    }
}

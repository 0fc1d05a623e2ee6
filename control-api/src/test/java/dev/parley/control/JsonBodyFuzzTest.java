package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Request bodies are network input: mutated bodies only ever end in an ApiProblem (a 400), never anything else. */
class JsonBodyFuzzTest {
    static final String SEED = """
            {"title": "Weekly 😀 sync", "scheduledStart": "2030-01-02T10:00:00Z", "scheduledEnd": "2030-01-02T11:00:00+01:00",
             "settings": {"guestsAllowed": true, "password": "pw", "lobby": false, "recordingAllowed": true, "maxParticipants": 25}}""";
    static final Set<String> TOP = Set.of("title", "scheduledStart", "scheduledEnd", "settings");

    @Test
    void validBodyRoundTrips() {
        Read r = read(SEED.getBytes(StandardCharsets.UTF_8));
        assertEquals("Weekly 😀 sync", r.title);
        assertEquals(25, r.max);
        assertEquals(java.time.Instant.parse("2030-01-02T10:00:00Z"), r.end, "offsets are normalised to instants");
    }

    @Test
    void mutatedBodiesAreRefusedCleanly() {
        Random random = new Random(42);
        byte[] seed = SEED.getBytes(StandardCharsets.UTF_8);
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"", "\\u0000", "\\ud800", "null", "true", "1e999", "-0", "99999999999999999999",
                "{\"a\":", "[[[[[[[[[[[[[[[[[[[[", "\"title\"", "\u0000", "\uFFFF"};
        int accepted = 0;
        for (int i = 0; i < 30_000; i++) {
            byte[] body = seed.clone();
            switch (random.nextInt(4)) {
                case 0 -> {
                    for (int k = 0, n = 1 + random.nextInt(4); k < n; k++) {
                        body[random.nextInt(body.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                }
                case 1 -> body = java.util.Arrays.copyOf(body, random.nextInt(body.length));
                case 2 -> {
                    String s = new String(body, StandardCharsets.UTF_8);
                    int at = random.nextInt(s.length());
                    body = (s.substring(0, at) + tokens[random.nextInt(tokens.length)] + s.substring(at)).getBytes(StandardCharsets.UTF_8);
                }
                default -> {
                    body = new byte[random.nextInt(64)];
                    random.nextBytes(body);
                }
            }
            try {
                read(body);
                accepted++;
            } catch (ApiProblem expected) {
                if (expected.type != ProblemType.VALIDATION && expected.type != ProblemType.MALFORMED_JSON) {
                    fail("unexpected problem type " + expected.type);
                }
            } catch (RuntimeException | StackOverflowError e) {
                fail("body " + new String(body, StandardCharsets.UTF_8) + " threw " + e, e);
            }
        }
        System.out.println("accepted mutated bodies: " + accepted);
    }

    record Read(String title, java.time.Instant end, Integer max) {}

    /** Reads a body the way the meeting routes do. */
    static Read read(byte[] body) {
        JsonBody b = JsonBody.parse(body, TOP);
        String title = MeetingRules.title(b, true);
        b.instant("scheduledStart");
        java.time.Instant end = b.instant("scheduledEnd");
        JsonBody s = b.object("settings", MeetingRules.SETTINGS_FIELDS);
        s.bool("guestsAllowed");
        s.text("password", 1, MeetingRules.PASSWORD_MAX, false);
        s.bool("lobby");
        s.bool("recordingAllowed");
        Integer max = s.integer("maxParticipants", 1, MeetingRules.MAX_PARTICIPANTS_LIMIT);
        b.check();
        return new Read(title, end, max);
    }
}

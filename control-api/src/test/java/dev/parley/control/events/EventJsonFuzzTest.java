package dev.parley.control.events;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The envelope reader accepts what the writer produces and rejects anything else with IllegalArgumentException only. */
class EventJsonFuzzTest {
    private static final int ROUNDS = 10_000;

    private static Event sample(Random random) {
        return new Event(new UUID(random.nextLong(), random.nextLong()), "meeting.updated", 1 + random.nextInt(3),
                Instant.ofEpochSecond(1_700_000_000L + random.nextInt(1_000_000)).plusNanos(random.nextInt(1_000_000) * 1000L)
                        .truncatedTo(ChronoUnit.MICROS),
                "m-" + random.nextInt(1000),
                Map.of("n", random.nextInt(), "title", "t\u00e9st \"" + random.nextInt(100) + "\"",
                        "tags", List.of("a", "b"), "nested", Map.of("ok", random.nextBoolean())));
    }

    @Test
    void validEnvelopesRoundTrip() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            Event e = sample(random);
            assertEquals(e, EventJson.parseEnvelope(EventJson.envelope(e)));
        }
    }

    @Test
    void mutatedEnvelopesAreRejectedOnlyWithIllegalArgumentException() {
        Random random = new Random(42);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] bytes = EventJson.envelope(sample(random));
            byte[] mutated = switch (random.nextInt(4)) {
                case 0 -> flipBits(bytes, random);
                case 1 -> java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length));
                case 2 -> replaceField(bytes, random);
                default -> randomBytes(random);
            };
            try {
                EventJson.parseEnvelope(mutated);
            } catch (IllegalArgumentException expected) {
                // the documented rejection
            } catch (RuntimeException e) {
                fail("unexpected " + e + " for input: " + new String(mutated, StandardCharsets.UTF_8), e);
            }
        }
    }

    private static byte[] flipBits(byte[] in, Random random) {
        byte[] out = in.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return out;
    }

    /** Gives one field a value of the wrong kind: a number, null, an array, a huge or empty string. */
    private static byte[] replaceField(byte[] in, Random random) {
        String json = new String(in, StandardCharsets.UTF_8);
        String[] fields = {"id", "type", "version", "occurredAt", "subject", "data"};
        String[] values = {"1", "null", "[]", "{}", "\"\"", "\"" + "x".repeat(1_000) + "\"", "-1", "true", "1e999"};
        String field = fields[random.nextInt(fields.length)];
        String value = values[random.nextInt(values.length)];
        return json.replaceFirst("\"" + field + "\":(\"[^\"]*\"|[0-9]+|\\{[^}]*\\}+)",
                        "\"" + field + "\":" + java.util.regex.Matcher.quoteReplacement(value))
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] randomBytes(Random random) {
        byte[] out = new byte[random.nextInt(64)];
        random.nextBytes(out);
        return out;
    }
}

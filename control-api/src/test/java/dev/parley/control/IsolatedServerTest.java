package dev.parley.control;

import static dev.parley.control.AuthApiTest.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parley.control.events.Event;
import dev.parley.control.events.EventOutbox;
import java.util.Map;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ValueSource;

/** Behaviour that needs a server of its own configuration, on H2 and on PostgreSQL. */
@ParameterizedClass(name = "{0}")
@ValueSource(strings = {"h2", "postgres"})
class IsolatedServerTest {
    @Parameter
    String backend;

    @Test
    void whenAccountsAreRequiredGuestsCannotSeeOrJoinMeetings() throws Exception {
        try (ApiFixture api = ApiFixture.fresh(backend, true, new TableOutbox())) {
            ApiFixture.Session host = api.register("host");
            String room = api.meeting(host, Map.of("title", "Members only")).path("room").asText();
            assertProblem(api.post("/api/v1/meetings/" + room + "/join", Map.of("name", "Guest"), null), 401, "unauthorized");
            assertProblem(api.get("/api/v1/meetings/" + room, null), 401, "unauthorized");
            assertProblem(api.get("/api/v1/meetings/" + room + "/participants", null), 401, "unauthorized");
            assertEquals(200, api.post("/api/v1/meetings/" + room + "/join", null, api.register("member").accessToken()).status());
        }
    }

    @Test
    void aChangeWhoseEventCannotBeRecordedIsRolledBack() throws Exception {
        TableOutbox table = new TableOutbox();
        EventOutbox refusesMeetings = new EventOutbox() {
            @Override
            public void append(Handle handle, Event event) {
                if (event.category().equals("meeting")) {
                    throw new IllegalStateException("outbox unavailable");
                }
                table.append(handle, event);
            }
        };
        try (ApiFixture api = ApiFixture.fresh(backend, false, refusesMeetings)) {
            ApiFixture.Session host = api.register("host");
            Map<String, Long> before = api.snapshot();
            assertProblem(api.post("/api/v1/meetings", Map.of("title", "Never stored"), host.accessToken()), 500, "internal");
            assertEquals(before, api.snapshot(), "no meeting without its meeting.created event");
        }
    }
}

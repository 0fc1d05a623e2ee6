package dev.parley.e2e;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parley.control.JoinGrant;
import dev.parley.control.JoinTokens;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The meeting page in Chromium, joined with an integrator's join tokens (signed with an API key): the page of a
 * participant whose token grants {@code canRecord} shows Record, starts the recording with it (everyone's page
 * shows the indicator) and stops it; a participant without the grant sees no button.
 */
class RecordButtonPageTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final CallFixture call = new CallFixture("record-button");

    @Test
    void aParticipantWithACanRecordTokenRecordsFromThePage() throws IOException {
        ParleyServerProcess server = call.server();
        String admin = json(server.request("POST", "/api/v1/auth/register", null,
                "{\"email\":\"admin@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"Admin\"}"), 201)
                .path("accessToken").asText();
        JsonNode key = json(server.request("POST", "/api/v1/api-keys", admin, "{\"name\":\"crm\"}"), 201);
        JsonNode meeting = json(server.request("POST", "/api/v1/meetings", admin, "{\"title\":\"Record\"}"), 201);
        String room = meeting.path("room").asText();
        String recToken = token(key, room, "crm-rec", true);
        String viewToken = token(key, room, "crm-view", false);

        try (MeetingPage rec = MeetingPage.open(call.chromium(), server, "Rec");
             MeetingPage viewer = MeetingPage.open(call.chromium(), server, "Viewer")) {
            rec.page().navigate("/meet/" + room + "?name=Rec&prejoin=0&token=" + recToken);
            rec.awaitJoined();
            viewer.page().navigate("/meet/" + room + "?name=Viewer&prejoin=0&token=" + viewToken);
            viewer.awaitJoined();

            assertThat(rec.page().locator("#record")).isVisible();
            assertThat(viewer.page().locator("#record")).isHidden();

            rec.page().locator("#record").click();
            for (MeetingPage page : List.of(rec, viewer)) {
                assertThat(page.page().locator("#recording-indicator")).isVisible();
            }
            assertThat(rec.page().locator("#record")).hasText("Stop recording");
            rec.page().locator("#record").click();
            for (MeetingPage page : List.of(rec, viewer)) {
                assertThat(page.page().locator("#recording-indicator")).isHidden();
            }
            assertThat(rec.page().locator("#record")).hasText("Record");
            JsonNode items = json(server.request("GET", "/api/v1/meetings/" + meeting.path("id").asText()
                    + "/recordings", admin, null), 200).path("items");
            assertEquals(1, items.size(), "one recording, started and stopped from the page: " + items);
            assertEquals(0, rec.policyViolations().size() + viewer.policyViolations().size(),
                    "CSP violations: " + rec.policyViolations() + viewer.policyViolations());
        }
    }

    private static String token(JsonNode key, String room, String identity, boolean canRecord) {
        return JoinTokens.sign(new JoinGrant(room, identity, identity, true, true, canRecord, false,
                Instant.now().plusSeconds(600)), key.path("id").asText(), key.path("secret").asText());
    }

    private static JsonNode json(HttpResponse<String> response, int expected) throws IOException {
        assertEquals(expected, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}

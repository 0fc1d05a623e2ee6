package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A meeting with a lobby, in Chromium against a real server: a guest opening the link waits on the lobby
 * screen; the host's meeting page lists them with Admit and Refuse; an admitted guest joins the call, a
 * refused one is told so; when the host ends the meeting, the guest's page says it ended.
 */
class LobbyPageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final CallFixture call = new CallFixture("lobby");

    @Test
    void theHostAdmitsOneGuestAndRefusesAnother() throws IOException {
        String access = json(call.server().request("POST", "/api/v1/auth/register", null,
                "{\"email\":\"host@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"Host\"}"), 201)
                .path("accessToken").asText();
        JsonNode meeting = json(call.server().request("POST", "/api/v1/meetings", access,
                "{\"title\":\"Lobby\",\"settings\":{\"lobby\":true}}"), 201);
        String room = meeting.path("room").asText();
        String hostToken = json(call.server().request("POST", "/api/v1/meetings/" + meeting.path("id").asText() + "/join",
                access, "{}"), 200).path("token").asText();

        try (MeetingPage host = MeetingPage.open(call.chromium(), call.server(), "Host");
             MeetingPage grace = MeetingPage.open(call.chromium(), call.server(), "Grace");
             MeetingPage mallory = MeetingPage.open(call.chromium(), call.server(), "Mallory")) {
            host.page().navigate("/meet/" + room + "?name=Host&prejoin=0&token=" + hostToken);
            host.awaitJoined();

            grace.page().navigate("/meet/" + room + "?name=Grace&prejoin=0");
            assertThat(grace.page().locator("#lobby")).isVisible(visible());
            Locator waiting = host.page().locator("#lobby-list li", new Page.LocatorOptions().setHasText("Grace"));
            assertThat(waiting).isVisible(visible());
            host.screenshot(E2eFiles.outputDir().resolve("lobby-host.png"));
            waiting.locator(".admit").click();
            grace.awaitJoined();
            assertThat(grace.page().locator("#meeting")).isVisible(visible());
            host.awaitTiles(Set.of("Host", "Grace"), TIMEOUT);
            grace.awaitTiles(Set.of("Host", "Grace"), TIMEOUT);
            assertThat(host.page().locator("#lobby-panel")).isHidden();

            mallory.page().navigate("/meet/" + room + "?name=Mallory&prejoin=0");
            assertThat(mallory.page().locator("#lobby")).isVisible(visible());
            host.page().locator("#lobby-list li", new Page.LocatorOptions().setHasText("Mallory")).locator(".refuse").click();
            assertThat(mallory.page().locator("#ended-title")).hasText("The host did not let you in");

            assertEquals(204, call.server().request("DELETE", "/api/v1/meetings/" + meeting.path("id").asText(), access, null)
                    .statusCode());
            assertThat(grace.page().locator("#ended-title")).hasText("The meeting has ended");
            assertThat(host.page().locator("#ended-title")).hasText("The meeting has ended");
        }
    }

    private static com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions visible() {
        return new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions().setTimeout(TIMEOUT.toMillis());
    }

    private static JsonNode json(HttpResponse<String> response, int expected) throws IOException {
        assertEquals(expected, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}

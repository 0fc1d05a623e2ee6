package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A host removes a guest from the meeting page, in Chromium against a real server: only the host's page
 * offers Remove on others' tiles; after confirming, the guest's page says a host removed them and offers no
 * rejoin, the host's page drops the tile, and opening the meeting again with the same join token is refused.
 */
class RemoveParticipantPageTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ParleyServerProcess server;
    private static HeadlessChromium chromium;

    @BeforeAll
    static void start() throws IOException {
        server = ParleyServerProcess.start("remove");
        chromium = HeadlessChromium.launch();
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) chromium.close();
        } finally {
            if (server != null) server.close();
        }
    }

    @Test
    void theHostRemovesAGuestFromItsTile() throws IOException {
        String access = json(server.request("POST", "/api/v1/auth/register", null,
                "{\"email\":\"host@example.org\",\"password\":\"a long enough secret\",\"displayName\":\"Host\"}"), 201)
                .path("accessToken").asText();
        JsonNode meeting = json(server.request("POST", "/api/v1/meetings", access, "{\"title\":\"Remove\"}"), 201);
        String id = meeting.path("id").asText();
        String room = meeting.path("room").asText();
        String hostToken = json(server.request("POST", "/api/v1/meetings/" + id + "/join", access, "{}"), 200)
                .path("token").asText();
        String graceToken = json(server.request("POST", "/api/v1/meetings/" + id + "/join", null,
                "{\"name\":\"Grace\"}"), 200).path("token").asText();

        try (MeetingPage host = MeetingPage.open(chromium, server, "Host");
             MeetingPage grace = MeetingPage.open(chromium, server, "Grace")) {
            host.page().navigate("/meet/" + room + "?name=Host&prejoin=0&token=" + hostToken);
            host.awaitJoined();
            grace.page().navigate("/meet/" + room + "?name=Grace&prejoin=0&token=" + graceToken);
            grace.awaitJoined();
            host.awaitTiles(Set.of("Host", "Grace"), TIMEOUT);
            grace.awaitTiles(Set.of("Host", "Grace"), TIMEOUT);

            // A guest sees no Remove button anywhere; the host sees one on Grace's tile, none on its own.
            assertEquals(0, grace.page().locator(".tile .remove:visible").count());
            Locator graceTile = host.page().locator(".tile:not(.self)");
            assertThat(graceTile.locator(".remove")).isVisible();
            assertThat(host.page().locator(".tile.self .remove")).isHidden();

            host.page().onceDialog(dialog -> {
                assertTrue(dialog.message().contains("Grace"), dialog.message());
                dialog.accept();
            });
            graceTile.locator(".remove").click();
            assertThat(grace.page().locator("#ended-title")).hasText("A host removed you from the meeting");
            assertThat(grace.page().locator("#rejoin")).isHidden();
            host.awaitTiles(Set.of("Host"), TIMEOUT);

            // The same token cannot bring Grace back while the meeting goes on.
            grace.page().navigate("/meet/" + room + "?name=Grace&prejoin=0&token=" + graceToken);
            assertThat(grace.page().locator("#ended-title")).hasText("A host removed you from the meeting");
            assertEquals(0, host.policyViolations().size() + grace.policyViolations().size(),
                    "CSP violations: " + host.policyViolations() + grace.policyViolations());
        }
    }

    private static JsonNode json(HttpResponse<String> response, int expected) throws IOException {
        assertEquals(expected, response.statusCode(), response.body());
        return JSON.readTree(response.body());
    }
}

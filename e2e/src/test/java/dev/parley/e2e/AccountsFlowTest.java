package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Accounts and meetings in the web client, in Chromium against a real server: someone signs up, lands on
 * My meetings, schedules a meeting and sees it listed with its link; opening the link joins them with a join
 * token (the server lists them under their account's identity), a guest joins by the same link without one,
 * and each sees the other's tile and video. An expired-looking access token is refreshed behind the scenes; signing out
 * ends the session on the server too; a wrong password and a taken email are explained beside the form; the
 * host signs in again and ends the meeting; and a session the server no longer honours is forgotten and sends
 * the visitor to sign in. Guests refused a meeting (accounts only, or a join token the server rejects) are
 * offered a sign-in that comes back to the meeting.
 */
class AccountsFlowTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "Ada Lovelace";
    private static final String EMAIL = "ada@example.com";
    private static final String PASSWORD = "correct horse battery";
    private static final String TITLE = "Design review";

    @RegisterExtension
    static final CallFixture call = new CallFixture("accounts-flow");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void signUpScheduleJoinWithTokenMeetAGuestAndSignOut() {
        try (MeetingPage ada = MeetingPage.open(call.chromium(), call.server(), "Ada")) {
            Page page = ada.page();
            signUp(page);
            Locator meeting = createMeeting(page);
            String meetingId = meeting.getAttribute("data-meeting-id");
            String room = meeting.getAttribute("data-room");
            String link = meeting.locator(".link").inputValue();
            assertEquals(call.server().baseUri() + "/meet/" + room, link, "the listed join link is the meeting's URL");
            assertThat(meeting.locator(".details")).containsText("up to 12");
            assertThat(meeting.locator(".status")).hasText("Scheduled");
            page.screenshot(new Page.ScreenshotOptions().setPath(E2eFiles.outputDir().resolve("meetings.png")));

            staleAccessTokenIsRefreshed(page, meetingId);

            String userId = (String) page.evaluate("() => JSON.parse(localStorage.getItem('parley.user')).id");
            meeting.locator(".join").click();
            page.waitForURL(link);
            assertThat(page.locator("#prejoin-name")).hasValue(NAME);
            assertThat(page.locator("#prejoin-account")).containsText(EMAIL);
            page.click("#prejoin-form button[type=submit]");
            ada.awaitJoined();
            page.waitForFunction("() => window.parley.connectionState === 'connected'", null,
                    new Page.WaitForFunctionOptions().setTimeout(TIMEOUT.toMillis()));
            JsonNode host = awaitParticipants(meetingId, 1).get(0);
            assertEquals(userId, host.path("identity").asText(), "the host joined as their account: " + host);
            assertEquals(NAME, host.path("name").asText());
            assertEquals(host.path("participantId").asText(), page.evaluate("() => window.parley.participantId"));

            try (MeetingPage grace = MeetingPage.join(call.chromium(), call.server(), room, "Grace")) {
                Set<String> both = Set.of(NAME, "Grace");
                ada.awaitTiles(both, TIMEOUT);
                grace.awaitTiles(both, TIMEOUT);
                ada.awaitVideoFrom(List.of("Grace"), TIMEOUT);
                grace.awaitVideoFrom(List.of(NAME), TIMEOUT);
                List<JsonNode> inRoom = awaitParticipants(meetingId, 2);
                JsonNode guest = inRoom.stream().filter(p -> p.path("name").asText().equals("Grace")).findFirst().orElseThrow();
                assertTrue(guest.path("identity").asText().startsWith("guest-"), "the guest joined without an account: " + guest);
            }

            String refreshToken = (String) page.evaluate("() => localStorage.getItem('parley.refreshToken')");
            signOut(page);
            assertEquals(401, post("/api/v1/auth/refresh", "{\"refreshToken\":\"" + refreshToken + "\"}").statusCode(),
                    "signing out revoked the session on the server");

            badSignInAndTakenEmailAreExplained(page);
            signInEndMeetingThenLoseTheSession(page);
            assertEquals(List.of(), ada.policyViolations(), "the account, meetings and meeting pages run under the server's CSP");
        }
    }

    @Test
    void guestsAreOfferedSignInWhereAnAccountIsNeeded() {
        HttpResponse<String> registered = post("/api/v1/auth/register",
                "{\"email\":\"grace@example.org\",\"password\":\"" + PASSWORD + "\",\"displayName\":\"Grace\"}");
        assertEquals(201, registered.statusCode(), registered.body());
        String access = readJson(registered.body()).path("accessToken").asText();
        HttpResponse<String> created = post("/api/v1/meetings", "{\"title\":\"Board\",\"settings\":{\"guestsAllowed\":false}}",
                "Authorization", "Bearer " + access);
        assertEquals(201, created.statusCode(), created.body());
        String room = readJson(created.body()).path("room").asText();

        try (MeetingPage guest = MeetingPage.open(call.chromium(), call.server(), "Guest")) {
            Page page = guest.page();
            // The meeting admits only accounts: the REST join refuses the guest before any media starts.
            page.navigate("/meet/" + room + "?meeting=" + room + "&name=Guest&prejoin=0");
            assertThat(page.locator("#ended-title")).hasText("Sign in to join this meeting");
            String back = URLEncoder.encode("/meet/" + room + "?meeting=" + room + "&name=Guest", StandardCharsets.UTF_8);
            assertThat(page.locator("#ended-signin")).hasAttribute("href", "/account.html?next=" + back);
            assertThat(page.locator("#rejoin")).isHidden();

            // The signaling server refuses a join token (code `auth`): the same offer to sign in.
            page.navigate("/meet/" + room + "?name=Guest&prejoin=0&token=not-a-token");
            assertThat(page.locator("#ended-title")).hasText("Sign in to join this meeting");
            assertThat(page.locator("#ended-detail")).containsText("join token refused");
            assertThat(page.locator("#ended-signin")).isVisible();
        }
    }

    private static void signUp(Page page) {
        page.navigate("/");
        page.click("#sign-in");
        page.waitForURL(Pattern.compile("/account\\.html"));
        page.click("#tab-signup");
        page.fill("#signup-name", NAME);
        page.fill("#signup-email", EMAIL);
        page.fill("#signup-password", PASSWORD);
        page.click("#signup-form button[type=submit]");
        page.waitForURL(Pattern.compile("/meetings\\.html$"));
        assertThat(page.locator("#account-name")).hasText(NAME);
    }

    private static Locator createMeeting(Page page) {
        String tomorrow = LocalDate.now().plusDays(1).toString();
        page.fill("#meeting-title", TITLE);
        page.fill("#meeting-start", tomorrow + "T10:00");
        page.fill("#meeting-end", tomorrow + "T11:00");
        page.fill("#meeting-max", "12");
        page.uncheck("#meeting-recording");
        page.click("#create-form button[type=submit]");
        Locator item = page.locator("#upcoming .meeting", new Page.LocatorOptions().setHasText(TITLE));
        assertThat(item).hasCount(1);
        assertThat(item).hasClass(Pattern.compile("\\bfresh\\b"));
        return item;
    }

    // The access token is replaced by one the server refuses: the page exchanges the refresh token once,
    // retries, and lists the meetings as before with a new pair of tokens stored.
    private void staleAccessTokenIsRefreshed(Page page, String meetingId) {
        String before = (String) page.evaluate("() => localStorage.getItem('parley.refreshToken')");
        page.evaluate("() => localStorage.setItem('parley.accessToken', 'not.a.token')");
        page.reload();
        assertThat(page.locator("#upcoming .meeting[data-meeting-id='" + meetingId + "']")).hasCount(1);
        assertThat(page.locator("#list-error")).isHidden();
        String after = (String) page.evaluate("() => localStorage.getItem('parley.refreshToken')");
        String access = (String) page.evaluate("() => localStorage.getItem('parley.accessToken')");
        assertNotNull(after);
        assertNotEquals(before, after, "the refresh token was exchanged");
        assertNotEquals("not.a.token", access);
    }

    private static void signOut(Page page) {
        page.navigate("/");
        page.click("#sign-out");
        page.waitForURL(Pattern.compile("/$"));
        assertThat(page.locator("#sign-in")).isVisible();
        assertNull(page.evaluate("() => localStorage.getItem('parley.refreshToken')"));
        assertNull(page.evaluate("() => localStorage.getItem('parley.accessToken')"));
    }

    private static void badSignInAndTakenEmailAreExplained(Page page) {
        page.click("#sign-in");
        page.waitForURL(Pattern.compile("/account\\.html"));
        page.fill("#signin-email", EMAIL);
        page.fill("#signin-password", "not the password");
        page.click("#signin-form button[type=submit]");
        assertThat(page.locator("#signin-form .form-error")).hasText("The email or the password is wrong");
        page.screenshot(new Page.ScreenshotOptions().setPath(E2eFiles.outputDir().resolve("signin-error.png")));
        assertTrue(page.url().contains("/account.html"), "a refused sign-in stays on the form: " + page.url());
        assertNull(page.evaluate("() => localStorage.getItem('parley.refreshToken')"));

        page.click("#tab-signup");
        page.fill("#signup-name", "Another Ada");
        page.fill("#signup-email", EMAIL.toUpperCase());
        page.fill("#signup-password", PASSWORD);
        page.click("#signup-form button[type=submit]");
        assertThat(page.locator("#signup-form .form-error")).containsText("An account with this email already exists");

        page.fill("#signup-email", "grace@example.com");
        page.fill("#signup-password", "short");
        page.click("#signup-form button[type=submit]");
        assertThat(page.locator("#signup-form .field-error[data-field=password]")).isVisible();
        assertThat(page.locator("#signup-password")).hasAttribute("aria-invalid", "true");
    }

    // Signing in works again and the host ends the meeting (a second click confirms): it moves to the past.
    // Then the server stops honouring both tokens (as after a password change): My meetings forgets the
    // session and sends the visitor to sign in, to come back afterwards.
    private static void signInEndMeetingThenLoseTheSession(Page page) {
        page.click("#tab-signin");
        page.fill("#signin-email", EMAIL);
        page.fill("#signin-password", PASSWORD);
        page.click("#signin-form button[type=submit]");
        page.waitForURL(Pattern.compile("/meetings\\.html$"));
        Locator upcoming = page.locator("#upcoming .meeting", new Page.LocatorOptions().setHasText(TITLE));
        Locator end = upcoming.locator(".end");
        end.click();
        assertThat(end).hasText("End for everyone?");
        end.click();
        assertThat(upcoming).hasCount(0);
        Locator past = page.locator("#past .meeting", new Page.LocatorOptions().setHasText(TITLE));
        assertThat(past.locator(".status")).hasText("Ended");

        page.evaluate("() => { localStorage.setItem('parley.accessToken', 'stale'); localStorage.setItem('parley.refreshToken', 'stale'); }");
        page.navigate("/meetings.html");
        page.waitForURL(Pattern.compile("/account\\.html\\?next=%2Fmeetings\\.html$"));
        assertNull(page.evaluate("() => localStorage.getItem('parley.refreshToken')"));
    }

    // Presence is recorded off the signaling thread: poll until the room holds `count` participants.
    private List<JsonNode> awaitParticipants(String meetingId, int count) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<JsonNode> items = List.of();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> response = call.server().get("/api/v1/meetings/" + meetingId + "/participants");
            assertEquals(200, response.statusCode(), response.body());
            items = new ArrayList<>();
            for (JsonNode item : readJson(response.body()).path("items")) items.add(item);
            if (items.size() == count) return items;
            sleepBriefly();
        }
        return fail("the meeting lists " + items + ", expected " + count + " participants within " + TIMEOUT.toSeconds() + " s");
    }

    private HttpResponse<String> post(String path, String json, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(call.server().baseUri() + path)).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        if (headers.length > 0) builder.headers(headers);
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("POST " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during POST " + path, e);
        }
    }

    private static JsonNode readJson(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + body, e);
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while polling", e);
        }
    }
}

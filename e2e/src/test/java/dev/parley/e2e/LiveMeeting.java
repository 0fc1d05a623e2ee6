package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.parley.testkit.Eventually;
import dev.parley.testkit.SignalingClient;
import java.time.Duration;
import java.util.Map;

/** Steps the restart tests share: a meeting's host joins it without a browser and it goes live. */
final class LiveMeeting {
    private LiveMeeting() {}

    /**
     * Asks the REST API for a join token to {@code meetingId}, joins its room over {@code client} as
     * {@code name}, and waits until the API reports the meeting live.
     *
     * @return the participant id the server gave the joiner
     */
    static String join(ApiClient api, SignalingClient client, String bearer, String meetingId, String name,
                       Duration timeout) throws Exception {
        JsonNode grant = api.expect(200, "POST", "/api/v1/meetings/" + meetingId + "/join", bearer, Map.of());
        client.send(Map.of("type", "join", "room", grant.path("room").asText(), "name", name,
                "token", grant.path("token").asText()));
        String participantId = client.next("joined", timeout).path("participantId").asText();
        Eventually.await(timeout, "the meeting to be live", () -> "live".equals(
                api.expect(200, "GET", "/api/v1/meetings/" + meetingId, bearer, null).path("status").asText()));
        return participantId;
    }
}

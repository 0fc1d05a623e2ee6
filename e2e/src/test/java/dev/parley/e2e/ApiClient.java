package dev.parley.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** JSON calls to a running server's REST API ({@code /api/v1/...}), for tests that drive it without a browser. */
final class ApiClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: its status and its body as JSON (a missing node when there was none). */
    record Answer(int status, JsonNode body) {
        String text(String field) {
            return body.path(field).asText(null);
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ApiClient(URI base) {
        this.base = base;
    }

    /** {@code method path} with an optional bearer token and JSON body (null for none). */
    Answer call(String method, String path, String bearer, Map<String, ?> body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(15));
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        try {
            if (body != null) {
                b.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            } else {
                b.method(method, HttpRequest.BodyPublishers.noBody());
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode node = r.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(r.body());
            return new Answer(r.statusCode(), node);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    /** Like {@link #call}, but fails unless the status is {@code expected}. */
    JsonNode expect(int expected, String method, String path, String bearer, Map<String, ?> body) {
        Answer a = call(method, path, bearer, body);
        if (a.status() != expected) {
            throw new AssertionError(method + " " + path + " answered " + a.status() + " (expected " + expected
                    + "): " + a.body());
        }
        return a.body();
    }
}

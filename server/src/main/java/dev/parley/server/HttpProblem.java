package dev.parley.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * An RFC 9457 {@code application/problem+json} answer written outside the REST API (metrics, bad URIs, unknown
 * paths), with the same {@code type} URIs the API uses so clients handle both alike.
 */
record HttpProblem(int status, String slug, String title, String detail) {
    static final String CONTENT_TYPE = "application/problem+json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The problem Parley reports for an HTTP status that Jetty or a handler decided on. */
    static HttpProblem forStatus(int status, String detail) {
        return switch (status) {
            case 400 -> new HttpProblem(400, "bad-request", "The request is malformed", detail);
            case 401 -> new HttpProblem(401, "unauthorized", "Authentication is required", detail);
            case 403 -> new HttpProblem(403, "forbidden", "Not allowed", detail);
            case 404 -> new HttpProblem(404, "not-found", "Not found", detail);
            case 405 -> new HttpProblem(405, "method-not-allowed", "Method not allowed", detail);
            case 413 -> new HttpProblem(413, "payload-too-large", "The request body is too large", detail);
            case 414 -> new HttpProblem(414, "uri-too-long", "The request URI is too long", detail);
            case 431 -> new HttpProblem(431, "headers-too-large", "The request headers are too large", detail);
            case 500 -> new HttpProblem(500, "internal", "Internal server error", detail);
            default -> new HttpProblem(status, "http-" + status, HttpStatus.getMessage(status), detail);
        };
    }

    byte[] body() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("type", "https://parley.dev/problems/" + slug);
        fields.put("title", title);
        fields.put("status", status);
        fields.put("detail", detail);
        try {
            return JSON.writeValueAsBytes(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem of plain strings always serializes", e);
        }
    }

    void write(Response response, Callback callback) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, CONTENT_TYPE);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body()), callback);
    }
}

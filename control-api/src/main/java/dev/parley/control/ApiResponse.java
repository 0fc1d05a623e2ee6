package dev.parley.control;

import java.util.Map;

/** What a route handler answers: a status, a body to serialise as JSON (null for none) and extra headers. */
record ApiResponse(int status, Object body, Map<String, String> headers) {
    static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, Map.of());
    }

    static ApiResponse created(Object body, String location) {
        return new ApiResponse(201, body, Map.of("Location", location));
    }

    static ApiResponse noContent() {
        return new ApiResponse(204, null, Map.of());
    }
}

package dev.parley.control;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One API request as route handlers see it: the matched path parameters, query parameters, the body (already
 * size-checked, and known to be JSON when present unless the route takes uploads), selected headers and the client address.
 */
record ApiRequest(String method, String path, Map<String, String> pathParams, Map<String, List<String>> query,
                  byte[] body, String authorization, String clientAddress, String contentType, String accept) {

    /** The last value of query parameter {@code name}, or null. */
    String queryParam(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** The body's media type without parameters, lower case; null when none was given. */
    String mediaType() {
        return contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
    }

    String pathParam(String name) {
        String value = pathParams.get(name);
        if (value == null) {
            throw new IllegalStateException("route has no path parameter " + name);
        }
        return value;
    }

    /** A boolean query flag: absent = false; {@code true}/{@code false} otherwise, anything else is a 400. */
    boolean flag(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return false;
        }
        String v = values.get(values.size() - 1);
        if (v.equals("true") || v.isEmpty()) {
            return true;
        }
        if (v.equals("false")) {
            return false;
        }
        throw ApiProblem.invalid(name, "must be true or false");
    }

    /** The body as a JSON object with only {@code allowed} fields; a missing body is a 400. */
    JsonBody json(Set<String> allowed) {
        return JsonBody.parse(body, allowed);
    }

    /** Like {@link #json}, but an empty body reads as an empty object. */
    JsonBody optionalJson(Set<String> allowed) {
        return body.length == 0 ? JsonBody.empty() : JsonBody.parse(body, allowed);
    }

    /** The bearer token of the Authorization header, if any. */
    Optional<String> bearer() {
        if (authorization == null) {
            return Optional.empty();
        }
        String prefix = "Bearer ";
        if (authorization.length() <= prefix.length() || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new ApiProblem(ProblemType.INVALID_TOKEN, "the Authorization header must be 'Bearer <access token>'");
        }
        return Optional.of(authorization.substring(prefix.length()).trim());
    }
}

package dev.parley.control;

import java.util.List;

/** {@code ?limit=&offset=} for list endpoints: limit 1..500 (default 100), offset >= 0. */
final class Paging {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 500;

    private Paging() {}

    static int limit(ApiRequest req) {
        return number(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    }

    static int offset(ApiRequest req) {
        return number(req, "offset", 0, 0, 1_000_000);
    }

    private static int number(ApiRequest req, String name, int fallback, int min, int max) {
        List<String> values = req.query().get(name);
        if (values == null || values.isEmpty()) {
            return fallback;
        }
        try {
            int v = Integer.parseInt(values.get(values.size() - 1));
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw ApiProblem.invalid(name, "must be an integer from " + min + " to " + max);
    }
}

package dev.parley.control;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The route table: method + path template ({@code /api/v1/meetings/{id}}) to handler. Matching is by segments;
 * a {@code {name}} segment matches any one non-empty segment and is handed to the handler as a path parameter.
 */
final class Router {
    /** Handles one matched request. */
    @FunctionalInterface
    interface RouteHandler {
        ApiResponse handle(ApiRequest request) throws Exception;
    }

    record Route(String method, String template, RouteHandler handler) {
        String[] segments() {
            return template.substring(1).split("/", -1);
        }
    }

    /** The outcome of looking a request up. */
    sealed interface Match {}

    record Found(Route route, Map<String, String> params) implements Match {}

    record WrongMethod(Set<String> allowed) implements Match {}

    record NoRoute() implements Match {}

    private final List<Route> routes = new ArrayList<>();

    Router add(String method, String template, RouteHandler handler) {
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("route template must start with '/': " + template);
        }
        for (Route r : routes) {
            if (r.method.equals(method) && r.template.equals(template)) {
                throw new IllegalArgumentException("duplicate route " + method + " " + template);
            }
        }
        routes.add(new Route(method, template, handler));
        return this;
    }

    List<Route> routes() {
        return List.copyOf(routes);
    }

    /**
     * Looks up {@code method} on {@code segments} (the request path split on '/', already percent-decoded).
     * When several templates match, the most literal ones win ({@code /users/me} over {@code /users/{id}}), so
     * a literal path never falls through to a parameter route of another method.
     */
    Match match(String method, List<String> segments) {
        int best = -1;
        List<Route> candidates = new ArrayList<>();
        List<Map<String, String>> bindings = new ArrayList<>();
        for (Route route : routes) {
            Map<String, String> params = bind(route.segments(), segments);
            if (params == null) {
                continue;
            }
            int literal = segments.size() - params.size();
            if (literal > best) {
                best = literal;
                candidates.clear();
                bindings.clear();
            }
            if (literal == best) {
                candidates.add(route);
                bindings.add(params);
            }
        }
        Set<String> allowed = new TreeSet<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).method.equals(method)) {
                return new Found(candidates.get(i), bindings.get(i));
            }
            allowed.add(candidates.get(i).method);
        }
        return allowed.isEmpty() ? new NoRoute() : new WrongMethod(allowed);
    }

    private static Map<String, String> bind(String[] template, List<String> path) {
        if (template.length != path.size()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            String p = path.get(i);
            if (t.startsWith("{") && t.endsWith("}")) {
                if (p.isEmpty()) {
                    return null;
                }
                params.put(t.substring(1, t.length() - 1), p);
            } else if (!t.equals(p)) {
                return null;
            }
        }
        return params;
    }
}

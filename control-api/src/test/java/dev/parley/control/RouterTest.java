package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RouterTest {
    private final Router router = new Router()
            .add("GET", "/api/v1/users/me", r -> null)
            .add("PATCH", "/api/v1/users/me", r -> null)
            .add("DELETE", "/api/v1/users/{id}", r -> null)
            .add("POST", "/api/v1/meetings/{id}/join", r -> null);

    private static List<String> path(String p) {
        return List.of(p.substring(1).split("/", -1));
    }

    @Test
    void bindsParametersAndPrefersLiteralSegments() {
        Router.Found f = assertInstanceOf(Router.Found.class, router.match("DELETE", path("/api/v1/users/42")));
        assertEquals(Map.of("id", "42"), f.params());
        Router.WrongMethod w = assertInstanceOf(Router.WrongMethod.class, router.match("DELETE", path("/api/v1/users/me")));
        assertEquals(Set.of("GET", "PATCH"), w.allowed());
        assertEquals(Map.of("id", "a b/c"), ((Router.Found) router.match("POST", List.of("api", "v1", "meetings", "a b/c", "join"))).params());
    }

    @Test
    void unknownPathsAndEmptyParametersDoNotMatch() {
        assertInstanceOf(Router.NoRoute.class, router.match("GET", path("/api/v1/users")));
        assertInstanceOf(Router.NoRoute.class, router.match("POST", path("/api/v1/meetings//join")));
        assertInstanceOf(Router.NoRoute.class, router.match("GET", path("/api/v1/users/me/extra")));
        assertInstanceOf(Router.NoRoute.class, router.match("GET", path("/api/v1/users/me/")));
    }

    @Test
    void duplicateRoutesAreAProgrammingError() {
        assertThrows(IllegalArgumentException.class, () -> router.add("GET", "/api/v1/users/me", r -> null));
        assertThrows(IllegalArgumentException.class, () -> router.add("GET", "no-slash", r -> null));
    }
}

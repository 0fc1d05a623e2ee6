package dev.parley.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI document and the router's route table describe exactly the same API. */
class OpenApiDocumentTest {
    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    @Test
    void documentAndRouteTableMatchBothWays() {
        ApiFixture api = ApiFixture.shared("h2");
        ApiFixture.Res served = api.get(OpenApiDocument.PATH, null);
        assertEquals(200, served.status());
        assertTrue(served.contentType().startsWith("application/json"), served.contentType());
        JsonNode doc = served.json();
        assertEquals("3.1.0", doc.path("openapi").asText());
        String base = doc.path("servers").get(0).path("url").asText();
        assertEquals(ApiHandler.PREFIX, base);

        Set<String> documented = new TreeSet<>();
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
            if (path.getValue().has("servers")) {
                // Served outside the REST API at a root of its own (WHIP and WHEP): not in the route table.
                assertEquals("/", path.getValue().path("servers").get(0).path("url").asText(), path.getKey());
                return;
            }
            if (METHODS.contains(m.getKey())) {
                documented.add(m.getKey().toUpperCase(Locale.ROOT) + " " + base + path.getKey());
            }
        }));
        Set<String> routed = new TreeSet<>();
        for (Router.Route r : api.plane.routes()) {
            routed.add(r.method() + " " + r.template());
        }
        Set<String> undocumented = new TreeSet<>(routed);
        undocumented.removeAll(documented);
        Set<String> unrouted = new TreeSet<>(documented);
        unrouted.removeAll(routed);
        assertTrue(undocumented.isEmpty(), "routes missing from openapi.json: " + undocumented);
        assertTrue(unrouted.isEmpty(), "documented but not routed: " + unrouted);
    }

    @Test
    void everyReferenceResolvesAndEveryOperationDocumentsItsAnswers() {
        JsonNode doc = JsonCodec.parse(OpenApiDocument.bytes());
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertTrue(!refs.isEmpty());
        for (String ref : refs) {
            assertTrue(ref.startsWith("#/components/schemas/"), ref);
            String name = ref.substring("#/components/schemas/".length());
            assertTrue(doc.path("components").path("schemas").has(name), "unresolved " + ref);
        }
        doc.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(m -> {
            if (!METHODS.contains(m.getKey())) {
                return; // path-level fields such as servers
            }
            assertTrue(m.getValue().path("summary").isTextual(), path.getKey() + " " + m.getKey() + " has no summary");
            assertTrue(m.getValue().path("responses").size() > 0, path.getKey() + " " + m.getKey() + " has no responses");
            // Path parameters named in the template are declared.
            for (String segment : path.getKey().split("/")) {
                if (segment.startsWith("{")) {
                    String name = segment.substring(1, segment.length() - 1);
                    assertTrue(m.getValue().path("parameters").findValuesAsText("name").contains(name),
                            path.getKey() + " " + m.getKey() + " does not declare " + name);
                }
            }
        }));
    }

    @Test
    void problemTypesInTheDocumentExist() {
        String text = new String(OpenApiDocument.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("`([a-z-]+)`").matcher(text);
        Set<String> slugs = new TreeSet<>();
        for (ProblemType t : ProblemType.values()) {
            slugs.add(t.slug);
        }
        while (m.find()) {
            assertTrue(slugs.contains(m.group(1)), "openapi.json names unknown problem type " + m.group(1));
        }
    }

    private static void collectRefs(JsonNode node, List<String> out) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if (e.getKey().equals("$ref")) {
                    out.add(e.getValue().asText());
                } else {
                    collectRefs(e.getValue(), out);
                }
            });
        } else if (node.isArray()) {
            node.forEach(n -> collectRefs(n, out));
        }
    }
}

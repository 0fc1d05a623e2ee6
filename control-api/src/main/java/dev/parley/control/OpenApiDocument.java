package dev.parley.control;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Serves the hand-written OpenAPI 3.1 document ({@code openapi.json} on the classpath) as is. */
final class OpenApiDocument {
    static final String RESOURCE = "/dev/parley/control/openapi.json";
    static final String PATH = "/api/v1/openapi.json";

    private OpenApiDocument() {}

    static byte[] bytes() {
        try (InputStream in = OpenApiDocument.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document " + RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void register(Router router) {
        byte[] doc = bytes();
        router.add("GET", PATH, req -> ApiResponse.ok(new ApiHandler.RawJson(doc)));
    }
}

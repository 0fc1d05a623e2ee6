package dev.parley.control;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jdbi.v3.core.JdbiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jetty core handler for {@code /api/v1/**}: enforces body size and media type, dispatches through the
 * {@link Router}, and writes JSON answers or RFC 9457 problems. Paths outside {@code /api/v1} are declined
 * (returns false) so the server can chain other handlers.
 */
final class ApiHandler extends Handler.Abstract {
    static final String PREFIX = "/api/v1";
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final Router router;
    private final int maxBodyBytes;

    ApiHandler(Router router, int maxBodyBytes) {
        this.router = router;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String rawPath = request.getHttpURI().getPath();
        if (rawPath == null || !(rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/"))) {
            return false;
        }
        ApiResponse answer;
        try {
            answer = dispatch(request, rawPath);
        } catch (ApiProblem p) {
            answer = problem(p);
        } catch (JdbiException e) {
            answer = problem(fromDatabase(e));
        } catch (Exception | StackOverflowError e) {
            LOG.error("unexpected error on {} {}", request.getMethod(), rawPath, e);
            answer = problem(new ApiProblem(ProblemType.INTERNAL, "an unexpected error happened; it has been logged"));
        }
        write(response, callback, answer);
        return true;
    }

    private ApiResponse dispatch(Request request, String rawPath) throws Exception {
        List<String> segments = decodeSegments(rawPath);
        String method = request.getMethod();
        Router.Found found = switch (router.match(method, segments)) {
            case Router.Found f -> f;
            case Router.NoRoute n -> throw new ApiProblem(ProblemType.NOT_FOUND, "no API route " + method + " " + TextRules.printable(rawPath));
            case Router.WrongMethod w -> throw new ApiProblem(ProblemType.METHOD_NOT_ALLOWED,
                    method + " is not allowed here; allowed: " + String.join(", ", w.allowed()),
                    List.of(), Map.of("Allow", String.join(", ", w.allowed())));
        };
        Map<String, List<String>> query = query(request);
        byte[] body;
        if (found.route().handler() instanceof Upload upload) {
            // Who may upload is decided from the headers, before a large body is read.
            upload.before().accept(request(request, rawPath, found, query, new byte[0]));
            body = readUpload(request, upload);
        } else {
            body = readBody(request);
        }
        return found.route().handler().handle(request(request, rawPath, found, query, body));
    }

    private static ApiRequest request(Request request, String rawPath, Router.Found found,
                                      Map<String, List<String>> query, byte[] body) {
        return new ApiRequest(request.getMethod(), rawPath, found.params(), query, body,
                request.getHeaders().get(HttpHeader.AUTHORIZATION), clientAddress(request),
                request.getHeaders().get(HttpHeader.CONTENT_TYPE), request.getHeaders().get(HttpHeader.ACCEPT));
    }

    private static Map<String, List<String>> query(Request request) {
        try {
            Map<String, List<String>> query = new LinkedHashMap<>();
            Request.extractQueryParameters(request, StandardCharsets.UTF_8).toStringArrayMap()
                    .forEach((name, values) -> query.put(name, List.of(values)));
            return query;
        } catch (RuntimeException malformed) {
            throw new ApiProblem(ProblemType.VALIDATION, "the query string is not valid percent-encoded UTF-8");
        }
    }

    private byte[] readBody(Request request) throws IOException {
        long declared = request.getLength();
        long drainLimit = 4L * maxBodyBytes;
        if (declared > drainLimit) {
            // Far too large to be worth reading: answer now and drop the connection.
            throw new ApiProblem(ProblemType.PAYLOAD_TOO_LARGE, "request bodies are limited to " + maxBodyBytes + " bytes",
                    List.of(), Map.of("Connection", "close"));
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                // Read (and discard) a moderately oversized rest, so the client is still listening for our 413.
                long skipped = 0;
                while (skipped < drainLimit && in.read() >= 0) {
                    skipped += 1 + in.skip(drainLimit - skipped);
                }
                throw tooLarge();
            }
        }
        if (body.length > 0 && !isJson(request.getHeaders().get(HttpHeader.CONTENT_TYPE))) {
            throw new ApiProblem(ProblemType.UNSUPPORTED_MEDIA_TYPE,
                    "send the body with Content-Type: application/json (got " + describe(request.getHeaders().get(HttpHeader.CONTENT_TYPE)) + ")");
        }
        return body;
    }

    /**
     * A route that takes a file upload instead of JSON: bodies of one of {@code mediaTypes} (compared without
     * parameters), up to {@code maxBytes}, refused with 415 before reading and 413 as soon as the cap is passed.
     * {@code before} sees the request without its body first, and refuses (throws an {@link ApiProblem}) callers
     * that may not upload, so that their bodies are never read.
     */
    record Upload(int maxBytes, java.util.Set<String> mediaTypes, java.util.function.Consumer<ApiRequest> before,
                  Router.RouteHandler handler) implements Router.RouteHandler {
        @Override
        public ApiResponse handle(ApiRequest request) throws Exception {
            return handler.handle(request);
        }
    }

    private static byte[] readUpload(Request request, Upload upload) throws IOException {
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        String mime = contentType == null ? null : contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (mime == null || !upload.mediaTypes().contains(mime)) {
            throw new ApiProblem(ProblemType.NOT_AUDIO, "send the file with one of the Content-Types "
                    + String.join(", ", new java.util.TreeSet<>(upload.mediaTypes())) + " (got " + describe(contentType) + ")");
        }
        ApiProblem tooLarge = new ApiProblem(ProblemType.PAYLOAD_TOO_LARGE, "uploads are limited to " + upload.maxBytes()
                + " bytes", List.of(), Map.of("Connection", "close"));
        // A body up to this size is read to its end before the 413, declared or not: a client still sending when
        // the connection closes can see a reset instead of our answer. Anything larger is refused unread.
        long drainLimit = 4L * upload.maxBytes();
        if (request.getLength() > drainLimit) {
            throw tooLarge;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            // Never more than the cap (plus one byte to notice) is held, whatever the client declared.
            byte[] body = in.readNBytes(upload.maxBytes() + 1);
            if (body.length > upload.maxBytes()) {
                long skipped = body.length;
                while (skipped < drainLimit && in.read() >= 0) {
                    skipped += 1 + in.skip(drainLimit - skipped - 1);
                }
                throw tooLarge;
            }
            return body;
        }
    }

    private ApiProblem tooLarge() {
        return new ApiProblem(ProblemType.PAYLOAD_TOO_LARGE, "request bodies are limited to " + maxBodyBytes + " bytes");
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }

    private static String describe(String contentType) {
        return contentType == null ? "no Content-Type" : TextRules.printable(contentType);
    }

    private static List<String> decodeSegments(String rawPath) {
        String[] parts = rawPath.substring(1).split("/", -1);
        List<String> segments = new ArrayList<>(parts.length);
        for (String part : parts) {
            try {
                segments.add(URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new ApiProblem(ProblemType.NOT_FOUND, "the path has a malformed percent-escape");
            }
        }
        return segments;
    }

    private static String clientAddress(Request request) {
        SocketAddress remote = request.getConnectionMetaData().getRemoteSocketAddress();
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
        }
        return String.valueOf(remote);
    }

    private static ApiProblem fromDatabase(JdbiException e) {
        // Unique constraint races (two requests inserting the same email at once) surface here.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState())) {
                return new ApiProblem(ProblemType.CONFLICT, "the change conflicts with a concurrent change; retry");
            }
        }
        LOG.error("database error", e);
        return new ApiProblem(ProblemType.INTERNAL, "a database error happened; it has been logged");
    }

    static ApiResponse problem(ApiProblem p) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", p.type.uri().toString());
        body.put("title", p.type.title);
        body.put("status", p.type.status);
        body.put("detail", p.detail);
        if (!p.errors.isEmpty()) {
            body.put("errors", p.errors);
        }
        return new ApiResponse(p.type.status, new ProblemBody(body), p.headers);
    }

    /** Marks a body as a problem so it is sent as application/problem+json. */
    record ProblemBody(Map<String, Object> fields) {}

    private static void write(Response response, Callback callback, ApiResponse answer) {
        response.setStatus(answer.status());
        for (Map.Entry<String, String> h : answer.headers().entrySet()) {
            response.getHeaders().put(h.getKey(), h.getValue());
        }
        response.getHeaders().put(new HttpField(HttpHeader.CACHE_CONTROL, "no-store"));
        Object body = answer.body();
        if (body == null) {
            callback.succeeded();
            return;
        }
        if (body instanceof FileBody file) {
            sendFile(response, callback, file);
            return;
        }
        byte[] bytes;
        String type;
        if (body instanceof ProblemBody problem) {
            bytes = JsonCodec.write(problem.fields());
            type = "application/problem+json";
        } else if (body instanceof TextBody text) {
            bytes = text.text().getBytes(StandardCharsets.UTF_8);
            type = text.contentType();
        } else if (body instanceof RawJson raw) {
            bytes = raw.bytes();
            type = "application/json";
        } else {
            bytes = JsonCodec.write(body);
            type = "application/json";
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }

    /** A file on this server's disk, sent as is (a recording in the local store). */
    record FileBody(java.nio.file.Path path, long size, String contentType) {}

    /** Streams the file with blocking writes (the API handler runs on a pool thread, never on a media thread). */
    private static void sendFile(Response response, Callback callback, FileBody file) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, file.contentType());
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, file.size());
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file.path());
             java.io.OutputStream out = org.eclipse.jetty.io.Content.Sink.asOutputStream(response)) {
            in.transferTo(out);
            callback.succeeded();
        } catch (java.io.IOException e) {
            callback.failed(e);
        }
    }

    /** A text body of another type than JSON (a WebVTT or SRT transcript), sent as UTF-8. */
    record TextBody(String text, String contentType) {}

    /** A body that is already JSON bytes (the OpenAPI document), sent as is. */
    record RawJson(byte[] bytes) {}
}

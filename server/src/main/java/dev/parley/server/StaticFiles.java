package dev.parley.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Serves the browser client from the jar's {@code web/} folder: {@code /} is the home page,
 * {@code /meet/<room>} the meeting page for any room, {@code /watch/<room>} the WHEP viewer page, everything else by its path.
 */
final class StaticFiles extends Handler.Abstract.NonBlocking {
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "json", "application/json",
            "md", "text/markdown; charset=utf-8");

    private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws IOException {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            return false;
        }
        String path = Request.getPathInContext(request);
        String file;
        if (path.equals("/") || path.equals("/index.html")) {
            file = "index.html";
        } else if (path.startsWith("/meet/") && path.indexOf('/', 6) < 0 && path.length() > 6) {
            file = "meet.html";
        } else if (path.startsWith("/watch/") && path.indexOf('/', 7) < 0 && path.length() > 7) {
            file = "watch.html";
        } else if (path.matches("/[A-Za-z0-9_\\-/]+\\.[a-z]+") && !path.contains("//")) {
            file = path.substring(1);
        } else {
            return false;
        }
        byte[] body = load(file);
        if (body == null) {
            return false;
        }
        String ext = file.substring(file.lastIndexOf('.') + 1);
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, TYPES.getOrDefault(ext, "application/octet-stream"));
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.write(true, HttpMethod.HEAD.is(method) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        return true;
    }

    private byte[] load(String file) throws IOException {
        byte[] cached = cache.get(file);
        if (cached != null) {
            return cached;
        }
        try (InputStream in = StaticFiles.class.getClassLoader().getResourceAsStream("web/" + file)) {
            if (in == null) {
                return null;
            }
            byte[] body = in.readAllBytes();
            cache.put(file, body);
            return body;
        }
    }
}

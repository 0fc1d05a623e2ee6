package dev.parley.server;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Puts the browser security headers on every response: the pages load only Parley's own scripts, styles and
 * connections, cannot be framed (the meeting page holds the camera), and never leak room names in a
 * Referer.
 */
final class SecurityHeaders extends Handler.Wrapper {
    /**
     * What the web client needs: its own scripts, styles and images (the favicon is {@code data:,}), camera
     * streams ({@code mediastream:}, {@code blob:}), fetch and the signaling WebSocket to its own origin
     * ({@code 'self'} covers ws:/wss: of the same host in CSP 3). No inline code, no plugins, no framing.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; "
            + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private final java.util.function.Supplier<java.util.List<String>> peers;

    SecurityHeaders(Handler next) {
        this(next, java.util.List::of);
    }

    /**
     * @param peers the origins ({@code https://host[:port]}) of the other nodes, whose signaling the web client
     *              may be sent to ({@code wrong_node}): they join {@code connect-src}, with their ws: or wss: twin
     */
    SecurityHeaders(Handler next, java.util.function.Supplier<java.util.List<String>> peers) {
        super(next);
        this.peers = peers;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        apply(response.getHeaders());
        java.util.List<String> others = peers.get();
        if (!others.isEmpty()) {
            response.getHeaders().put("Content-Security-Policy", policyWith(others));
        }
        return super.handle(request, response, callback);
    }

    /** The policy with each peer origin, and its WebSocket twin, allowed in {@code connect-src}. */
    static String policyWith(java.util.List<String> peerOrigins) {
        StringBuilder sources = new StringBuilder("connect-src 'self'");
        for (String origin : peerOrigins) {
            if (origin.matches("https?://[A-Za-z0-9.:\\[\\]-]+")) {
                sources.append(' ').append(origin).append(' ')
                        .append(origin.startsWith("https:") ? "wss:" + origin.substring(6) : "ws:" + origin.substring(5));
            }
        }
        return CONTENT_SECURITY_POLICY.replace("connect-src 'self'", sources);
    }

    static void apply(HttpFields.Mutable headers) {
        headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        headers.put("X-Frame-Options", "DENY");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self), geolocation=()");
    }
}

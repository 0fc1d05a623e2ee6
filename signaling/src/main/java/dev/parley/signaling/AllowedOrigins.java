package dev.parley.signaling;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which web pages may open a signaling WebSocket. A browser always sends {@code Origin} on a WebSocket
 * upgrade and attaches the user's cookies and network position to it whatever page asked, so a foreign page
 * must not get a session: only this server's own origin (the {@code Host} it was reached by, or its public
 * URL) and origins the operator listed are let through. A request without {@code Origin} is not from a
 * browser page (a native app, a bot, a load generator) and cannot be a cross-site request; it is allowed.
 */
public final class AllowedOrigins {
    private static final Pattern ORIGIN = Pattern.compile("(https?)://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?",
            Pattern.CASE_INSENSITIVE);

    private final Set<String> listed;
    private final java.util.function.Supplier<? extends java.util.Collection<String>> changing;

    private AllowedOrigins(Set<String> listed) {
        this(listed, List::of);
    }

    private AllowedOrigins(Set<String> listed, java.util.function.Supplier<? extends java.util.Collection<String>> changing) {
        this.listed = listed;
        this.changing = changing;
    }

    /**
     * These origins and, asked at each upgrade, those {@code more} gives: the other nodes of a multi-node
     * deployment, whose pages send participants here (entries that are not origins are ignored).
     */
    public AllowedOrigins andAlso(java.util.function.Supplier<? extends java.util.Collection<String>> more) {
        java.util.Objects.requireNonNull(more, "more");
        return new AllowedOrigins(listed, more);
    }

    /**
     * @param origins origins allowed besides the server's own, such as {@code https://app.example.org} (the public
     *                URL's origin belongs here too when the server sits behind a proxy that rewrites {@code Host})
     * @throws IllegalArgumentException for an entry that is not a {@code scheme://host[:port]} origin
     */
    public static AllowedOrigins of(List<String> origins) {
        Set<String> set = new HashSet<>();
        for (String o : origins) {
            Origin parsed = Origin.parse(o);
            if (parsed == null) {
                throw new IllegalArgumentException("'" + o + "' is not an origin like https://app.example.org[:port]");
            }
            set.add(parsed.canonical());
        }
        return new AllowedOrigins(Set.copyOf(set));
    }

    /** Only the server's own origin. */
    public static AllowedOrigins sameOriginOnly() {
        return new AllowedOrigins(Set.of());
    }

    /**
     * @param origin the request's {@code Origin} header, null when absent
     * @param host the host the request was addressed to ({@code Host}), null when absent
     * @param port the port in {@code Host}, or -1 when it names none
     */
    boolean permits(String origin, String host, int port) {
        if (origin == null) {
            return true;
        }
        Origin o = Origin.parse(origin.trim());
        if (o == null) {
            return false; // "null" (sandboxed frames, file: pages) or garbage
        }
        if (listed.contains(o.canonical())) {
            return true;
        }
        for (String other : changing.get()) {
            Origin parsed = Origin.parse(other);
            if (parsed != null && parsed.canonical().equals(o.canonical())) {
                return true;
            }
        }
        if (host == null) {
            return false;
        }
        // Host and port are compared, not the scheme: behind a TLS proxy the page is https and Parley sees http.
        int hostPort = port > 0 ? port : o.defaultPort();
        return o.host().equalsIgnoreCase(host) && o.port() == hostPort;
    }

    private record Origin(String scheme, String host, int port) {
        static Origin parse(String text) {
            Matcher m = ORIGIN.matcher(text);
            if (!m.matches()) {
                return null;
            }
            String scheme = m.group(1).toLowerCase(Locale.ROOT);
            int defaultPort = scheme.equals("https") ? 443 : 80;
            int port = m.group(3) == null ? defaultPort : Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                return null;
            }
            return new Origin(scheme, m.group(2).toLowerCase(Locale.ROOT), port);
        }

        int defaultPort() {
            return scheme.equals("https") ? 443 : 80;
        }

        String canonical() {
            return scheme + "://" + host + ":" + port;
        }
    }
}

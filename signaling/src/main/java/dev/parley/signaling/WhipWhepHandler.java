package dev.parley.signaling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.parley.sfu.LeaveReason;
import dev.parley.sfu.Participant;
import dev.parley.sfu.RoomFullException;
import dev.parley.sfu.TooManyTracksException;
import dev.parley.sfu.Viewer;
import dev.parley.sfu.sdp.IceFragment;
import dev.parley.sfu.sdp.IceParameters;
import dev.parley.sfu.sdp.SdpException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * WHIP ingest (RFC 9725) at {@code /whip/{room}} and WHEP playback (draft-ietf-wish-whep) at {@code /whep/{room}}:
 * POST an SDP offer to start a session, PATCH its URL with a trickle-ICE fragment, DELETE it to stop. Errors are
 * RFC 9457 problem+json. CORS is open to any origin: the bearer token, not a cookie, is the credential.
 */
final class WhipWhepHandler extends Handler.Wrapper {
    private static final Logger log = LoggerFactory.getLogger(WhipWhepHandler.class);
    private static final Pattern PATH = Pattern.compile("/(whip|whep)/([A-Za-z0-9_\\-.]{1,128})(?:/([A-Za-z0-9_\\-]{1,64}))?");
    /** Largest SDP offer accepted. */
    static final int MAX_OFFER_BYTES = 64 * 1024;
    private static final String SDP = "application/sdp";
    private static final String SDPFRAG = "application/trickle-ice-sdpfrag";
    private static final String EXPOSED = "Location, ETag, Link, Accept-Patch, Accept-Post";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SignalingService service;
    private final HttpMediaSessions sessions;
    private final SignalingLimits limits;

    WhipWhepHandler(SignalingService service, HttpMediaSessions sessions, SignalingLimits limits, Handler next) {
        super(next);
        this.service = service;
        this.sessions = sessions;
        this.limits = limits;
    }

    /** A refusal with its HTTP status, problem slug and detail. */
    private static final class Problem extends Exception {
        final int status;
        final String slug;
        final String title;

        Problem(int status, String slug, String title, String detail) {
            super(detail, null, false, false);
            this.status = status;
            this.slug = slug;
            this.title = title;
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.startsWith("/whip/") && !path.startsWith("/whep/")) {
            return super.handle(request, response, callback);
        }
        Matcher m = PATH.matcher(path);
        cors(response);
        try {
            if (!m.matches()) {
                throw new Problem(404, "not-found", "Not found", "no WHIP or WHEP resource at " + path);
            }
            boolean whip = m.group(1).equals("whip");
            String room = m.group(2);
            String sessionId = m.group(3);
            String method = request.getMethod().toUpperCase(Locale.ROOT);
            if (method.equals("OPTIONS")) {
                options(response, sessionId == null);
                response.setStatus(204);
                callback.succeeded();
                return true;
            }
            if (sessionId == null) {
                if (!method.equals("POST")) {
                    response.getHeaders().put(HttpHeader.ALLOW, "POST, OPTIONS");
                    throw new Problem(405, "method-not-allowed", "Method not allowed", method + " is not allowed here; POST an SDP offer");
                }
                if (whip) {
                    startIngest(request, response, callback, room);
                } else {
                    startViewer(request, response, callback, room);
                }
                return true;
            }
            switch (method) {
                case "PATCH" -> patch(request, response, callback, whip, room, sessionId);
                case "DELETE" -> delete(response, callback, whip, room, sessionId);
                default -> {
                    response.getHeaders().put(HttpHeader.ALLOW, "PATCH, DELETE, OPTIONS");
                    throw new Problem(405, "method-not-allowed", "Method not allowed",
                            method + " is not allowed on a session; PATCH a trickle-ICE fragment or DELETE it");
                }
            }
        } catch (Problem p) {
            writeProblem(response, callback, p);
        }
        return true;
    }

    // --- WHIP ---

    private void startIngest(Request request, Response response, Callback callback, String room) throws Problem {
        String offer = readOffer(request);
        JoinPermit permit = authorize(request, room, displayName(request, "WHIP ingest"));
        if (!permit.canPublish()) {
            throw new Problem(403, "forbidden", "Not allowed", "the token does not allow publishing (canPublish)");
        }
        if (permit.waitsInLobby() && !permit.host()) {
            throw new Problem(403, "forbidden", "Not allowed",
                    "this meeting has a lobby and WHIP cannot wait in it; use a host's join token, or turn the lobby off");
        }
        String address = ClientAddress.of(request, limits.trustedProxies());
        openConnection(address);
        IngestSession s = new IngestSession(sessions, newId(), room, permit, newEtag(), address);
        sessions.add(s);
        boolean started = false;
        try {
            String closed = service.closedReason(room);
            if (closed != null) {
                throw new Problem(409, "meeting-ended", "The meeting has ended", "the meeting has ended (" + closed + ")");
            }
            if (!service.seats().take(room, s, permit)) {
                throw new Problem(409, "meeting-full", "The meeting is full",
                        "the meeting has reached its limit of " + permit.maxParticipants() + " participants");
            }
            if (service.barred(room, permit.identity())) {
                throw new Problem(403, "forbidden", "Not allowed", "a host removed this identity from the meeting");
            }
            Participant p = await(service.sfu().join(room, permit.name(), s));
            String answer;
            try {
                answer = await(p.publish(offer));
            } catch (Problem e) {
                p.leave(LeaveReason.LEFT);
                throw e;
            }
            if (s.ended()) {
                throw new Problem(409, "conflict", "Session ended", "the session was ended while it started");
            }
            s.announce();
            started = true;
            created(response, callback, "/whip/" + room + "/" + s.id, s.etag, answer, permit);
        } finally {
            if (!started) {
                s.end(LeaveReason.LEFT, LeaveReason.LEFT.wireName());
                sessions.release(s);
            }
        }
    }

    // --- WHEP ---

    private void startViewer(Request request, Response response, Callback callback, String room) throws Problem {
        String offer = readOffer(request);
        JoinPermit permit = authorize(request, room, displayName(request, "WHEP viewer"));
        if (!permit.canSubscribe()) {
            throw new Problem(403, "forbidden", "Not allowed", "the token does not allow receiving media (canSubscribe)");
        }
        if (permit.waitsInLobby() && !permit.host()) {
            throw new Problem(403, "forbidden", "Not allowed", "this meeting has a lobby; viewers need a host's join token");
        }
        String closed = service.closedReason(room);
        if (closed != null) {
            throw new Problem(409, "meeting-ended", "The meeting has ended", "the meeting has ended (" + closed + ")");
        }
        if (service.barred(room, permit.identity())) {
            throw new Problem(403, "forbidden", "Not allowed", "a host removed this identity from the meeting");
        }
        String address = ClientAddress.of(request, limits.trustedProxies());
        openConnection(address);
        ViewerSession s = new ViewerSession(newId(), room, permit, newEtag(), address);
        sessions.add(s);
        boolean started = false;
        try {
            Viewer v = await(service.sfu().watch(room, offer, reason -> sessions.end(s)));
            s.viewer = v;
            if (s.ended()) {
                v.close(); // the meeting ended (or the viewer timed out) while this POST waited: end() saw no viewer yet
                throw new Problem(409, "meeting-ended", "The meeting has ended", "the session ended while it started");
            }
            started = true;
            created(response, callback, "/whep/" + room + "/" + s.id, s.etag, v.answer(), permit);
        } finally {
            if (!started) {
                sessions.end(s);
            }
        }
    }

    // --- session resources ---

    private void patch(Request request, Response response, Callback callback, boolean whip, String room, String id)
            throws Problem {
        String etag;
        IceParameters remote;
        if (whip) {
            IngestSession s = sessions.ingest(id);
            if (s == null || !s.room().equals(room) || s.participant() == null) {
                throw unknown(id);
            }
            etag = s.etag;
            remote = null;
        } else {
            ViewerSession s = sessions.viewer(id);
            if (s == null || !s.room.equals(room) || s.viewer == null) {
                throw unknown(id);
            }
            etag = s.etag;
            remote = s.viewer.remote();
        }
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(SDPFRAG)) {
            response.getHeaders().put("Accept-Patch", SDPFRAG);
            throw new Problem(415, "unsupported-media-type", "Unsupported media type",
                    "PATCH a session with Content-Type " + SDPFRAG);
        }
        String ifMatch = request.getHeaders().get(HttpHeader.IF_MATCH);
        if (ifMatch != null && !ifMatch.trim().equals("*") && !ifMatch.trim().equals(etag)) {
            throw new Problem(412, "precondition-failed", "Precondition failed",
                    "If-Match does not match the session's ETag (the ICE session changed)");
        }
        IceFragment fragment;
        try {
            fragment = IceFragment.parse(readBody(request, IceFragment.MAX_LENGTH));
        } catch (SdpException e) {
            throw new Problem(400, "bad-request", "The request is malformed", "invalid trickle-ICE fragment: " + e.getMessage());
        }
        String knownUfrag = whip ? ingestUfrag(id) : remote == null ? null : remote.ufrag();
        if (fragment.restartsIce(knownUfrag) || (ifMatch != null && ifMatch.trim().equals("*"))) {
            throw new Problem(422, "unprocessable", "ICE restart is not supported",
                    "Parley does not restart ICE on a WHIP/WHEP session yet; DELETE it and POST a new offer");
        }
        // Parley is ICE-lite: it learns the client's addresses from its connectivity checks, so candidates need no action.
        response.setStatus(204);
        response.getHeaders().put(HttpHeader.ETAG, etag);
        callback.succeeded();
    }

    private String ingestUfrag(String id) {
        IngestSession s = sessions.ingest(id);
        Participant p = s == null ? null : s.participant();
        return p == null ? null : p.publisherUfrag();
    }

    private void delete(Response response, Callback callback, boolean whip, String room, String id) throws Problem {
        if (whip) {
            IngestSession s = sessions.ingest(id);
            if (s == null || !s.room().equals(room) || !s.end(LeaveReason.LEFT, LeaveReason.LEFT.wireName())) {
                throw unknown(id);
            }
        } else {
            ViewerSession s = sessions.viewer(id);
            if (s == null || !s.room.equals(room) || !sessions.end(s)) {
                throw unknown(id);
            }
        }
        response.setStatus(200);
        callback.succeeded();
    }

    // --- helpers ---

    private JoinPermit authorize(Request request, String room, String defaultName) throws Problem {
        String auth = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String token = null;
        if (auth != null) {
            if (!auth.regionMatches(true, 0, "Bearer ", 0, 7) || auth.length() <= 7) {
                throw new Problem(401, "unauthorized", "Authentication is required", "use Authorization: Bearer <join token>");
            }
            token = auth.substring(7).trim();
        }
        if (service.shuttingDown()) {
            throw new Problem(503, "unavailable", "Shutting down", "the server is shutting down; try again once it is back");
        }
        try {
            return service.authorizer().authorize(room, defaultName, token);
        } catch (JoinAuthorizer.JoinRefusedException e) {
            // The same problem types the REST API uses for the same refusals.
            throw switch (e.code()) {
                case "meeting_ended" -> new Problem(409, "meeting-ended", "The meeting has ended", e.getMessage());
                case "account_disabled", "account_deleted" -> new Problem(403, "account-disabled", "The account is disabled", e.getMessage());
                case "guests_not_allowed" -> new Problem(403, "guests-not-allowed", "This meeting does not admit guests", e.getMessage());
                case "password_required" -> new Problem(403, "wrong-meeting-password", "The meeting password is missing or wrong", e.getMessage());
                default -> new Problem(401, "unauthorized", "Authentication is required", e.getMessage());
            };
        }
    }

    /** The {@code name} query parameter (what others see), trimmed to 64 printable characters; else the default. */
    private static String displayName(Request request, String fallback) {
        String name = null;
        try {
            name = Request.extractQueryParameters(request).getValue("name");
        } catch (RuntimeException malformed) {
            // a malformed query gets the default name
        }
        if (name == null) {
            return fallback;
        }
        name = name.replaceAll("\\p{Cntrl}", "").strip();
        if (name.length() > 64) {
            name = name.substring(0, 64);
        }
        return name.isEmpty() ? fallback : name;
    }

    private void openConnection(String address) throws Problem {
        if (!service.openConnection()) {
            throw new Problem(503, "unavailable", "Too many connections", "the server has its limit of "
                    + service.maxConnections() + " connections open (max-connections); try again later");
        }
        if (!service.quota().openConnection(address)) {
            service.closeConnection();
            throw new Problem(429, "too-many-requests", "Too many connections",
                    "your address has too many connections open (max-connections-per-address)");
        }
    }

    private String readOffer(Request request) throws Problem {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(SDP)) {
            throw new Problem(415, "unsupported-media-type", "Unsupported media type", "POST the SDP offer with Content-Type " + SDP);
        }
        String offer = readBody(request, MAX_OFFER_BYTES);
        if (offer.isBlank()) {
            throw new Problem(400, "bad-request", "The request is malformed", "the body must be an SDP offer");
        }
        return offer;
    }

    private static String readBody(Request request, int max) throws Problem {
        try (InputStream in = Request.asInputStream(request)) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new Problem(413, "payload-too-large", "The request body is too large", "at most " + max + " bytes");
            }
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Problem(400, "bad-request", "The request is malformed", "the body could not be read");
        }
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws Problem {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Problem(503, "unavailable", "Interrupted", "the server is stopping");
        } catch (TimeoutException e) {
            throw new Problem(503, "unavailable", "Busy", "the media server did not answer in time");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            switch (cause) {
                case SdpException sdp -> throw new Problem(400, "bad-request", "The request is malformed",
                        "the SDP offer is unusable: " + sdp.getMessage());
                case RoomFullException full -> throw new Problem(409, "meeting-full", "The meeting is full", full.getMessage());
                case TooManyTracksException tracks -> throw new Problem(403, "forbidden", "Too many tracks", tracks.getMessage());
                default -> {
                    log.warn("WHIP/WHEP session failed", cause);
                    throw new Problem(500, "internal", "Internal server error", "the session could not be set up");
                }
            }
        }
    }

    private void created(Response response, Callback callback, String location, String etag, String answer, JoinPermit permit) {
        response.setStatus(201);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, SDP);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.ETAG, etag);
        response.getHeaders().put("Accept-Patch", SDPFRAG);
        for (String link : links(service.iceServersFor(permit))) {
            response.getHeaders().add(HttpHeader.LINK, link);
        }
        response.write(true, ByteBuffer.wrap(answer.getBytes(StandardCharsets.UTF_8)), callback);
    }

    /** The configured STUN/TURN servers as {@code Link: <url>; rel="ice-server"} values (RFC 9725 section 4.6). */
    static List<String> links(List<IceServer> servers) {
        List<String> out = new ArrayList<>();
        for (IceServer s : servers) {
            for (String url : s.urls()) {
                StringBuilder l = new StringBuilder("<").append(url).append(">; rel=\"ice-server\"");
                if (s.username() != null && s.credential() != null) {
                    l.append("; username=\"").append(quoted(s.username())).append("\"; credential=\"")
                            .append(quoted(s.credential())).append("\"; credential-type=\"password\"");
                }
                out.add(l.toString());
            }
        }
        return out;
    }

    private static String quoted(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void options(Response response, boolean endpoint) {
        response.getHeaders().put(HttpHeader.ALLOW, endpoint ? "POST, OPTIONS" : "PATCH, DELETE, OPTIONS");
        if (endpoint) {
            response.getHeaders().put("Accept-Post", SDP);
        } else {
            response.getHeaders().put("Accept-Patch", SDPFRAG);
        }
        response.getHeaders().put("Access-Control-Allow-Methods", endpoint ? "POST, OPTIONS" : "PATCH, DELETE, OPTIONS");
        response.getHeaders().put("Access-Control-Allow-Headers", "Authorization, Content-Type, If-Match");
        response.getHeaders().put("Access-Control-Max-Age", "86400");
    }

    private static void cors(Response response) {
        response.getHeaders().put("Access-Control-Allow-Origin", "*");
        response.getHeaders().put("Access-Control-Expose-Headers", EXPOSED);
    }

    private static Problem unknown(String id) {
        return new Problem(404, "not-found", "Not found", "no WHIP/WHEP session " + id + " (it ended, or never existed)");
    }

    private void writeProblem(Response response, Callback callback, Problem p) {
        ObjectNode body = service.json().createObjectNode();
        body.put("type", "https://parley.dev/problems/" + p.slug);
        body.put("title", p.title);
        body.put("status", p.status);
        body.put("detail", p.getMessage());
        response.setStatus(p.status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/problem+json");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.toString().getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static String newId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String newEtag() {
        byte[] b = new byte[9];
        RANDOM.nextBytes(b);
        return "\"" + Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "\"";
    }

}

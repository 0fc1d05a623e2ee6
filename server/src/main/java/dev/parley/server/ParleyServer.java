package dev.parley.server;

import dev.parley.sfu.SfuConfig;
import dev.parley.sfu.SfuServer;
import dev.parley.signaling.AllowedOrigins;
import dev.parley.signaling.SignalingService;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one Parley process: media server, signaling, web client and observability, wired from a {@link ServerConfig}. */
final class ParleyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ParleyServer.class);

    private final ServerConfig config;
    private SfuServer sfu;
    private Server http;
    private ControlStack control;
    private SignalingService signaling;
    private SfuRoomRecorder recorder;
    private NodeMembership membership;
    private dev.parley.ai.AiBridge aiBridge;
    private AiCaptioner captioner;
    private final AtomicBoolean closed = new AtomicBoolean();
    private int httpPort;
    private int metricsPort = -1;

    ParleyServer(ServerConfig config) {
        this.config = config;
    }

    void start() throws Exception {
        Files.createDirectories(config.dataDir());
        sfu = SfuServer.start(new SfuConfig(config.mediaBind(), config.mediaPort(), config.announcedAddresses(),
                config.consentTimeout(), config.maxParticipants(), config.limits().tracksPerParticipant(),
                config.limits().tracksPerRoom(), config.handshakeLimits())
                .withTransports(config.mediaPortRange(), config.iceTcp())
                .withSocketBuffers(config.mediaSocketBuffer())
                .withMediaThreads(config.mediaThreads())
                .withLastN(config.lastN()));
        sfu.setMaxPublishBitrate(config.maxPublishBitrate());
        http = new Server();
        http.setErrorHandler(new ProblemErrorHandler());
        ServerConnector connector = new ServerConnector(http, quietHttp());
        connector.setHost(config.httpBind().getHostAddress());
        connector.setPort(config.httpPort());
        http.addConnector(connector);
        try {
            connector.open(); // bound now, so the real port is known for the control plane's links
        } catch (Exception e) {
            sfu.close();
            throw new IllegalStateException("cannot listen on HTTP port " + config.httpPort() + " ("
                    + e.getMessage() + "); choose another with --http-port", e);
        }
        httpPort = connector.getLocalPort();
        ServerConnector metricsListener = null;
        if (config.metricsPort() != null) {
            metricsListener = new ServerConnector(http, quietHttp());
            metricsListener.setName("metrics");
            metricsListener.setHost(config.metricsBind().getHostAddress());
            metricsListener.setPort(config.metricsPort());
            http.addConnector(metricsListener);
            try {
                metricsListener.open();
            } catch (Exception e) {
                sfu.close();
                throw new IllegalStateException("cannot listen on metrics port " + config.metricsPort() + " ("
                        + e.getMessage() + "); choose another with --metrics-port", e);
            }
            metricsPort = metricsListener.getLocalPort();
        }
        String publicUrl = config.publicUrl() != null ? config.publicUrl() : url().substring(0, url().length() - 1);
        try {
            recorder = new SfuRoomRecorder(sfu, config.recording());
            dev.parley.control.SpeechAnalysis speech = dev.parley.control.SpeechAnalysis.NONE;
            if (config.ai().enabled()) {
                // Lazy: an unreachable Triton is not a start-up error, it pauses captions and shows in /api/v1/ai/health.
                captioner = new AiCaptioner(sfu, config.ai().allRooms());
                aiBridge = dev.parley.ai.AiBridge.start(config.ai().bridge(), captioner);
                captioner.bridge(aiBridge);
                speech = new BridgeSpeechAnalysis(aiBridge, config.ai().uploads(), config.ai().bridge().breakerOpen());
                log.info("AI captions through Triton at {} ({} rooms)", config.ai().bridge().endpoints(),
                        config.ai().allRooms() ? "all" : "meeting-chosen");
            }
            control = ControlStack.start(config, publicUrl, recorder, captioner, speech);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("the control plane did not start: " + e.getMessage(), e);
        }
        signaling = new SignalingService(sfu, control.authorizer(), control::iceServers,
                control.observer(), control.signalingLimits(config.limits()));
        control.attach(signaling);
        signaling.holdSeatsOnDisconnect(config.reconnectGrace());
        signaling.setSimulcast(config.simulcast());
        recorder.announceTo(signaling::recordingChanged);
        signaling.controlRecordingsWith(control.recordingControl());
        if (control.nodes() != null) {
            List<String> media = config.announcedAddresses().stream()
                    .map(a -> (a.getHostAddress().contains(":") ? "[" + a.getHostAddress() + "]" : a.getHostAddress())
                            + ":" + sfu.mediaPort())
                    .toList();
            membership = new NodeMembership(control.nodes(), control.plane().nodeId(), publicUrl, media, signaling,
                    config.nodes());
            try {
                membership.start();
            } catch (RuntimeException e) {
                close();
                throw new IllegalStateException("cannot report this node to Redis: " + e.getMessage(), e);
            }
            signaling.placeRoomsWith(membership);
            control.plane().placeRoomsWith(membership);
        }
        signaling.controlCaptionsWith(control.captionControl());
        MetricsToken metricsToken;
        try {
            metricsToken = MetricsToken.load(config);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException(e.getMessage(), e);
        }
        log.info("Prometheus metrics at /metrics on {} port {}, with Authorization: Bearer <{}>",
                metricsListener == null ? "the HTTP" : "the metrics", metricsListener == null ? httpPort : metricsPort,
                config.metricsToken() != null ? "the metrics-token setting" : config.dataDir().resolve(MetricsToken.FILE_NAME));
        Observability observability = new Observability(sfu, signaling, control, metricsToken,
                config.metricsUserLabels(), metricsListener, this::draining);
        if (aiBridge != null) {
            observability.registerAi(aiBridge.metrics(), captioner);
        }
        Handler api = new ForwardedClientAddress(control.plane().apiHandler(), Set.copyOf(config.limits().trustedProxies()));
        Handler.Sequence routes = new Handler.Sequence(observability, api, new StaticFiles());
        List<String> origins = new ArrayList<>(config.allowedOrigins());
        origins.add(originOf(publicUrl));
        NodeMembership nodes = membership;
        AllowedOrigins allowed = nodes == null ? AllowedOrigins.of(origins)
                : AllowedOrigins.of(origins).andAlso(nodes::peerOrigins);
        Handler publicRoutes = signaling.handler(http, routes, allowed);
        Handler listeners = metricsListener == null ? publicRoutes
                : new ListenerRoutes(metricsListener, observability, publicRoutes);
        http.setHandler(nodes == null ? new SecurityHeaders(listeners) : new SecurityHeaders(listeners, nodes::peerOrigins));
        http.setStopTimeout(2000);
        http.start();
    }

    /** Jetty without the {@code Server} and {@code X-Powered-By} headers: no version advertised to scanners. */
    private static HttpConnectionFactory quietHttp() {
        HttpConfiguration hc = new HttpConfiguration();
        hc.setSendServerVersion(false);
        hc.setSendXPoweredBy(false);
        return new HttpConnectionFactory(hc);
    }

    private static String originOf(String url) {
        URI u = URI.create(url);
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** The address users open in a browser. */
    String url() {
        String host = config.httpBind().isAnyLocalAddress() ? "localhost" : hostForUrl();
        return "http://" + host + ":" + httpPort + "/";
    }

    private String hostForUrl() {
        String h = config.httpBind().getHostAddress();
        return h.contains(":") ? "[" + h + "]" : h;
    }

    int httpPort() {
        return httpPort;
    }

    /** The metrics listener's port, or -1 when /metrics is on the HTTP port. */
    int metricsPort() {
        return metricsPort;
    }

    int mediaPort() {
        return sfu.mediaPort();
    }

    /** The media ports as an operator reads them: {@code udp/40000}, or {@code udp/40000-40100}, and {@code tcp/...}. */
    String mediaPorts() {
        String udp = sfu.mediaPortRange() != null ? "udp/" + sfu.mediaPortRange() : "udp/" + sfu.mediaPort();
        return sfu.iceTcpPort() < 0 ? udp : udp + ", ICE-TCP tcp/" + sfu.iceTcpPort();
    }

    /** The ICE-TCP port, or -1 when off. */
    int mediaTcpPort() {
        return sfu.iceTcpPort();
    }

    /** The control plane, for tests that play the AI bridge (its caption results). */
    dev.parley.control.ControlPlane controlPlane() {
        return control.plane();
    }

    /** The AI bridge, or null when AI is off. */
    dev.parley.ai.AiBridge aiBridge() {
        return aiBridge;
    }

    SfuServer sfu() {
        return sfu;
    }

    /**
     * Starts draining (with Redis only; a single node has nowhere else to send rooms): this node takes no new
     * rooms and {@code /health} answers 503, while the rooms it owns carry on. {@link #close()} then waits
     * up to {@code drain-grace} for them to empty.
     *
     * @return whether the node drains now
     */
    boolean drain() {
        if (membership == null) {
            return false;
        }
        membership.drain();
        return true;
    }

    boolean draining() {
        return membership != null && membership.draining();
    }

    /** With Redis and a drain grace: drains and waits until this node's rooms are empty or the grace is over. */
    private void finishCalls() {
        Duration grace = config.nodes().drainGrace();
        if (membership == null || grace.isZero()) {
            return;
        }
        drain();
        long deadline = System.nanoTime() + grace.toNanos();
        log.info("waiting up to {} s for the calls on this node to end", grace.toSeconds());
        // A poll, not a sleep standing in for a condition: the condition is checked four times a second.
        while (!membership.idle() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        log.info(membership.idle() ? "the calls on this node ended" : "drain grace over; closing the calls left");
    }

    /**
     * Shuts down in the order that loses nothing: first, with several nodes, drain (no new rooms; the calls
     * here may go on for up to {@code drain-grace}) and leave the node group; then stop accepting connections; tell every participant the
     * server is going ({@code left}, reason {@code server_shutdown}) and close their sockets, which queues
     * their departures; stop HTTP and media; then the control plane writes presence, ends live meetings,
     * keeps undelivered events and webhooks for the next start, and closes the database last.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return; // the shutdown hook and an explicit close may both call this
        }
        finishCalls();
        if (membership != null) {
            membership.close(); // owned rooms released: the people told to leave below rejoin on another node
        }
        log.info("shutting down: closing signaling sessions, then HTTP, media and the control plane");
        if (http != null) {
            for (Connector c : http.getConnectors()) {
                if (c instanceof NetworkConnector n) {
                    n.close(); // no new connections; open ones (the signaling sockets) carry on for now
                }
            }
        }
        if (signaling != null) {
            try {
                signaling.shutdown(Duration.ofSeconds(3));
            } catch (RuntimeException e) {
                log.warn("closing signaling sessions failed: {}", e.toString());
            }
        }
        try {
            if (http != null) {
                http.stop();
            }
        } catch (Exception e) {
            log.warn("stopping HTTP failed: {}", e.toString());
        }
        if (recorder != null) {
            recorder.stopRecordings(); // files finalized and in the spool while the rooms still exist
        }
        // Before the rooms go: the taps close, segments in flight are given up (their calls are bounded by the
        // deadline), and the last results reach the control plane while its database is still open.
        if (captioner != null) {
            captioner.close();
        }
        if (aiBridge != null) {
            aiBridge.close();
        }
        if (sfu != null) {
            sfu.close();
        }
        if (recorder != null) {
            recorder.close(); // uploads not finished stay in the spool for the next start
        }
        if (control != null) {
            control.close();
        }
        log.info("stopped");
    }

    InetSocketAddress mediaAddress() {
        return new InetSocketAddress(config.mediaBind(), sfu.mediaPort());
    }
}

package dev.parley.server;

import dev.parley.sfu.Room;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.StreamStats;
import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.dtls.HandshakeOutcome;
import dev.parley.sfu.media.DropReason;
import dev.parley.sfu.media.IceTcpOutcome;
import dev.parley.sfu.media.MediaCounters;
import dev.parley.signaling.ErrorCode;
import dev.parley.signaling.SignalingService;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * {@code /health} (JSON, public) and {@code /metrics} (Prometheus text format, for operators: it needs the
 * {@link MetricsToken} and, when a metrics listener is configured, is served only there).
 *
 * <p>Per-participant series are labelled with server-made ids only ({@code room} is an opaque id of the room
 * name), unless user labels are switched on: room and display names are chosen by users, a room name is a
 * meeting's invitation, and free text as label values would let users grow the series count at will. The
 * series are computed at scrape time from the live rooms, so a departed participant's series vanish.
 */
final class Observability extends Handler.Abstract {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SfuServer sfu;
    private final MetricsToken token;
    private final boolean userLabels;
    private final Connector metricsListener;
    private final RoomIds roomIds;
    private final java.util.function.BooleanSupplier draining;
    /** What the per-participant families of the scrape under way report; null between scrapes. */
    private volatile ParticipantSeries scrapeSeries;

    /**
     * @param userLabels also label per-participant series with room and display names
     * @param metricsListener the connector that alone serves {@code /metrics}, or null to serve it on every one
     */
    Observability(SfuServer sfu, SignalingService signaling, ControlStack control, MetricsToken token,
                  boolean userLabels, Connector metricsListener, java.util.function.BooleanSupplier draining) {
        this.draining = draining;
        this.sfu = sfu;
        this.token = token;
        this.userLabels = userLabels;
        this.metricsListener = metricsListener;
        this.roomIds = new RoomIds(token.idKey());
        MediaCounters c = sfu.counters();
        CounterWithCallback.builder().name("parley_media_packets_received_total")
                .help("Datagrams read from the media port")
                .callback(cb -> cb.call(c.receivedPackets())).register(registry);
        CounterWithCallback.builder().name("parley_media_packets_forwarded_total")
                .help("RTP packets sent to subscribers")
                .callback(cb -> cb.call(c.forwardedPackets())).register(registry);
        CounterWithCallback.builder().name("parley_media_packets_dropped_total")
                .help("Datagrams the media path dropped, by reason")
                .labelNames("reason")
                .callback(cb -> {
                    for (DropReason r : DropReason.values()) {
                        cb.call(c.droppedPackets(r), r.label());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("parley_media_nacks_received_total")
                .help("Sequence numbers subscribers asked Parley to resend, in NACKs")
                .callback(cb -> cb.call(c.nacksReceived())).register(registry);
        CounterWithCallback.builder().name("parley_media_retransmissions_sent_total")
                .help("Packets resent to subscribers from Parley's history (RTX, or on the media SSRC without it)")
                .callback(cb -> cb.call(c.retransmissionsSent())).register(registry);
        CounterWithCallback.builder().name("parley_media_nacks_sent_total")
                .help("Sequence numbers Parley asked publishers to resend, in NACKs, repeats included")
                .callback(cb -> cb.call(c.nacksSent())).register(registry);
        CounterWithCallback.builder().name("parley_media_retransmissions_received_total")
                .help("RTX packets with media that publishers sent")
                .callback(cb -> cb.call(c.retransmissionsReceived())).register(registry);
        CounterWithCallback.builder().name("parley_media_packets_recovered_total")
                .help("Packets lost from publishers that arrived after Parley's NACK")
                .callback(cb -> cb.call(c.recoveredPackets())).register(registry);
        CounterWithCallback.builder().name("parley_media_packets_unrecovered_total")
                .help("Packets lost from publishers that Parley stopped asking for")
                .callback(cb -> cb.call(c.unrecoveredPackets())).register(registry);
        CounterWithCallback.builder().name("parley_ice_tcp_connections_total")
                .help("ICE-TCP connections by outcome: accepted, refused_address, refused_total, first_message_timeout, framing_error, bad_first_message")
                .labelNames("outcome")
                .callback(cb -> {
                    for (IceTcpOutcome o : IceTcpOutcome.values()) {
                        cb.call(sfu.iceTcpConnections(o), o.label());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("parley_ice_tcp_connections_open")
                .help("ICE-TCP connections open now")
                .callback(cb -> cb.call(sfu.iceTcpConnectionsOpen())).register(registry);
        GaugeWithCallback.builder().name("parley_media_ports_in_use")
                .help("UDP ports of the media port range in use (0 with one shared media port)")
                .callback(cb -> cb.call(sfu.mediaPortsInUse())).register(registry);
        CounterWithCallback.builder().name("parley_media_packets_handed_off_total")
                .help("Datagrams a media thread's socket on the shared port received for another media thread's room, and handed over")
                .callback(cb -> cb.call(c.handedOffPackets())).register(registry);
        GaugeWithCallback.builder().name("parley_media_threads")
                .help("Media event loops (threads); each room runs on one")
                .callback(cb -> cb.call(sfu.mediaThreads())).register(registry);
        HandshakeAdmission handshakes = sfu.handshakes();
        CounterWithCallback.builder().name("parley_dtls_handshakes_total")
                .help("DTLS handshakes by how they ended: completed, refused_source, refused_room, refused_pool, timeout, failed")
                .labelNames("outcome")
                .callback(cb -> {
                    for (HandshakeOutcome o : HandshakeOutcome.values()) {
                        cb.call(handshakes.count(o), o.label());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("parley_dtls_handshakes_pending")
                .help("DTLS handshakes admitted and not ended yet (running or waiting for a thread)")
                .callback(cb -> cb.call(handshakes.pending())).register(registry);
        GaugeWithCallback.builder().name("parley_rooms").help("Rooms with participants")
                .callback(cb -> cb.call(sfu.rooms().size())).register(registry);
        GaugeWithCallback.builder().name("parley_participants").help("Participants in all rooms")
                .callback(cb -> cb.call(participants())).register(registry);
        GaugeWithCallback.builder().name("parley_signaling_sessions").help("Signaling WebSocket connections that joined a room")
                .callback(cb -> cb.call(signaling.openSessions())).register(registry);
        GaugeWithCallback.builder().name("parley_whep_viewers").help("WHEP viewers watching a room's speaker (not participants)")
                .callback(cb -> cb.call(sfu.viewerCount())).register(registry);
        GaugeWithCallback.builder().name("parley_whip_sessions").help("WHIP ingest sessions (each also a participant)")
                .callback(cb -> cb.call(signaling.whipSessions())).register(registry);
        GaugeWithCallback.builder().name("parley_signaling_connections")
                .help("Open signaling WebSocket connections, joined or not, counted against max-connections")
                .callback(cb -> cb.call(signaling.openConnections())).register(registry);
        // Label values come only from ErrorCode (the protocol's table) and "other": never from what a client sent.
        CounterWithCallback.builder().name("parley_signaling_refusals_total")
                .help("Signaling error messages sent, by error code (docs/protocol.md); other: a code outside the protocol")
                .labelNames("code")
                .callback(cb -> {
                    for (ErrorCode code : ErrorCode.values()) {
                        cb.call(signaling.errorsSent(code), code.wireName());
                    }
                    cb.call(signaling.errorsSentWithOtherCodes(), "other");
                }).register(registry);
        CounterWithCallback.builder().name("parley_signaling_origin_refusals_total")
                .help("Signaling WebSocket upgrades refused with 403: the page's origin is not allowed")
                .callback(cb -> cb.call(signaling.originRefusals())).register(registry);
        String[] labels = userLabels
                ? new String[] {"room", "participant", "kind", "direction", "room_name", "name"}
                : new String[] {"room", "participant", "kind", "direction"};
        CounterWithCallback.builder().name("parley_participant_rtp_packets_total")
                .help("RTP packets per participant, kind and direction (inbound: published to Parley; outbound: forwarded to it)")
                .labelNames(labels)
                .callback(cb -> eachStream((s, l) -> cb.call(s.packets(), l))).register(registry);
        CounterWithCallback.builder().name("parley_participant_rtp_bytes_total")
                .help("RTP bytes per participant, kind and direction; rate() of it is the bitrate")
                .labelNames(labels)
                .callback(cb -> eachStream((s, l) -> cb.call(s.bytes(), l))).register(registry);
        CounterWithCallback.builder().name("parley_participant_rtp_packets_lost_total")
                .help("Packets lost: inbound as Parley counts them, outbound as the participant's receiver reports say")
                .labelNames(labels)
                .callback(cb -> eachStream((s, l) -> cb.call(s.packetsLost(), l))).register(registry);
        GaugeWithCallback.builder().name("parley_participant_jitter_seconds")
                .help("Interarrival jitter: inbound as Parley measures it, outbound as the participant reports it (worst stream)")
                .labelNames(labels)
                .callback(cb -> eachStream((s, l) -> cb.call(s.jitterSeconds(), l))).register(registry);
        GaugeWithCallback.builder().name("parley_participant_rtt_seconds")
                .help("Round-trip time between Parley and the participant, from its receiver reports (outbound only)")
                .labelNames(labels)
                .callback(cb -> eachStream((s, l) -> {
                    if (!Double.isNaN(s.roundTripSeconds())) {
                        cb.call(s.roundTripSeconds(), l);
                    }
                })).register(registry);
        String[] participantLabels = userLabels
                ? new String[] {"room", "participant", "room_name", "name"}
                : new String[] {"room", "participant"};
        GaugeWithCallback.builder().name("parley_participant_available_bitrate_bps")
                .help("Parley's estimate of the bitrate it can send to the participant (transport-cc), bits per second")
                .labelNames(participantLabels)
                .callback(cb -> eachParticipant((l, bps) -> cb.call(bps, l))).register(registry);
        // The standard name Prometheus' own clients use, so dashboards and load tools find it (parley-loadtest).
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean process && process.getProcessCpuTime() >= 0) {
            CounterWithCallback.builder().name("process_cpu_seconds_total")
                    .help("CPU time the server process used, user and system, in seconds")
                    .callback(cb -> cb.call(process.getProcessCpuTime() / 1e9)).register(registry);
        }
        GaugeWithCallback.builder().name("parley_events_backlog").help("Events in the outbox not yet delivered")
                .callback(cb -> cb.call(control.eventBacklog())).register(registry);
        CounterWithCallback.builder().name("parley_events_delivered_total").help("Events the outbox relay delivered")
                .callback(cb -> cb.call(control.eventsDelivered())).register(registry);
        CounterWithCallback.builder().name("parley_events_delivery_failures_total")
                .help("Failed delivery attempts (Kafka or the bus down); each is retried")
                .callback(cb -> cb.call(control.eventDeliveryFailures())).register(registry);
        GaugeWithCallback.builder().name("parley_webhook_deliveries_pending")
                .help("Webhook deliveries waiting in the database (in flight included); absent when the database does not answer")
                .callback(cb -> {
                    long pending = control.webhooksPending();
                    if (pending >= 0) {
                        cb.call(pending);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("parley_webhook_deliveries_total")
                .help("Webhook outcomes since start: delivered and abandoned deliveries, failed attempts (each retried or abandoned)")
                .labelNames("outcome")
                .callback(cb -> {
                    cb.call(control.webhooksDelivered(), "delivered");
                    cb.call(control.webhookAttemptsFailed(), "failed");
                    cb.call(control.webhooksAbandoned(), "abandoned");
                }).register(registry);
    }

    /** The AI bridge's counters (docs/metrics.md, section AI), read at scrape time; only when AI is on. */
    void registerAi(dev.parley.ai.AiMetrics ai, AiCaptioner captioner) {
        CounterWithCallback.builder().name("parley_ai_segments_total")
                .help("Speech segments cut from captioned rooms' audio")
                .callback(cb -> cb.call(ai.segments())).register(registry);
        CounterWithCallback.builder().name("parley_ai_segments_sent_total")
                .help("Speech segments sent to the speech recognition model")
                .callback(cb -> cb.call(ai.segmentsSent())).register(registry);
        CounterWithCallback.builder().name("parley_ai_segments_dropped_total")
                .help("Speech segments not transcribed, by reason").labelNames("reason")
                .callback(cb -> {
                    for (dev.parley.ai.AiDropReason r : dev.parley.ai.AiDropReason.values()) {
                        cb.call(ai.drops(r), r.label());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("parley_ai_transcripts_total")
                .help("Transcript segments (captions) the speech recognition model answered")
                .callback(cb -> cb.call(ai.transcripts())).register(registry);
        CounterWithCallback.builder().name("parley_ai_emotions_total")
                .help("Emotion samples the emotion model answered")
                .callback(cb -> cb.call(ai.emotions())).register(registry);
        CounterWithCallback.builder().name("parley_ai_calls_total")
                .help("Inference calls to Triton (live and one-shot), by outcome").labelNames("outcome")
                .callback(cb -> {
                    long failed = ai.callFailures();
                    cb.call(ai.calls() - failed, "ok");
                    cb.call(failed, "failed");
                }).register(registry);
        CounterWithCallback.builder().name("parley_ai_call_seconds_total")
                .help("Time spent in inference calls, all calls together")
                .callback(cb -> cb.call(ai.callLatencySecondsSum())).register(registry);
        CounterWithCallback.builder().name("parley_ai_breaker_openings_total")
                .help("Times a Triton endpoint's circuit breaker opened")
                .callback(cb -> cb.call(ai.breakerOpenings())).register(registry);
        CounterWithCallback.builder().name("parley_ai_tap_dropped_packets_total")
                .help("Audio packets the captioned rooms' taps dropped because the bridge fell behind")
                .callback(cb -> cb.call(ai.tapDroppedPackets())).register(registry);
        CounterWithCallback.builder().name("parley_ai_results_dropped_total")
                .help("Captions, emotions and status changes dropped because the control plane fell behind")
                .callback(cb -> cb.call(captioner.resultsDropped())).register(registry);
        GaugeWithCallback.builder().name("parley_ai_segments_queued")
                .help("Speech segments waiting for an inference call")
                .callback(cb -> cb.call(ai.queued())).register(registry);
        GaugeWithCallback.builder().name("parley_ai_calls_in_flight")
                .help("Inference calls in flight")
                .callback(cb -> cb.call(ai.inFlight())).register(registry);
        GaugeWithCallback.builder().name("parley_ai_captioned_rooms")
                .help("Rooms whose audio the AI bridge is captioning")
                .callback(cb -> cb.call(captioner.captionedRooms())).register(registry);
    }

    private void eachStream(BiConsumer<StreamStats, String[]> sink) {
        for (ParticipantSeries.Stream s : series().streams) {
            sink.accept(s.stats(), s.labels());
        }
    }

    /** Each participant with a bandwidth estimate, and its labels. */
    private void eachParticipant(java.util.function.ObjLongConsumer<String[]> sink) {
        for (ParticipantSeries.Estimate e : series().estimates) {
            sink.accept(e.labels(), e.bps());
        }
    }

    /** The series read for the scrape under way, or read now when there is none (a scrape of the registry alone). */
    private ParticipantSeries series() {
        ParticipantSeries s = scrapeSeries;
        return s != null ? s : ParticipantSeries.read(sfu, roomIds, userLabels);
    }

    private int participants() {
        return sfu.rooms().stream().mapToInt(Room::size).sum();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!HttpMethod.GET.is(request.getMethod())) {
            return false;
        }
        if (path.equals("/health")) {
            // Readiness: a draining node answers 503 so that a load balancer (or Kubernetes) sends it nothing new.
            boolean drains = draining.getAsBoolean();
            String body = "{\"status\":\"" + (drains ? "draining" : "ok") + "\",\"rooms\":" + sfu.rooms().size()
                    + ",\"participants\":" + participants() + ",\"mediaPort\":" + sfu.mediaPort() + "}";
            respond(response, callback, drains ? 503 : 200, "application/json", body);
            return true;
        }
        if (path.equals("/health/live")) {
            // Liveness: the process answers, draining or not; restarting a draining node would cut its calls.
            respond(response, callback, "application/json", "{\"status\":\"ok\"}");
            return true;
        }
        if (path.equals("/metrics")) {
            if (metricsListener != null && request.getConnectionMetaData().getConnector() != metricsListener) {
                return false; // served on the metrics listener only
            }
            if (!token.admits(request.getHeaders().get(HttpHeader.AUTHORIZATION))) {
                response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"parley-metrics\"");
                HttpProblem.forStatus(401, "/metrics needs Authorization: Bearer <metrics token>"
                        + " (the metrics-token setting, or the file metrics-token in the data directory)").write(response, callback);
                return true;
            }
            // Read once for all per-participant families. Two scrapes at once may each use the other's reading:
            // both are the live rooms of this moment.
            scrapeSeries = ParticipantSeries.read(sfu, roomIds, userLabels);
            ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
            try {
                PrometheusTextFormatWriter.create().write(out, registry.scrape());
            } finally {
                scrapeSeries = null;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, PrometheusTextFormatWriter.CONTENT_TYPE);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            response.write(true, ByteBuffer.wrap(out.toByteArray()), callback); // the writer's UTF-8, as is
            return true;
        }
        return false;
    }

    private static void respond(Response response, Callback callback, String type, String body) {
        respond(response, callback, 200, type, body);
    }

    private static void respond(Response response, Callback callback, int status, String type, String body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}

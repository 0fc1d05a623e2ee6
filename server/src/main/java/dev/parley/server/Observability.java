package dev.parley.server;

import dev.parley.sfu.Participant;
import dev.parley.sfu.Room;
import dev.parley.sfu.SfuServer;
import dev.parley.sfu.StreamStats;
import dev.parley.sfu.dtls.HandshakeAdmission;
import dev.parley.sfu.dtls.HandshakeOutcome;
import dev.parley.sfu.media.DropReason;
import dev.parley.sfu.media.MediaCounters;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** {@code /health} (JSON) and {@code /metrics} (Prometheus text format). */
final class Observability extends Handler.Abstract {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final SfuServer sfu;

    Observability(SfuServer sfu, IntSupplier signalingSessions, ControlStack control) {
        this.sfu = sfu;
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
        GaugeWithCallback.builder().name("parley_signaling_sessions").help("Open signaling WebSocket connections")
                .callback(cb -> cb.call(signalingSessions.getAsInt())).register(registry);
        String[] labels = {"room", "participant", "name", "kind", "direction"};
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
        GaugeWithCallback.builder().name("parley_events_backlog").help("Events in the outbox not yet delivered")
                .callback(cb -> cb.call(control.eventBacklog())).register(registry);
        CounterWithCallback.builder().name("parley_events_delivered_total").help("Events the outbox relay delivered")
                .callback(cb -> cb.call(control.eventsDelivered())).register(registry);
        CounterWithCallback.builder().name("parley_events_delivery_failures_total")
                .help("Failed delivery attempts (Kafka or the bus down); each is retried")
                .callback(cb -> cb.call(control.eventDeliveryFailures())).register(registry);
    }

    private void eachStream(java.util.function.BiConsumer<StreamStats, String[]> sink) {
        for (Room room : sfu.rooms()) {
            for (Participant p : room.participantsNow()) {
                for (StreamStats st : p.mediaStats()) {
                    sink.accept(st, new String[] {room.name(), p.id(), p.name(), st.kind().sdpName(), st.direction().label()});
                }
            }
        }
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
            String body = "{\"status\":\"ok\",\"rooms\":" + sfu.rooms().size() + ",\"participants\":" + participants()
                    + ",\"mediaPort\":" + sfu.mediaPort() + "}";
            respond(response, callback, "application/json", body);
            return true;
        }
        if (path.equals("/metrics")) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrometheusTextFormatWriter.create().write(out, registry.scrape());
            respond(response, callback, PrometheusTextFormatWriter.CONTENT_TYPE, out.toString(StandardCharsets.UTF_8));
            return true;
        }
        return false;
    }

    private static void respond(Response response, Callback callback, String type, String body) {
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)), callback);
    }
}

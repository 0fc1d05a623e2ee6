package dev.parley.sfu.media;

import dev.parley.sfu.MediaKind;
import dev.parley.sfu.StreamStats;
import dev.parley.sfu.dtls.DtlsServerSession;
import dev.parley.sfu.dtls.HandshakeLimits;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpWriter;
import dev.parley.sfu.rtp.ReceiveStatistics;
import dev.parley.sfu.sdp.IceParameters;
import dev.parley.sfu.sdp.LocalTransport;
import dev.parley.sfu.sdp.PublishedTrack;
import dev.parley.sfu.srtp.SrtpSession;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One browser peer connection as Parley sees it: ICE-lite credentials, the addresses that passed checks,
 * the DTLS handshake, SRTP contexts, and what flows over it (published streams in, forwards out).
 *
 * <p>Packet handling and the stream tables are confined to the media loop; control threads only call the
 * public methods, which post their work to the loop.
 *
 * <p>The packet path itself is two listed pipelines this transport owns: {@link RtpReceivePipeline} (what the peer
 * sends: its published streams, and its feedback about what it receives) and {@link RtpSendPipeline} (what Parley
 * sends it). This class keeps ICE, consent, DTLS and the timers, and hands the pipelines the SRTP session and the
 * selected path as they change. Streams and forwards never see it: a published stream holds its publisher as an
 * {@link RtcpFeedbackSink}, a forward its subscriber as a {@link PacketSender}.
 */
public final class PeerTransport {
    private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ICE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/".toCharArray();
    private static final int MAX_EARLY_DTLS = 8;

    /** The media loop of this transport's room: it answers what the engine once did ({@code onLoop}, counters...). */
    private final MediaLoop engine;
    private final String room;
    private final String label;
    private final TransportListener listener;
    /** The current ICE credentials; an ICE restart replaces them (and {@link #local}) from a control thread. */
    private volatile String ufrag = randomIce(8);
    private volatile String pwd = randomIce(24);
    private volatile LocalTransport local;
    private final int rtcpSsrc = RANDOM.nextInt() | 1;
    private volatile IceParameters remote;
    private volatile boolean closed;
    private volatile List<StreamStats> stats = List.of();
    /** The receiver report's blocks, reused each second (loop only). */
    private final ReceiveStatistics[] reportBlocks = new ReceiveStatistics[RtcpWriter.MAX_REPORT_BLOCKS];

    // Loop-confined from here on.
    private final MediaOutlet ownOutlet;
    private final List<InetSocketAddress> addresses = new ArrayList<>(2);
    /** ICE-TCP connections that carry a pair of this transport. */
    private final List<MediaPath.Tcp> tcpPaths = new ArrayList<>(1);
    /** Where media goes: written on the loop, read by the DTLS handshake thread too. */
    private volatile MediaPath selected;
    private boolean nominated;
    /** When the selected path last carried a connectivity check. Loop-confined. */
    private long selectedCheckedNanos;
    /** A nominated UDP path checked within this long is not given up for a TCP one. */
    private static final long UDP_PREFERRED_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
    private long lastConsentNanos;
    /** Whether a connectivity check came yet (for the debug log's join timeline). */
    private boolean checked;
    /**
     * Consent is owed only while something is negotiated: from the browser's SDP on, until every m-section is
     * rejected. A subscriber connection whose offers go unanswered (a publish-only client) owes none.
     */
    private boolean consentOwed;
    private boolean consentSinceOwed;
    private long owedSinceNanos;
    private DtlsServerSession dtls;
    private ArrayDeque<byte[]> earlyDtls;
    /** Where the first DTLS record came from: the source its handshake is counted against. */
    private InetSocketAddress dtlsSource;
    private SrtpSession srtp;
    private boolean failed;
    /** What Parley sends this peer, and its feedback's target. */
    private final RtpSendPipeline send;
    /** What this peer sends: its published streams, and its feedback. */
    private final RtpReceivePipeline receive;
    private final PacketBuffer out = new PacketBuffer();

    /**
     * @param ownOutlet the UDP socket of this transport's own port (port range), or null on the shared port
     * @param candidates its UDP host candidates
     */
    PeerTransport(MediaLoop engine, String room, String label, TransportListener listener, MediaOutlet ownOutlet,
                  List<InetSocketAddress> candidates) {
        this.engine = engine;
        this.room = room;
        this.label = label;
        this.listener = listener;
        this.ownOutlet = ownOutlet;
        this.send = new RtpSendPipeline(engine, rtcpSsrc);
        this.receive = new RtpReceivePipeline(engine, send);
        this.local = new LocalTransport(ufrag, pwd, engine.certificate().fingerprintSha256(), candidates,
                engine.tcpCandidates());
    }

    /** What to put in SDP for this transport. */
    public LocalTransport local() {
        return local;
    }

    /** The browser's ICE credentials and fingerprint, once its SDP arrived; null before. */
    public IceParameters remote() {
        return remote;
    }

    /**
     * Sets the browser's parameters from its SDP; its DTLS certificate must match the fingerprint. From now on
     * the browser owes ICE consent: none within twice the consent timeout, or none for the timeout later, fails it.
     */
    public void setRemote(IceParameters remote) {
        this.remote = remote;
        engine.onLoop(() -> {
            if (!consentOwed) {
                consentOwed = true;
                consentSinceOwed = false;
                owedSinceNanos = System.nanoTime();
            }
            startDtlsIfReady();
        });
    }

    /** Nothing is negotiated on this transport now (every m-section rejected): no consent is owed until {@link #setRemote}. */
    public void suspendConsent() {
        engine.onLoop(() -> consentOwed = false);
    }

    /** Starts receiving a track the browser publishes on this transport. */
    public PublishedStream addPublishedTrack(PublishedTrack track) {
        PublishedStream s = new PublishedStream(engine, send, track);
        engine.onLoop(() -> {
            if (!closed) {
                receive.addStream(s, track.transportCcExtension());
            }
        });
        return s;
    }

    /** Releases the transport: its addresses, DTLS session and streams. */
    public void close() {
        closed = true;
        send.markClosed();
        engine.onLoop(() -> {
            receive.close();
            send.close();
            if (dtls != null) {
                dtls.close();
            }
            engine.unregister(this);
            for (MediaPath.Tcp p : List.copyOf(tcpPaths)) {
                p.outlet.channel.close();
            }
            tcpPaths.clear();
            if (ownOutlet != null) {
                ownOutlet.channel.close();
            }
        });
    }

    String ufrag() {
        return ufrag;
    }

    /** This transport as the subscriber side of a forward: where copies of a stream go. */
    PacketSender packetSender() {
        return send;
    }

    String room() {
        return room;
    }

    MediaLoop loop() {
        return engine;
    }

    String pwd() {
        return pwd;
    }

    boolean isClosed() {
        return closed;
    }

    int rtcpSsrc() {
        return rtcpSsrc;
    }

    List<InetSocketAddress> addresses() {
        return addresses;
    }

    void rememberAddress(InetSocketAddress a) {
        addresses.add(a);
    }

    void forgetAddress(InetSocketAddress a) {
        addresses.remove(a);
    }

    MediaOutlet ownOutlet() {
        return ownOutlet;
    }

    /** Loop, port range: {@code a} passed a check on this transport's own port; beyond a few the oldest is forgotten. */
    void bindOwn(InetSocketAddress a) {
        if (!addresses.contains(a)) {
            if (addresses.size() >= MediaEngine.MAX_ADDRESSES_PER_TRANSPORT) {
                addresses.removeFirst();
            }
            addresses.add(a);
        }
    }

    /** Loop: the path to {@code remote} on {@code outlet}: the selected one when it is that, else a new one. */
    MediaPath udpPath(MediaOutlet outlet, InetSocketAddress remote) {
        MediaPath s = selected;
        if (s instanceof MediaPath.Udp u && u.outlet() == outlet && u.remote().equals(remote)) {
            return u;
        }
        return new MediaPath.Udp(outlet, remote);
    }

    /** Loop: an ICE-TCP connection's first check for this transport passed. */
    void addTcpPath(MediaPath.Tcp path) {
        if (closed) {
            path.outlet.channel.close();
            return;
        }
        tcpPaths.add(path);
    }

    /** Loop: an ICE-TCP connection closed; if media went that way it stops until the browser picks another pair. */
    void onTcpPathClosed(MediaPath.Tcp path) {
        tcpPaths.remove(path);
        if (selected == path) {
            select(null);
            nominated = false;
            log.info("{}: the selected ICE-TCP connection closed", label);
        }
    }

    /** Loop: media goes to {@code path} from now on (null: nowhere until the browser picks another pair). */
    private void select(MediaPath path) {
        selected = path;
        send.path(path);
    }

    /** The selected pair's path: where media goes now (null before the first check). */
    MediaPath selected() {
        return selected;
    }

    /** Loop: ready to carry media (ICE checked and DTLS done). */
    boolean connected() {
        return srtp != null && selected != null && !closed;
    }

    // --- the packet path, on the loop ---

    /** An authenticated connectivity check (or consent refresh) arrived over {@code path}. */
    void onConsent(MediaPath path, boolean useCandidate, long now) {
        if (iceRestarted) {
            firstCheckAfterRestart(path);
        }
        lastConsentNanos = now;
        consentSinceOwed = true;
        if (!checked) {
            checked = true;
            log.debug("{}: first ICE check, over {}{}", label, path, useCandidate ? " (nominating)" : "");
        }
        // ICE-lite: the controlling browser's nomination picks the path; until then use the first checked one.
        // Browsers nominate aggressively towards a lite server (every check of every pair carries USE-CANDIDATE),
        // so a nominated UDP path still being checked is kept when a TCP pair is nominated too: UDP is the
        // better pair (announced with the higher priority), and flapping between the two would stall media.
        MediaPath s = selected;
        if (s != null && s.equals(path)) {
            selectedCheckedNanos = now;
        }
        boolean keepUdp = s instanceof MediaPath.Udp && nominated && path instanceof MediaPath.Tcp
                && now - selectedCheckedNanos < UDP_PREFERRED_NANOS;
        if (s == null || (useCandidate && (!nominated || !s.equals(path)) && !keepUdp)) {
            select(path);
            selectedCheckedNanos = now;
            nominated |= useCandidate;
            log.info("{}: media goes to {}{}", label, path, useCandidate ? " (nominated)" : "");
        }
    }

    void onDtls(PacketBuffer in, InetSocketAddress from) {
        if (dtlsSource == null) {
            dtlsSource = from;
            log.debug("{}: first DTLS record (ClientHello) from {}", label, from);
            send.keysComing(System.nanoTime());
        }
        if (dtls != null) {
            dtls.onDatagram(in.array(), in.offset(), in.length());
            return;
        }
        // The ClientHello can beat the SDP answer that carries the fingerprint: keep a few records until then.
        if (earlyDtls == null) {
            earlyDtls = new ArrayDeque<>();
        }
        if (earlyDtls.size() < MAX_EARLY_DTLS) {
            earlyDtls.add(Arrays.copyOfRange(in.array(), in.offset(), in.offset() + in.length()));
        }
        startDtlsIfReady();
    }

    private void startDtlsIfReady() {
        IceParameters r = remote;
        if (dtls != null || r == null || closed || earlyDtls == null) {
            return;
        }
        HandshakeLimits limits = engine.handshakes().limits();
        dtls = new DtlsServerSession(engine.certificate(), r.fingerprint(), (buf, off, len) -> {
            MediaPath to = selected;
            if (to != null) {
                to.sendNow(buf, off, len);
            }
        }, limits.firstFlightTimeout(), limits.handshakeTimeout());
        for (byte[] record : earlyDtls) {
            dtls.onDatagram(record, 0, record.length);
        }
        earlyDtls = null;
        dtls.start(engine.handshakes(), dtlsSource.getAddress(), room)
                .whenComplete((keys, error) -> engine.onLoop(() -> onHandshake(keys, error)));
    }

    private void onHandshake(SrtpKeyingMaterial keys, Throwable error) {
        if (closed) {
            return;
        }
        if (error != null) {
            fail("DTLS handshake failed: " + rootMessage(error));
            return;
        }
        srtp = new SrtpSession(keys);
        log.info("{} connected (DTLS-SRTP {})", label, keys.profile());
        receive.keys(srtp);
        send.keys(srtp, System.nanoTime()); // a subscriber's forwards ask for keyframes now
    }

    /** Loop: a packet of this peer's SRTP or SRTCP, which {@link RtpReceivePipeline} takes step by step. */
    void onSrtp(PacketBuffer in) {
        receive.onPacket(in);
    }

    /** The media counters as of the last once-a-second tick; safe to read from any thread. */
    public List<StreamStats> stats() {
        return stats;
    }

    private List<StreamStats> snapshot() {
        List<StreamStats> out = new ArrayList<>(4);
        for (PublishedStream s : receive.streams()) {
            ReceiveStatistics r = s.statistics();
            out.add(new StreamStats(s.kind(), StreamStats.Direction.INBOUND, r.receivedPackets(), s.bytesReceived(),
                    Math.max(0, r.cumulativeLost()), r.jitterSeconds(), Double.NaN));
        }
        for (MediaKind kind : MediaKind.values()) {
            long packets = 0;
            long bytes = 0;
            long lost = 0;
            double jitter = 0;
            double rttSum = 0;
            int rtts = 0;
            boolean any = false;
            for (Forward f : send.forwards()) {
                if (f.kind() == kind) {
                    any = true;
                    packets += f.packetsSent;
                    bytes += f.bytesSent;
                    lost += Math.max(0, f.reportedLost);
                    jitter = Math.max(jitter, (double) f.reportedJitter / f.clockRate());
                    if (f.roundTripNanos >= 0) {
                        rttSum += f.roundTripNanos / 1e9;
                        rtts++;
                    }
                }
            }
            if (any) {
                out.add(new StreamStats(kind, StreamStats.Direction.OUTBOUND, packets, bytes, lost, jitter,
                        rtts == 0 ? Double.NaN : rttSum / rtts));
            }
        }
        return List.copyOf(out);
    }

    /** Loop: encrypts and queues an RTCP packet. */
    void sendRtcp(PacketBuffer p) {
        send.sendRtcp(p);
    }

    /** Loop, once a second: consent freshness and receiver reports. */
    void everySecond(long now, long consentTimeoutNanos) {
        if (closed || failed) {
            return;
        }
        stats = snapshot();
        PublishedStream[] published = receive.streams();
        for (PublishedStream s : published) {
            s.everySecond(now);
        }
        if (consentOwed) {
            long since = consentSinceOwed ? lastConsentNanos : owedSinceNanos;
            // A transport gets twice as long for its first check: the browser may still be gathering.
            long limit = consentSinceOwed ? consentTimeoutNanos : 2 * consentTimeoutNanos;
            if (now - since > limit) {
                fail(consentSinceOwed ? "ICE consent expired" : "no ICE connectivity check arrived");
                return;
            }
        }
        if (connected() && published.length > 0) {
            ReceiveStatistics[] blocks = reportBlocks;
            int n = 0;
            for (PublishedStream s : published) {
                n = s.collectStatistics(blocks, n); // a block per simulcast layer
            }
            if (n > 0) {
                int len = RtcpWriter.writeReceiverReport(out.array(), 0, rtcpSsrc, blocks, n, now);
                out.setWindow(0, len);
                sendRtcp(out);
                java.util.Arrays.fill(blocks, 0, n, null); // holds no stream past its report
            }
            if (remb.write(out, rtcpSsrc, published, engine.maxPublishBitrate())) {
                sendRtcp(out);
            }
        }
        lastAvailableBitrate = availableBitrateBps();
    }

    private void fail(String why) {
        if (failed) {
            return;
        }
        failed = true;
        log.info("{}: {}", label, why);
        listener.onTransportFailed(why);
    }

    /** Loop, on the NACK timer: each published video stream asks for the packets it misses. */
    void sendNacks(long now) {
        if (closed || failed) {
            return;
        }
        for (PublishedStream s : receive.streams()) {
            s.sendNacks(now);
        }
    }

    private static String randomIce(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ICE_CHARS[RANDOM.nextInt(ICE_CHARS.length)];
        }
        return new String(c);
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    // --- transport-wide congestion control and bandwidth estimation ---

    // Receive side: RtpReceivePipeline's TransportCcResponder; send side: RtpSendPipeline's TransportCcSender.
    private final RembSender remb = new RembSender();
    private volatile long lastAvailableBitrate = -1;

    /**
     * Loop only: the current estimate, in bits per second, of what Parley can send to this peer, from its
     * transport-cc feedback and receiver reports; -1 while unknown (no feedback yet, or not negotiated).
     */
    public long availableBitrateBps() {
        return send.availableBitrateBps();
    }

    /** {@link #availableBitrateBps()} as of the last once-a-second tick; safe to read from any thread. */
    public long lastAvailableBitrateBps() {
        return lastAvailableBitrate;
    }

    /** Loop, every feedback interval: tells the publisher when its packets arrived. */
    void everyFeedbackInterval() {
        TransportCcResponder transportCcIn = receive.transportCc();
        if (transportCcIn != null && connected() && transportCcIn.writeFeedback(out, rtcpSsrc)) {
            sendRtcp(out);
        }
        TransportCcSender transportCcOut = send.transportCcIfStarted();
        if (transportCcOut != null) {
            long now = System.nanoTime();
            int due = transportCcOut.paddingDue(now);
            if (due > 0 && connected()) {
                send.sendPadding(due, now);
            }
        }
    }

    /**
     * Loop: asks for a probe of this subscriber's path toward {@code targetBps} in all, or {@code fallbackBps} after
     * a failed one (see {@link BandwidthProbe});
     * nothing happens while one runs, soon after the last, or without transport-cc from this subscriber.
     */
    void probe(long targetBps, long fallbackBps) {
        send.probe(targetBps, fallbackBps);
    }

    @Override
    public String toString() {
        return label;
    }

    // --- ICE restart (RFC 8445 section 9; JSEP keeps the DTLS session across it) ---

    /** Loop-confined: new credentials are in force and no check has passed under them yet. */
    private boolean iceRestarted;

    /** New credentials for an ICE restart, not in force until {@link #restartIce}: the answer or offer to carry them. */
    public LocalTransport freshCredentials() {
        return local.withCredentials(randomIce(8), randomIce(24));
    }

    /**
     * Puts {@code fresh} (from {@link #freshCredentials}) in force: checks under the old ufrag fail from now on,
     * the addresses checked before are forgotten once one passes under the new ones, and the DTLS session and
     * SRTP keys stay. {@code newRemote} is the browser's new parameters when they are known (publisher: its
     * offer), or null when they come later with {@link #setRemote} (subscriber: its answer to Parley's offer).
     * Consent is owed afresh, with the first check's longer allowance, even after a transport had failed.
     */
    public void restartIce(LocalTransport fresh, IceParameters newRemote) {
        String oldUfrag = ufrag;
        pwd = fresh.pwd();
        ufrag = fresh.ufrag();
        local = fresh;
        if (newRemote != null) {
            remote = newRemote;
        }
        engine.rekey(this, oldUfrag);
        engine.onLoop(() -> {
            if (closed) {
                return;
            }
            iceRestarted = true;
            failed = false;
            consentOwed = true;
            consentSinceOwed = false;
            owedSinceNanos = System.nanoTime();
        });
    }

    /** Loop: the first check under new credentials passed over {@code path}: the paths from before go. */
    private void firstCheckAfterRestart(MediaPath path) {
        iceRestarted = false;
        engine.forgetAddressesExcept(this, path instanceof MediaPath.Udp u ? u.remote() : null);
        if (!path.equals(selected)) {
            select(null);
            nominated = false;
        }
        log.info("{}: ICE restarted; media goes to {}", label, path);
    }

    /**
     * A transport whose consent ran out while its participant was held for a reconnect gets a new allowance
     * (twice the consent timeout for a first check) once the participant is back; a healthy one is untouched.
     */
    public void rearmConsentIfFailed() {
        engine.onLoop(() -> {
            if (failed && !closed) {
                failed = false;
                consentOwed = true;
                consentSinceOwed = false;
                owedSinceNanos = System.nanoTime();
            }
        });
    }
}

package dev.parley.loadtest;

import dev.parley.peerkit.ClientHelloCatcher;
import dev.parley.peerkit.DtlsSrtpClient;
import dev.parley.peerkit.PeerCertificate;
import dev.parley.peerkit.StunMessage;

import dev.parley.sfu.packet.PacketBuffer;
import dev.parley.sfu.rtp.RtcpPacket;
import dev.parley.sfu.sdp.MediaSection;
import dev.parley.sfu.sdp.SdpException;
import dev.parley.sfu.sdp.SessionDescription;
import dev.parley.sfu.srtp.SrtpKeyingMaterial;
import dev.parley.sfu.srtp.SrtpProfile;
import dev.parley.sfu.srtp.SrtpSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.DTLSClientProtocol;
import org.bouncycastle.tls.DTLSTransport;

/**
 * One WebRTC peer connection written in plain Java, for tests and benchmarks of the SFU over real UDP (or ICE
 * over TCP, {@link #openTcp}) on 127.0.0.1: SDP as Chrome writes it, ICE as the controlling agent (Binding requests with USE-CANDIDATE, then
 * consent refreshes), DTLS 1.2 as the client ({@code a=setup:active}), and SRTP/SRTCP.
 *
 * <p>A participant in an SFU meeting needs two of these: one publishing ({@link #publisherOffer}, then
 * {@link #acceptAnswer}) and one subscribing ({@link #answerFor} each offer the SFU sends). Then
 * {@link #connect} and exchange media. Received packets go, decrypted, to the {@link MediaHandler} on the
 * peer's receive thread.
 *
 * <p>Threads: one receive thread per peer, or one {@link PeerReceiver} thread shared by many UDP peers (the load
 * tool's way: one thread reads hundreds of sockets); consent checks run on a scheduler shared by all peers. The
 * send methods may be called from any thread (they serialise on the SRTP send context).
 *
 * <p>A peer opened with {@code decryptRtp} false hands incoming SRTP packets to its handler as they arrived,
 * unauthenticated: SRTP leaves the RTP header in clear, so sequence numbers, timestamps and SSRCs can be counted
 * without the cost of decryption. RTCP is always authenticated and decrypted.
 */
public final class SyntheticPeer implements AutoCloseable {
    /**
     * Receives media on the peer's receive thread (decrypted unless the peer was opened not to); the buffer is
     * reused after the call returns.
     */
    public interface MediaHandler {
        /** An authenticated RTP packet; {@code receivedNanos} is {@link System#nanoTime()} when it arrived, before decryption. */
        void onRtp(PacketBuffer packet, long receivedNanos);

        /** An authenticated RTCP compound packet. */
        default void onRtcp(PacketBuffer packet, long receivedNanos) {}
    }

    /** Decides, before decryption, whether an incoming RTP packet is lost (to simulate loss for NACK tests). */
    public interface LossFilter {
        boolean drop(int ssrc, int sequenceNumber);
    }

    /** How long consent refreshes wait for each other unless set: RFC 7675 asks for 4 to 6 s; Chrome sends about every 2.5 s. */
    public static final Duration DEFAULT_CONSENT_INTERVAL = Duration.ofSeconds(2);
    public static final int OPUS_PAYLOAD_TYPE = 111;
    public static final int VP8_PAYLOAD_TYPE = 96;
    /** VP8's RFC 4588 retransmission payload type in {@link #publisherOffer(int, int, int)}, as Chrome numbers it. */
    public static final int RTX_PAYLOAD_TYPE = 97;

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final char[] ICE_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/".toCharArray();
    private static final ScheduledExecutorService CONSENT = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "synthetic-peer-consent");
        t.setDaemon(true);
        return t;
    });

    private final String label;
    private final MediaHandler handler;
    private final PeerLink channel;
    private final PeerCertificate certificate = PeerCertificate.generate();
    /** Our ICE credentials; {@link #restartIce} replaces them. */
    private volatile String ufrag = random(8);
    private volatile String pwd = random(24);
    /** After {@link #restartIce}: the server's next SDP may carry new ICE credentials (once). */
    private volatile boolean restarting;
    private final long tieBreaker = RANDOM.nextLong();
    private final long sessionId = RANDOM.nextLong() & Long.MAX_VALUE;
    private final Thread receiver;
    private final boolean decryptRtp;
    private final PacketBuffer sendBuffer = new PacketBuffer();
    private final AtomicLong rtpReceived = new AtomicLong();
    private final AtomicLong rtcpReceived = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong consentResponses = new AtomicLong();

    private volatile Remote remote;
    private volatile ChannelDatagramTransport dtlsTransport;
    private volatile DTLSTransport dtls;
    private volatile SrtpSession srtp;
    private volatile byte[] pendingCheck;
    private volatile CompletableFuture<Void> checkAnswered;
    private volatile LossFilter lossFilter;
    private volatile ScheduledFuture<?> consent;
    private volatile boolean closed;

    /** The server's side, from its SDP. */
    private record Remote(String ufrag, String pwd, String fingerprint, InetSocketAddress candidate) {}

    private SyntheticPeer(String label, MediaHandler handler, PeerLink channel, PeerReceiver sharedReceiver,
                          boolean decryptRtp) {
        this.label = label;
        this.handler = handler;
        this.channel = channel;
        this.decryptRtp = decryptRtp;
        if (sharedReceiver == null) {
            this.receiver = new Thread(this::receiveLoop, "synthetic-peer-rx " + label);
            receiver.setDaemon(true);
        } else {
            this.receiver = null;
        }
    }

    /** Opens a peer connection on a fresh UDP socket bound to 127.0.0.1 and starts its receive thread. */
    public static SyntheticPeer open(String label, MediaHandler handler) throws IOException {
        return open(label, InetAddress.getLoopbackAddress(), handler);
    }

    /**
     * Opens a peer connection on a fresh UDP socket bound to {@code bind}, e.g. another loopback address
     * (127.0.0.2 on Linux) so that a test can play a second machine.
     */
    public static SyntheticPeer open(String label, InetAddress bind, MediaHandler handler) throws IOException {
        return open(label, bind, handler, null, true, DEFAULT_RECEIVE_BUFFER);
    }

    /** The receive buffer a peer asks the kernel for unless told otherwise (the kernel may cap it: net.core.rmem_max). */
    public static final int DEFAULT_RECEIVE_BUFFER = 4 * 1024 * 1024;

    /**
     * Opens a peer connection on a fresh UDP socket bound to {@code bind}.
     *
     * @param receiver the thread that reads this peer's socket together with others', or null for a thread of its own
     * @param decryptRtp false: RTP reaches {@code handler} still encrypted (its header is in clear), unauthenticated
     * @param receiveBuffer the socket's SO_RCVBUF in bytes
     */
    public static SyntheticPeer open(String label, InetAddress bind, MediaHandler handler, PeerReceiver receiver,
                                     boolean decryptRtp, int receiveBuffer) throws IOException {
        Objects.requireNonNull(handler, "handler");
        PeerLink.Udp link = new PeerLink.Udp(bind, receiveBuffer);
        SyntheticPeer peer = new SyntheticPeer(label, handler, link, receiver, decryptRtp);
        if (receiver == null) {
            peer.receiver.start();
        } else {
            try {
                receiver.register(link, peer);
            } catch (IOException | RuntimeException e) {
                link.close();
                throw e;
            }
        }
        return peer;
    }

    /**
     * Opens a peer connection that uses ICE over TCP from 127.0.0.1: it takes the server's passive TCP candidate,
     * connects to it when ICE starts, and sends every packet framed (RFC 4571), as a browser that cannot use UDP.
     * It reads on a thread of its own (a {@link PeerReceiver} reads UDP peers only) and decrypts what it receives.
     */
    public static SyntheticPeer openTcp(String label, MediaHandler handler) {
        Objects.requireNonNull(handler, "handler");
        SyntheticPeer peer = new SyntheticPeer(label, handler, new PeerLink.Tcp(InetAddress.getLoopbackAddress()),
                null, true);
        peer.receiver.start();
        return peer;
    }

    /** The local address (UDP, or the TCP connection's once ICE has opened it). */
    public InetSocketAddress localAddress() {
        try {
            return channel.localAddress();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** This peer's DTLS certificate fingerprint as written in its SDP. */
    public String fingerprint() {
        return certificate.fingerprint();
    }

    // --- SDP ---

    /**
     * A publisher offer as Chrome writes one for a microphone and a camera: BUNDLE, rtcp-mux, mid 0 (Opus) and
     * 1 (VP8), both {@code sendonly} with {@code a=ssrc}, ICE credentials, fingerprint and {@code setup:actpass}.
     */
    public String publisherOffer(int audioSsrc, int videoSsrc) {
        return publisherOffer(audioSsrc, videoSsrc, 0);
    }

    /**
     * {@link #publisherOffer(int, int)} with VP8's retransmission format ({@link #RTX_PAYLOAD_TYPE}, apt=96) and
     * {@code a=ssrc-group:FID <videoSsrc> <videoRtxSsrc>}, as Chrome offers it; none when {@code videoRtxSsrc} is 0.
     */
    public String publisherOffer(int audioSsrc, int videoSsrc, int videoRtxSsrc) {
        String stream = "s-" + ufrag;
        StringBuilder sdp = sessionHeader("0 1", stream);
        mediaHead(sdp, "audio", OPUS_PAYLOAD_TYPE, "0", "actpass");
        sdp.append("a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n")
                .append("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n")
                .append("a=sendonly\r\n")
                .append("a=msid:").append(stream).append(" audio-").append(ufrag).append("\r\n")
                .append("a=rtcp-mux\r\n")
                .append("a=rtpmap:").append(OPUS_PAYLOAD_TYPE).append(" opus/48000/2\r\n")
                .append("a=rtcp-fb:").append(OPUS_PAYLOAD_TYPE).append(" transport-cc\r\n")
                .append("a=fmtp:").append(OPUS_PAYLOAD_TYPE).append(" minptime=10;useinbandfec=1\r\n");
        ssrcLines(sdp, audioSsrc, stream, "audio-" + ufrag);
        mediaHead(sdp, "video", VP8_PAYLOAD_TYPE + (videoRtxSsrc != 0 ? " " + RTX_PAYLOAD_TYPE : ""), "1", "actpass");
        sdp.append("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n")
                .append("a=sendonly\r\n")
                .append("a=msid:").append(stream).append(" video-").append(ufrag).append("\r\n")
                .append("a=rtcp-mux\r\n")
                .append("a=rtcp-rsize\r\n")
                .append("a=rtpmap:").append(VP8_PAYLOAD_TYPE).append(" VP8/90000\r\n")
                .append("a=rtcp-fb:").append(VP8_PAYLOAD_TYPE).append(" goog-remb\r\n")
                .append("a=rtcp-fb:").append(VP8_PAYLOAD_TYPE).append(" nack\r\n")
                .append("a=rtcp-fb:").append(VP8_PAYLOAD_TYPE).append(" nack pli\r\n")
                .append("a=rtcp-fb:").append(VP8_PAYLOAD_TYPE).append(" ccm fir\r\n");
        if (videoRtxSsrc != 0) {
            sdp.append("a=rtpmap:").append(RTX_PAYLOAD_TYPE).append(" rtx/90000\r\n")
                    .append("a=fmtp:").append(RTX_PAYLOAD_TYPE).append(" apt=").append(VP8_PAYLOAD_TYPE).append("\r\n")
                    .append("a=ssrc-group:FID ").append(videoSsrc & 0xFFFFFFFFL).append(' ')
                    .append(videoRtxSsrc & 0xFFFFFFFFL).append("\r\n");
        }
        ssrcLines(sdp, videoSsrc, stream, "video-" + ufrag);
        if (videoRtxSsrc != 0) {
            ssrcLines(sdp, videoRtxSsrc, stream, "video-" + ufrag);
        }
        return sdp.toString();
    }

    /** The id {@link #simulcastPublisherOffer} gives the rtp-stream-id header extension. */
    public static final int RID_EXTENSION = 10;

    /**
     * {@link #publisherOffer} with the camera as simulcast layers, as Chrome writes it for {@code sendEncodings}:
     * an {@code a=rid:<rid> send} line per layer, {@code a=simulcast:send}, the rtp-stream-id extension
     * ({@link #RID_EXTENSION}) and no {@code a=ssrc} for video; each layer's first packets must name their rid
     * ({@link #sendRtpWithExtension}).
     */
    public String simulcastPublisherOffer(int audioSsrc, java.util.List<String> rids) {
        String offer = publisherOffer(audioSsrc, 0);
        int video = offer.indexOf("m=video");
        String head = offer.substring(0, video);
        String section = offer.substring(video).replaceAll("a=ssrc:[^\r]*\r\n", "")
                .replace("a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n", "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
                        + "a=extmap:" + RID_EXTENSION + " urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n");
        StringBuilder layers = new StringBuilder();
        for (String rid : rids) {
            layers.append("a=rid:").append(rid).append(" send\r\n");
        }
        layers.append("a=simulcast:send ").append(String.join(";", rids)).append("\r\n");
        return head + section + layers;
    }

    /**
     * {@code offer} (one of this class's publisher offers) with the transport-wide sequence number extension under
     * {@link dev.parley.sfu.rtp.TransportSequenceExtension#PARLEY_ID} in every m-section and {@code transport-cc}
     * feedback for each section's first payload type, as Chrome offers them; send with
     * {@link #sendRtpWithTransportSequence(int, int, boolean, int, int, int, byte[], byte[], int, int)}.
     */
    public static String withTransportSequence(String offer) {
        String mid = "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n";
        String twcc = "a=extmap:" + dev.parley.sfu.rtp.TransportSequenceExtension.PARLEY_ID + " "
                + dev.parley.sfu.rtp.TransportSequenceExtension.URI + "\r\n";
        String video = "a=rtpmap:" + VP8_PAYLOAD_TYPE + " VP8/90000\r\n";
        return offer.replace(mid, mid + twcc)
                .replace(video, video + "a=rtcp-fb:" + VP8_PAYLOAD_TYPE + " transport-cc\r\n");
    }

    /**
     * Applies the server's answer to {@link #publisherOffer}: its ICE credentials, fingerprint and candidate.
     * The server must answer {@code setup:passive}, leaving this peer the DTLS client.
     *
     * @throws SdpException when the answer lacks any of them, or changes them after they were set
     */
    public void acceptAnswer(String answer) throws SdpException {
        setRemote(SessionDescription.parse(answer), "passive");
    }

    /**
     * Answers an offer from the server for a subscriber connection: every offered m-section mirrored,
     * {@code recvonly} where the server sends ({@code inactive} where it does not), {@code setup:active}.
     * Later offers on the same connection must keep the server's ICE credentials.
     *
     * @throws SdpException when the offer is unusable
     */
    public String answerFor(String serverOffer) throws SdpException {
        return answerFor(serverOffer, false);
    }

    /**
     * {@link #answerFor(String)}, keeping the offered retransmission formats ({@code rtx}) on the m-lines when
     * {@code acceptRtx}: the server then answers this peer's NACKs with RFC 4588 packets on their own SSRC.
     */
    public String answerFor(String serverOffer, boolean acceptRtx) throws SdpException {
        SessionDescription offer = SessionDescription.parse(serverOffer);
        setRemote(offer, "actpass");
        StringBuilder mids = new StringBuilder();
        for (MediaSection m : offer.media()) {
            String mid = m.attribute("mid");
            if (mid == null) {
                throw new SdpException("an offered m-section has no a=mid");
            }
            mids.append(mids.isEmpty() ? "" : " ").append(mid);
        }
        StringBuilder sdp = sessionHeader(mids.toString(), "-");
        for (MediaSection m : offer.media()) {
            if (m.formats().isEmpty()) {
                throw new SdpException("m=" + m.kind() + " offers no payload type");
            }
            String pt = m.formats().get(0);
            StringBuilder formats = new StringBuilder(pt);
            for (String rtpmap : m.attributes("rtpmap")) {
                String[] f = rtpmap.trim().split(" +");
                if (acceptRtx && f.length == 2 && f[1].equalsIgnoreCase("rtx/90000") && m.formats().contains(f[0])) {
                    formats.append(' ').append(f[0]);
                }
            }
            mediaHead(sdp, m.kind(), formats.toString(), m.attribute("mid"), "active");
            String direction = m.direction();
            sdp.append(direction.equals("sendonly") || direction.equals("sendrecv") ? "a=recvonly\r\n" : "a=inactive\r\n");
            sdp.append("a=rtcp-mux\r\n");
            for (String rtpmap : m.attributes("rtpmap")) {
                sdp.append("a=rtpmap:").append(rtpmap).append("\r\n");
            }
            for (String fmtp : m.attributes("fmtp")) {
                sdp.append("a=fmtp:").append(fmtp).append("\r\n");
            }
            for (String fb : m.attributes("rtcp-fb")) {
                sdp.append("a=rtcp-fb:").append(fb).append("\r\n");
            }
        }
        return sdp.toString();
    }

    /**
     * {@link #answerFor(String, boolean)} with the retransmission formats kept (Parley sends its bandwidth probes'
     * padding on a video's RTX stream) that also accepts the offer's transport-wide sequence number extension (its
     * {@code a=extmap} in every m-section), as a browser does that will send transport-cc feedback.
     */
    public String answerWithTransportSequence(String serverOffer) throws SdpException {
        String answer = answerFor(serverOffer, true);
        String extmap = null;
        for (String line : serverOffer.split("\r\n")) {
            if (line.startsWith("a=extmap:") && line.endsWith(" " + dev.parley.sfu.rtp.TransportSequenceExtension.URI)) {
                extmap = line;
                break;
            }
        }
        return extmap == null ? answer : answer.replace("a=rtcp-mux\r\n", "a=rtcp-mux\r\n" + extmap + "\r\n");
    }

    private StringBuilder sessionHeader(String bundle, String stream) {
        StringBuilder sdp = new StringBuilder(2048);
        sdp.append("v=0\r\n")
                .append("o=- ").append(sessionId).append(" 2 IN IP4 127.0.0.1\r\n")
                .append("s=-\r\n")
                .append("t=0 0\r\n")
                .append("a=group:BUNDLE ").append(bundle).append("\r\n")
                .append("a=extmap-allow-mixed\r\n")
                .append("a=msid-semantic: WMS ").append(stream).append("\r\n");
        return sdp;
    }

    private void mediaHead(StringBuilder sdp, String kind, int pt, String mid, String setup) {
        mediaHead(sdp, kind, String.valueOf(pt), mid, setup);
    }

    private void mediaHead(StringBuilder sdp, String kind, String pt, String mid, String setup) {
        sdp.append("m=").append(kind).append(" 9 UDP/TLS/RTP/SAVPF ").append(pt).append("\r\n")
                .append("c=IN IP4 0.0.0.0\r\n")
                .append("a=rtcp:9 IN IP4 0.0.0.0\r\n")
                .append("a=ice-ufrag:").append(ufrag).append("\r\n")
                .append("a=ice-pwd:").append(pwd).append("\r\n")
                .append("a=ice-options:trickle\r\n")
                .append("a=fingerprint:").append(certificate.fingerprint()).append("\r\n")
                .append("a=setup:").append(setup).append("\r\n")
                .append("a=mid:").append(mid).append("\r\n");
    }

    private static void ssrcLines(StringBuilder sdp, int ssrc, String stream, String track) {
        long unsigned = ssrc & 0xFFFFFFFFL;
        sdp.append("a=ssrc:").append(unsigned).append(" cname:").append(stream).append("\r\n")
                .append("a=ssrc:").append(unsigned).append(" msid:").append(stream).append(' ').append(track).append("\r\n");
    }

    private void setRemote(SessionDescription sdp, String expectedSetup) throws SdpException {
        MediaSection first = null;
        for (MediaSection m : sdp.media()) {
            if (m.port() != 0) {
                first = m;
                break;
            }
        }
        if (first == null) {
            throw new SdpException("the server's SDP has no usable m-section");
        }
        String ufrag = sdp.attribute(first, "ice-ufrag");
        String pwd = sdp.attribute(first, "ice-pwd");
        String fingerprint = sdp.attribute(first, "fingerprint");
        String setup = sdp.attribute(first, "setup");
        if (ufrag == null || pwd == null || fingerprint == null) {
            throw new SdpException("the server's SDP lacks ice-ufrag, ice-pwd or fingerprint");
        }
        if (!fingerprint.toLowerCase(Locale.ROOT).startsWith("sha-256 ")) {
            throw new SdpException("the server's fingerprint is not sha-256: " + fingerprint);
        }
        if (!expectedSetup.equals(setup)) {
            throw new SdpException("expected a=setup:" + expectedSetup + " from the server, got " + setup);
        }
        InetSocketAddress candidate = null;
        String transport = channel.transport();
        for (String c : first.attributes("candidate")) {
            String[] f = c.trim().split(" +");
            // foundation component transport priority address port typ type [tcptype passive]
            if (f.length >= 8 && f[2].equalsIgnoreCase(transport) && f[1].equals("1")
                    && (transport.equals("udp") || c.contains(" tcptype passive"))) {
                candidate = new InetSocketAddress(f[4], Integer.parseInt(f[5]));
                break;
            }
        }
        if (candidate == null) {
            throw new SdpException("the server's SDP has no " + transport.toUpperCase(Locale.ROOT)
                    + (transport.equals("tcp") ? " passive" : "") + " candidate");
        }
        Remote next = new Remote(ufrag, pwd, fingerprint, candidate);
        Remote known = remote;
        if (known != null && restarting && !known.fingerprint().equals(next.fingerprint())) {
            throw new SdpException("the server changed its DTLS fingerprint in an ICE restart: " + known + " -> " + next);
        }
        if (known != null && !restarting && !known.equals(next)) {
            throw new SdpException("the server changed its transport without an ICE restart: " + known + " -> " + next);
        }
        restarting = false;
        remote = next;
    }

    // --- connection ---

    /** {@link #connect(Duration, Duration, SrtpProfile...)} with the default consent interval, offering AES-GCM then AES-CM. */
    public void connect(Duration timeout) throws IOException, TimeoutException {
        connect(timeout, DEFAULT_CONSENT_INTERVAL, SrtpProfile.AEAD_AES_128_GCM, SrtpProfile.AES128_CM_HMAC_SHA1_80);
    }

    /**
     * Runs ICE (a nominating Binding request until answered), the DTLS handshake and sets up SRTP, then sends
     * a consent refresh every {@code consentInterval}. Does nothing when already connected.
     *
     * @param profiles SRTP profiles to offer in {@code use_srtp}, in order of preference
     * @throws IllegalStateException before the server's SDP is known
     * @throws TimeoutException when ICE does not complete within {@code timeout}
     * @throws IOException when the DTLS handshake fails or times out
     */
    public void connect(Duration timeout, Duration consentInterval, SrtpProfile... profiles)
            throws IOException, TimeoutException {
        Remote r = remote;
        if (r == null) {
            throw new IllegalStateException(label + ": no SDP from the server yet");
        }
        if (srtp != null) {
            return;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        checkConnectivity(r, deadline);
        ChannelDatagramTransport transport = new ChannelDatagramTransport(channel, r.candidate());
        dtlsTransport = transport;
        int remainingMillis = (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        DtlsSrtpClient client = new DtlsSrtpClient(certificate, r.fingerprint(), useSrtpIds(profiles), remainingMillis);
        dtls = new DTLSClientProtocol().connect(client, transport);
        DtlsSrtpClient.ExportedKeys exported = client.keys();
        SrtpKeyingMaterial keys = SrtpKeyingMaterial.fromExporterOutput(
                SrtpProfile.forUseSrtpId(exported.profile()).orElseThrow(), exported.material());
        srtp = new SrtpSession(keys, SrtpSession.Role.DTLS_CLIENT, SrtpSession.DEFAULT_MAX_SSRCS);
        long everyMillis = consentInterval.toMillis();
        consent = CONSENT.scheduleAtFixedRate(this::sendConsentCheck, everyMillis, everyMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Only the ICE part of {@link #connect}: a nominating check until the server answers. What a hostile client
     * does before it sends the server something other than a DTLS handshake ({@link #sendRaw}).
     *
     * @throws TimeoutException when the server does not answer within {@code timeout}
     */
    public void checkIce(Duration timeout) throws IOException, TimeoutException {
        Remote r = remote;
        if (r == null) {
            throw new IllegalStateException(label + ": no SDP from the server yet");
        }
        checkConnectivity(r, System.nanoTime() + timeout.toNanos());
    }

    /** Sends {@code datagram} to the server's candidate as it is (for tests of what the server does with junk). */
    public void sendRaw(byte[] datagram) throws IOException {
        Remote r = remote;
        if (r == null) {
            throw new IllegalStateException(label + ": no SDP from the server yet");
        }
        channel.send(ByteBuffer.wrap(datagram), r.candidate());
    }

    /**
     * Sends junk the server's demultiplexer takes for DTLS: a DTLS 1.2 handshake record in epoch 0 whose header
     * says ClientHello and whose body is random, or random bytes after a handshake record's first bytes.
     */
    public void sendJunkDtls(java.util.Random random) throws IOException {
        int body = 40 + random.nextInt(300);
        ByteBuffer b = ByteBuffer.allocate(13 + body);
        b.put((byte) 22).putShort((short) 0xFEFD).putShort((short) 0).putShort((short) 0).putInt(random.nextInt(1000));
        b.putShort((short) body);
        if (random.nextBoolean()) {
            b.put((byte) 1).put((byte) 0).putShort((short) (body - 12)); // ClientHello of the record's length
            b.putShort((short) 0).put((byte) 0).putShort((short) 0); // message_seq 0, fragment_offset 0
            b.put((byte) 0).putShort((short) (body - 12));
        }
        byte[] rest = new byte[b.remaining()];
        random.nextBytes(rest);
        sendRaw(b.put(rest).array());
    }

    /**
     * Sends a genuine ClientHello, as {@link #connect} would after ICE, and nothing after it: a hostile client
     * that leaves the server's handshake waiting for a flight that never comes.
     */
    public void sendStalledClientHello() throws IOException {
        Remote r = remote;
        if (r == null) {
            throw new IllegalStateException(label + ": no SDP from the server yet");
        }
        sendRaw(ClientHelloCatcher.firstFlight(new DtlsSrtpClient(certificate, r.fingerprint(),
                new int[] {DtlsSrtpClient.AEAD_AES_128_GCM}, 1000)));
    }

    /** Whether DTLS completed and SRTP is ready. */
    public boolean connected() {
        return srtp != null && !closed;
    }

    /** Stops the consent refreshes, as a browser that lost its network would; the SFU should then drop us. */
    public void stopConsent() {
        ScheduledFuture<?> c = consent;
        if (c != null) {
            c.cancel(false);
        }
    }

    /** Simulates loss: packets the filter picks are dropped before decryption, as if they never arrived. */
    public void setLossFilter(LossFilter filter) {
        this.lossFilter = filter;
    }

    private void checkConnectivity(Remote r, long deadline) throws IOException, TimeoutException {
        String username = r.ufrag() + ":" + ufrag;
        while (true) {
            byte[] tx = StunMessage.newTransactionId();
            CompletableFuture<Void> answered = new CompletableFuture<>();
            checkAnswered = answered;
            pendingCheck = tx;
            channel.send(ByteBuffer.wrap(StunMessage.iceCheck(tx, username, r.pwd(), true, tieBreaker)), r.candidate());
            try {
                answered.get(100, TimeUnit.MILLISECONDS);
                return;
            } catch (TimeoutException retry) {
                if (System.nanoTime() > deadline) {
                    throw new TimeoutException(label + ": no answer to ICE checks from " + r.candidate());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted during ICE");
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IOException(e.getCause());
            } finally {
                pendingCheck = null;
            }
        }
    }

    private void sendConsentCheck() {
        Remote r = remote;
        if (closed || r == null) {
            return;
        }
        try {
            channel.send(ByteBuffer.wrap(StunMessage.iceCheck(StunMessage.newTransactionId(), r.ufrag() + ":" + ufrag,
                    r.pwd(), false, tieBreaker)), r.candidate());
        } catch (IOException e) {
            // The next refresh tries again; consent expiring is the SFU's business.
        }
    }

    // --- media ---

    /**
     * Builds, encrypts and sends one RTP packet: version 2, no extensions, the marker bit clear.
     *
     * @return false when SRTP refused it (e.g. the same SSRC and sequence number were sent before)
     */
    public boolean sendRtp(int ssrc, int payloadType, int sequenceNumber, int timestamp, byte[] payload) {
        return sendRtp(ssrc, payloadType, sequenceNumber, timestamp, payload, 0, payload.length);
    }

    /** {@link #sendRtp(int, int, int, int, byte[])} of a slice of {@code payload}. */
    public boolean sendRtp(int ssrc, int payloadType, int sequenceNumber, int timestamp, byte[] payload, int off, int len) {
        return sendRtp(ssrc, payloadType, false, sequenceNumber, timestamp, payload, off, len);
    }

    /** {@link #sendRtp(int, int, int, int, byte[], int, int)} with the marker bit as given (set: a video frame's last packet). */
    public boolean sendRtp(int ssrc, int payloadType, boolean marker, int sequenceNumber, int timestamp, byte[] payload,
                           int off, int len) {
        SrtpSession s = requireConnected();
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payload type must be 0..127, was " + payloadType);
        }
        synchronized (sendBuffer) {
            byte[] b = sendBuffer.array();
            if (12 + len + PacketBuffer.HEADROOM > b.length) {
                throw new IllegalArgumentException("payload of " + len + " bytes does not fit a datagram");
            }
            b[0] = (byte) 0x80;
            b[1] = (byte) (marker ? payloadType | 0x80 : payloadType);
            b[2] = (byte) (sequenceNumber >>> 8);
            b[3] = (byte) sequenceNumber;
            putInt(b, 4, timestamp);
            putInt(b, 8, ssrc);
            System.arraycopy(payload, off, b, 12, len);
            sendBuffer.setWindow(0, 12 + len);
            return s.protectRtp(sendBuffer) && send(sendBuffer);
        }
    }

    /**
     * {@link #sendRtp(int, int, int, int, byte[])} with an RFC 6464 audio level in a one-byte header extension
     * element {@code extensionId} ({@link #publisherOffer} negotiates id 1): {@code level} is -dBov, 0 loudest,
     * 127 silence.
     */
    public boolean sendRtpWithAudioLevel(int ssrc, int payloadType, int sequenceNumber, int timestamp, int extensionId,
                                         int level, byte[] payload) {
        SrtpSession s = requireConnected();
        if (payloadType < 0 || payloadType > 127 || extensionId < 1 || extensionId > 14 || level < 0 || level > 127) {
            throw new IllegalArgumentException("payload type 0..127, extension id 1..14 and level 0..127 only");
        }
        synchronized (sendBuffer) {
            byte[] b = sendBuffer.array();
            if (20 + payload.length + PacketBuffer.HEADROOM > b.length) {
                throw new IllegalArgumentException("payload of " + payload.length + " bytes does not fit a datagram");
            }
            writeHeaderWithExtension(b, payloadType, false, sequenceNumber, timestamp, ssrc, 1);
            b[16] = (byte) (extensionId << 4); // length field 0: one byte of data
            b[17] = (byte) (0x80 | level); // voice activity set
            System.arraycopy(payload, 0, b, 20, payload.length);
            sendBuffer.setWindow(0, 20 + payload.length);
            return s.protectRtp(sendBuffer) && send(sendBuffer);
        }
    }

    /**
     * {@link #sendRtp(int, int, int, int, byte[])} with a transport-wide sequence number (for transport-cc) in a
     * one-byte header extension element {@code extensionId}, as a browser that negotiated it sends every packet.
     */
    public boolean sendRtpWithTransportSequence(int ssrc, int payloadType, int sequenceNumber, int timestamp,
                                                int extensionId, int transportSequence, byte[] payload) {
        if (payloadType < 0 || payloadType > 127) {
            throw new IllegalArgumentException("payload type 0..127 only");
        }
        return sendRtpWithExtension(ssrc, payloadType, false, sequenceNumber, timestamp, extensionId,
                new byte[] {(byte) (transportSequence >>> 8), (byte) transportSequence}, payload);
    }

    /**
     * {@link #sendRtp(int, int, boolean, int, int, byte[], int, int)} with one one-byte header extension element
     * {@code extensionId} carrying {@code value} (1-16 bytes), e.g. a simulcast layer's rid.
     */
    public boolean sendRtpWithExtension(int ssrc, int payloadType, boolean marker, int sequenceNumber, int timestamp,
                                        int extensionId, byte[] value, byte[] payload) {
        SrtpSession s = requireConnected();
        if (extensionId < 1 || extensionId > 14 || value.length < 1 || value.length > 16) {
            throw new IllegalArgumentException("extension id 1..14 and 1..16 bytes of value only");
        }
        int words = (1 + value.length + 3) / 4;
        int header = 16 + 4 * words;
        synchronized (sendBuffer) {
            byte[] b = sendBuffer.array();
            if (header + payload.length + PacketBuffer.HEADROOM > b.length) {
                throw new IllegalArgumentException("payload of " + payload.length + " bytes does not fit a datagram");
            }
            writeHeaderWithExtension(b, payloadType, marker, sequenceNumber, timestamp, ssrc, words);
            b[16] = (byte) (extensionId << 4 | (value.length - 1));
            System.arraycopy(value, 0, b, 17, value.length);
            System.arraycopy(payload, 0, b, header, payload.length);
            sendBuffer.setWindow(0, header + payload.length);
            return s.protectRtp(sendBuffer) && send(sendBuffer);
        }
    }

    /**
     * {@link #sendRtp(int, int, boolean, int, int, byte[], int, int)} with a transport-wide sequence number under
     * {@link dev.parley.sfu.rtp.TransportSequenceExtension#PARLEY_ID} (as an offer made
     * {@link #withTransportSequence} negotiates) and, when {@code rid} is not null, a simulcast layer's rid under
     * {@link #RID_EXTENSION}: what a browser sends for every packet of a simulcast layer until the layer's SSRC is
     * known. Allocates nothing.
     */
    public boolean sendRtpWithTransportSequence(int ssrc, int payloadType, boolean marker, int sequenceNumber,
                                                int timestamp, int transportSequence, byte[] rid, byte[] payload,
                                                int off, int len) {
        SrtpSession s = requireConnected();
        if (payloadType < 0 || payloadType > 127 || (rid != null && (rid.length < 1 || rid.length > 16))) {
            throw new IllegalArgumentException("payload type 0..127 and a rid of 1..16 bytes only");
        }
        int elements = 3 + (rid == null ? 0 : 1 + rid.length);
        int words = (elements + 3) / 4;
        int header = 16 + 4 * words;
        synchronized (sendBuffer) {
            byte[] b = sendBuffer.array();
            if (header + len + PacketBuffer.HEADROOM > b.length) {
                throw new IllegalArgumentException("payload of " + len + " bytes does not fit a datagram");
            }
            writeHeaderWithExtension(b, payloadType, marker, sequenceNumber, timestamp, ssrc, words);
            b[16] = (byte) (dev.parley.sfu.rtp.TransportSequenceExtension.PARLEY_ID << 4 | 1);
            b[17] = (byte) (transportSequence >>> 8);
            b[18] = (byte) transportSequence;
            if (rid != null) {
                b[19] = (byte) (RID_EXTENSION << 4 | (rid.length - 1));
                System.arraycopy(rid, 0, b, 20, rid.length);
            }
            System.arraycopy(payload, off, b, header, len);
            sendBuffer.setWindow(0, header + len);
            return s.protectRtp(sendBuffer) && send(sendBuffer);
        }
    }

    /** Encrypts and sends an RTCP compound packet (e.g. one made with {@link dev.parley.sfu.rtp.RtcpWriter}). */
    public boolean sendRtcp(byte[] rtcp, int off, int len) {
        SrtpSession s = requireConnected();
        synchronized (sendBuffer) {
            sendBuffer.copyFrom(rtcp, off, len);
            return s.protectRtcp(sendBuffer) && send(sendBuffer);
        }
    }

    private boolean send(PacketBuffer p) {
        try {
            // false: a non-blocking socket (a shared receiver's) whose send buffer is full dropped it.
            return channel.send(ByteBuffer.wrap(p.array(), p.offset(), p.length()), remote.candidate());
        } catch (IOException e) {
            return false;
        }
    }

    private SrtpSession requireConnected() {
        SrtpSession s = srtp;
        if (s == null || closed) {
            throw new IllegalStateException(label + " is not connected");
        }
        return s;
    }

    /** RTP packets received and authenticated. */
    public long rtpReceived() {
        return rtpReceived.get();
    }

    /** RTCP packets received and authenticated. */
    public long rtcpReceived() {
        return rtcpReceived.get();
    }

    /** SRTP/SRTCP packets that failed to authenticate or were replays. */
    public long rejectedPackets() {
        return rejected.get();
    }

    /** Success responses to consent refreshes. */
    public long consentResponses() {
        return consentResponses.get();
    }

    private void receiveLoop() {
        PacketBuffer in = new PacketBuffer();
        ByteBuffer view = ByteBuffer.wrap(in.array(), 0, PacketBuffer.MAX_DATAGRAM);
        while (!closed) {
            view.clear().limit(PacketBuffer.MAX_DATAGRAM);
            int len;
            try {
                len = channel.receive(view);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (channel instanceof PeerLink.Tcp) {
                    return; // a broken TCP stream cannot be resynchronised
                }
                continue;
            }
            if (len < 0) {
                return;
            }
            long now = System.nanoTime();
            if (len == 0) {
                continue;
            }
            in.setWindow(0, len);
            onDatagram(in, now);
        }
    }

    /** A datagram read by this peer's own thread or by its {@link PeerReceiver}. */
    void onDatagram(PacketBuffer in, long now) {
        byte[] b = in.array();
        int first = b[0] & 0xFF;
        if (first <= 3) {
            byte[] tx = pendingCheck;
            if (tx != null && StunMessage.isBindingSuccessFor(b, 0, in.length(), tx)) {
                checkAnswered.complete(null);
            } else if ((((b[0] & 0xFF) << 8) | (b[1] & 0xFF)) == StunMessage.BINDING_SUCCESS) {
                consentResponses.incrementAndGet();
            }
        } else if (first >= 20 && first <= 63) {
            ChannelDatagramTransport t = dtlsTransport;
            if (t != null) {
                t.offer(b, 0, in.length());
            }
        } else if (first >= 128 && first <= 191) {
            SrtpSession s = srtp;
            if (s == null) {
                return;
            }
            if (RtcpPacket.isRtcp(b, 0, in.length())) {
                if (s.unprotectRtcp(in)) {
                    rtcpReceived.incrementAndGet();
                    handler.onRtcp(in, now);
                } else {
                    rejected.incrementAndGet();
                }
                return;
            }
            LossFilter loss = lossFilter;
            if (loss != null && in.length() >= 12 && loss.drop(getInt(b, 8), ((b[2] & 0xFF) << 8) | (b[3] & 0xFF))) {
                return;
            }
            if (!decryptRtp) {
                rtpReceived.lazySet(rtpReceived.get() + 1); // only this peer's receive thread writes it
                handler.onRtp(in, now);
            } else if (s.unprotectRtp(in)) {
                rtpReceived.incrementAndGet();
                handler.onRtp(in, now);
            } else {
                rejected.incrementAndGet();
            }
        }
    }

    /** Stops consent, the receive thread and the socket. */
    @Override
    public void close() {
        closed = true;
        stopConsent();
        try {
            channel.close(); // also deregisters it from a shared receiver
        } catch (IOException e) {
            // closing anyway
        }
        DTLSTransport d = dtls;
        if (d != null) {
            try {
                d.close();
            } catch (IOException e) {
                // the socket is gone already
            }
        }
        if (receiver != null) {
            try {
                receiver.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "SyntheticPeer[" + label + " " + localAddress() + "]";
    }

    private static String random(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ICE_CHARS[RANDOM.nextInt(ICE_CHARS.length)];
        }
        return new String(c);
    }

    /**
     * An RTP header with a one-byte-header extension block of {@code words} 32-bit words, zeroed (the padding after
     * the last element stays zero); the caller writes the elements from offset 16.
     */
    private static void writeHeaderWithExtension(byte[] b, int payloadType, boolean marker, int sequenceNumber,
                                                 int timestamp, int ssrc, int words) {
        b[0] = (byte) 0x90; // version 2, extension
        b[1] = (byte) (marker ? payloadType | 0x80 : payloadType);
        b[2] = (byte) (sequenceNumber >>> 8);
        b[3] = (byte) sequenceNumber;
        putInt(b, 4, timestamp);
        putInt(b, 8, ssrc);
        b[12] = (byte) 0xBE;
        b[13] = (byte) 0xDE;
        b[14] = 0;
        b[15] = (byte) words;
        java.util.Arrays.fill(b, 16, 16 + 4 * words, (byte) 0);
    }

    /** Writes {@code v} big-endian at {@code at}. */
    public static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** Reads a big-endian int at {@code at}. */
    public static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    private static int[] useSrtpIds(SrtpProfile[] profiles) {
        int[] ids = new int[profiles.length];
        for (int i = 0; i < profiles.length; i++) {
            ids[i] = profiles[i].useSrtpId();
        }
        return ids;
    }

    // --- ICE restart ---

    /**
     * Restarts ICE from this side: new credentials of ours go into the next SDP this peer writes, and the
     * server's next SDP may bring new ones of its (with the same fingerprint: DTLS is not restarted). Then
     * {@link #recheckIce} runs connectivity checks again; consent refreshes use the new credentials.
     */
    public void restartIce() {
        ufrag = random(8);
        pwd = random(24);
        restarting = true;
    }

    /** Checks connectivity under the current credentials, as after an ICE restart; DTLS and SRTP stay as they are. */
    public void recheckIce(Duration timeout) throws IOException, TimeoutException {
        checkIce(timeout);
    }

    /** The server's ICE ufrag and password as its latest SDP gave them. */
    public String[] serverCredentials() {
        Remote r = remote;
        return r == null ? null : new String[] {r.ufrag(), r.pwd()};
    }

    /** Whether one check with these server credentials gets a success response within {@code wait}. */
    public boolean checkAnsweredWith(String serverUfrag, String serverPwd, Duration wait) throws IOException {
        Remote r = remote;
        if (r == null) {
            throw new IllegalStateException(label + ": no SDP from the server yet");
        }
        byte[] tx = StunMessage.newTransactionId();
        CompletableFuture<Void> answered = new CompletableFuture<>();
        checkAnswered = answered;
        pendingCheck = tx;
        channel.send(ByteBuffer.wrap(StunMessage.iceCheck(tx, serverUfrag + ":" + ufrag, serverPwd, false, tieBreaker)),
                r.candidate());
        try {
            answered.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted during an ICE check");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        } finally {
            pendingCheck = null;
        }
    }
}

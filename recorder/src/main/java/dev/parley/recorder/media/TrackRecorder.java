package dev.parley.recorder.media;

import dev.parley.sfu.rtp.RtpHeader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Records one track's RTP stream into one file: jitter buffer, depacketizer, WebM writer.
 *
 * <p>The file is created at the first frame that can be written (for video, the first keyframe, which gives the
 * picture size); before it, and after every loss, the {@code keyframeRequest} callback asks the sender for a
 * keyframe, at most once per {@link MediaSettings#keyframeRequestInterval()}. Frame times come from the RTP
 * timestamps and the clock rate. The first frame of a sender is placed on the file's timeline by its arrival
 * time relative to {@code originNanos}, so all the tracks of one recording share a timeline and a pause (mute,
 * camera off, a publisher who left) stays a gap of the right length. A new SSRC (the publisher came back) or a
 * timestamp jump that disagrees with the arrival times by more than {@link #REBASE_MILLIS} starts such a new
 * placement. Picture size changes are counted; the file keeps the first size in its header, and every keyframe
 * carries its own size for the decoder.
 *
 * <p>Not thread-safe: call it from the recorder's thread. Nothing here throws on bad packets. An I/O error (disk
 * full) stops the recording of this track: {@link TrackStats#failure()} says why, and later packets are ignored.
 */
public final class TrackRecorder implements Closeable {
    /** A disagreement between RTP time and arrival time beyond this is a discontinuity, not jitter. */
    static final long REBASE_MILLIS = 5_000;

    private final Path file;
    private final CodecInfo codec;
    private final long originNanos;
    private final Runnable keyframeRequest;
    private final MediaSettings settings;
    private final LongSupplier nanoClock;
    private final SenderClock senderClock;
    private boolean reportKnown;
    private int reportSsrc;
    private int reportTimestamp;
    private long reportNtpNanos;
    private boolean synced;
    private long syncCorrectionMillis;
    private final JitterBuffer jitter;
    private final Depacketizer depacketizer;

    private WebmWriter writer;
    private boolean sawSender;
    private int ssrc;
    private boolean rebase = true;
    private long baseMillis;
    private long baseTimestamp;
    private long lastMillis = -1;
    private long firstMillis = -1;
    private int width;
    private int height;
    private long resolutionChanges;
    private long keyframeRequests;
    private long lastKeyframeRequest;
    private boolean keyframeRequested;
    private long senders;
    private long now;
    private long lastFrameArrival;
    private final byte[] scratch = new byte[JitterBuffer.MAX_PACKET];
    private String failure;
    private boolean closed;

    /**
     * @param file where to write; must not exist yet (created at the first frame)
     * @param originNanos the recording's time zero, on the clock of the {@code nowNanos} arguments
     * @param keyframeRequest asks the sender for a keyframe (runs on the caller's thread; must not block)
     */
    public TrackRecorder(Path file, CodecInfo codec, long originNanos, Runnable keyframeRequest,
            MediaSettings settings) {
        this(file, codec, originNanos, keyframeRequest, settings, new SenderClock());
    }

    /**
     * @param senderClock the publisher's clock, shared with the recorders of its other tracks (for A/V sync)
     */
    public TrackRecorder(Path file, CodecInfo codec, long originNanos, Runnable keyframeRequest,
            MediaSettings settings, SenderClock senderClock) {
        this(file, codec, originNanos, keyframeRequest, settings, senderClock, System::nanoTime);
    }

    TrackRecorder(Path file, CodecInfo codec, long originNanos, Runnable keyframeRequest, MediaSettings settings,
            SenderClock senderClock, LongSupplier nanoClock) {
        this.senderClock = senderClock;
        this.file = file;
        this.codec = codec;
        this.originNanos = originNanos;
        this.keyframeRequest = keyframeRequest;
        this.settings = settings;
        this.nanoClock = nanoClock;
        this.jitter = new JitterBuffer(settings.jitterSlots(), settings.jitterDeadline().toNanos(),
                this::ordered);
        this.depacketizer = Depacketizer.of(codec.codec(), new Frames(), settings.maxFrameBytes());
    }

    /** Takes one decrypted RTP packet of the track, received at {@code nowNanos}. */
    public void packet(byte[] buf, int off, int len, long nowNanos) {
        if (closed || failure != null) {
            return;
        }
        now = nowNanos;
        if (RtpHeader.isValid(buf, off, len)) {
            int packetSsrc = RtpHeader.ssrc(buf, off);
            if (!sawSender || packetSsrc != ssrc) {
                newSender(packetSsrc);
            }
        }
        jitter.push(buf, off, len, nowNanos);
    }

    /**
     * Takes an RTCP sender report of the track's publisher: the NTP time (64-bit RTCP form) at which the RTP
     * timestamp {@code rtpTimestamp} was current for the stream {@code ssrc}, received at {@code nowNanos}.
     */
    public void senderReport(int ssrc, long ntpTimestamp, int rtpTimestamp, long nowNanos) {
        if (closed) {
            return;
        }
        long ntpNanos = SenderClock.ntpNanos(ntpTimestamp);
        reportKnown = true;
        reportSsrc = ssrc;
        reportTimestamp = rtpTimestamp;
        reportNtpNanos = ntpNanos;
        senderClock.observe(ntpNanos, nowNanos);
    }

    /** {@link #packet(byte[], int, int, long)} for the packet between a buffer's position and limit. */
    public void packet(ByteBuffer packet, long nowNanos) {
        int len = packet.remaining();
        if (packet.hasArray()) {
            packet(packet.array(), packet.arrayOffset() + packet.position(), len, nowNanos);
        } else if (len <= scratch.length) {
            packet.get(packet.position(), scratch, 0, len);
            packet(scratch, 0, len, nowNanos);
        } else {
            packet(scratch, 0, 0, nowNanos); // too large for any RTP packet kept: counted as refused
        }
    }

    /**
     * Releases packets whose deadline passed, and writes out the open cluster once the track has been quiet for
     * a cluster's duration (so a mute does not keep media only in memory). Call it regularly, e.g. every 50 ms.
     */
    public void tick(long nowNanos) {
        if (closed || failure != null) {
            return;
        }
        now = nowNanos;
        jitter.poll(nowNanos);
        if (writer != null && nowNanos - lastFrameArrival >= settings.clusterDuration().toNanos()) {
            try {
                writer.flush();
            } catch (IOException e) {
                fail(e);
            }
        }
    }

    private void newSender(int newSsrc) {
        if (sawSender) {
            // The publisher left and came back (or restarted its encoder): finish the old stream, start anew.
            jitter.flush();
            jitter.reset();
            depacketizer.reset();
        }
        sawSender = true;
        ssrc = newSsrc;
        senders++;
        rebase = true;
    }

    private void ordered(OrderedPacket p) {
        if (failure == null) {
            depacketizer.push(p);
        }
    }

    private final class Frames implements FrameSink {
        @Override
        public void frame(byte[] data, int offset, int length, long timestamp, boolean keyframe, long arrival) {
            if (failure != null) {
                return;
            }
            keyframeRequested = false;
            lastFrameArrival = arrival;
            long arrivalMillis = Math.max(0, (arrival - originNanos) / 1_000_000);
            long millis = baseMillis + Math.floorDiv((timestamp - baseTimestamp) * 1000, codec.clockRate());
            if (rebase || Math.abs(millis - arrivalMillis) > REBASE_MILLIS) {
                rebase = false;
                baseMillis = Math.max(arrivalMillis, lastMillis + 1);
                baseTimestamp = timestamp;
                millis = baseMillis;
            }
            try {
                if (writer == null) {
                    writer = WebmWriter.create(file, track(), settings.clusterDuration().toMillis(),
                            settings.syncInterval().toNanos(), nanoClock);
                }
                writer.write(data, offset, length, millis, keyframe);
                if (firstMillis < 0) {
                    firstMillis = millis;
                }
                lastMillis = Math.max(lastMillis, millis);
                measureSync(timestamp, millis);
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        @Override
        public void resolution(int w, int h) {
            if (width != 0) {
                resolutionChanges++;
            }
            width = w;
            height = h;
        }

        @Override
        public void keyframeNeeded() {
            if (!keyframeRequested || now - lastKeyframeRequest >= settings.keyframeRequestInterval().toNanos()) {
                keyframeRequested = true;
                lastKeyframeRequest = now;
                keyframeRequests++;
                keyframeRequest.run();
            }
        }
    }

    /** How far this frame's file time is from its capture time as the sender reports and the clock say. */
    private void measureSync(long timestamp, long fileMillis) {
        if (!reportKnown || reportSsrc != ssrc || !senderClock.known()) {
            return;
        }
        long sinceReport = (int) timestamp - reportTimestamp; // wrapping difference, good for +-12 h at 48 kHz
        long captureNtp = reportNtpNanos + sinceReport * 1_000_000_000L / codec.clockRate();
        syncCorrectionMillis = Math.floorDiv(senderClock.toLocal(captureNtp) - originNanos, 1_000_000L)
                - fileMillis;
        synced = true;
    }

    private WebmWriter.Track track() {
        return switch (codec.codec()) {
            case OPUS -> new WebmWriter.Track(MediaCodec.OPUS, 0, 0, codec.clockRate(), codec.channels(),
                    opusHead(codec.channels()));
            case VP8 -> new WebmWriter.Track(MediaCodec.VP8, width, height, 0, 0, null);
            case H264 -> new WebmWriter.Track(MediaCodec.H264, width, height, 0, 0,
                    avcConfiguration((H264Depacketizer) depacketizer));
        };
    }

    /** The Ogg Opus identification header (RFC 7845 section 5.1) that Matroska wants as CodecPrivate. */
    static byte[] opusHead(int channels) {
        return new byte[] {'O', 'p', 'u', 's', 'H', 'e', 'a', 'd', 1, (byte) channels, 0, 0,
            (byte) 0x80, (byte) 0xBB, 0, 0, 0, 0, 0};
    }

    /** The AVCDecoderConfigurationRecord (ISO/IEC 14496-15 section 5.2.4.1) from the last SPS and PPS. */
    static byte[] avcConfiguration(H264Depacketizer h264) {
        byte[] sps = h264.sps();
        byte[] pps = h264.pps();
        if (sps.length < 4 || pps.length == 0) {
            return null;
        }
        GrowableBytes b = new GrowableBytes(16 + sps.length + pps.length, 1024);
        b.put(1);
        b.put(sps[1]);
        b.put(sps[2]);
        b.put(sps[3]);
        b.put(0xFF); // 4-byte NAL unit lengths
        b.put(0xE1); // one SPS
        b.putU16(sps.length);
        b.put(sps, 0, sps.length);
        b.put(1); // one PPS
        b.putU16(pps.length);
        b.put(pps, 0, pps.length);
        return java.util.Arrays.copyOf(b.array(), b.length());
    }

    private void fail(Exception e) {
        failure = e.getClass().getSimpleName() + ": " + e.getMessage();
        if (writer != null) {
            try {
                writer.abandon();
            } catch (IOException ignored) {
                // The failure is already recorded; closing the channel is all that is left to try.
            }
        }
    }

    /**
     * Ends the recording of this track: releases what the jitter buffer holds and finalizes the file. Without a
     * single frame written, no file is created.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (failure == null) {
            jitter.flush();
        }
        closed = true;
        if (writer != null && failure == null) {
            try {
                writer.close();
            } catch (IOException e) {
                fail(e);
                throw e;
            }
        }
    }

    /** Whether a file has been created (at the first frame written). */
    public boolean hasFile() {
        return writer != null;
    }

    /** Counters of what happened so far. */
    public TrackStats stats() {
        return new TrackStats(writer == null ? 0 : writer.frames(), writer == null ? 0 : writer.bytes(),
                writer == null ? 0 : writer.durationMillis(), jitter.received(), jitter.lost(), jitter.late(),
                jitter.duplicates(), jitter.refused(), depacketizer.malformed(), depacketizer.dropped(),
                keyframeRequests, senders, width, height, resolutionChanges, synced, syncCorrectionMillis,
                failure, firstMillis);
    }
}

package dev.parley.loadtest;

import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends every publisher's synthetic media from one thread, shaped like a browser's: Opus-sized audio every 20 ms
 * (50 packets/s, 48 kHz timestamps) and VP8 video at 30 frames/s in bursts of 4 or 5 packets per frame (126
 * packets/s, 90 kHz timestamps, the marker on a frame's last packet, a keyframe every 2 s). Publishers are
 * spread over the 20 ms so that their packets do not all leave at once. Payloads are not decodable pictures or
 * sound; nothing on a forwarding path looks inside them. Each carries its send time ({@link SendTimestamp}).
 *
 * <p>A publisher with a {@link SimulcastCamera} sends its video as three simulcast layers instead (216 video
 * packets/s, the top layer shaped as the single stream), and every packet, audio too, with a transport-wide
 * sequence number. Each subscriber is owed the audio ({@link #owed()}) and one layer, which Parley picks.
 */
final class MediaSender implements AutoCloseable {
    static final int AUDIO_PACKETS_PER_SECOND = 50;
    static final int VIDEO_FRAMES_PER_SECOND = 30;
    /** 4.2 packets per frame on average: one frame in five has a fifth packet. */
    static final int VIDEO_PACKETS_PER_SECOND = 126;
    static final int AUDIO_PAYLOAD = 100;
    static final int VIDEO_PAYLOAD = 1100;
    private static final long AUDIO_INTERVAL = 20_000_000L;
    private static final long FRAME_INTERVAL = 1_000_000_000L / VIDEO_FRAMES_PER_SECOND;

    private final List<Source> sources;
    private final Thread thread;
    private final double skipShare;
    private volatile boolean running = true;
    private volatile long sent;
    private volatile long owed;
    private volatile long topLayer;
    private volatile long skipped;
    private volatile long failed;

    /** One publisher's streams and where they are. */
    private static final class Source {
        final LoadParticipant publisher;
        long nextAudio;
        long nextFrame;
        int audioSeq;
        int videoSeq;
        int audioTs;
        int videoTs;
        long frames;

        Source(LoadParticipant publisher, long start, SplittableRandom random) {
            this.publisher = publisher;
            this.nextAudio = start;
            this.nextFrame = start;
            this.audioSeq = random.nextInt(0x10000);
            this.videoSeq = random.nextInt(0x10000);
            this.audioTs = random.nextInt();
            this.videoTs = random.nextInt();
        }
    }

    /**
     * Starts sending for {@code publishers} (connected); {@code skipPercent} of the packets are left out, their
     * sequence numbers used up as if they had been lost on the way.
     */
    MediaSender(List<LoadParticipant> publishers, double skipPercent) {
        this.skipShare = skipPercent / 100.0;
        SplittableRandom random = new SplittableRandom();
        long now = System.nanoTime();
        this.sources = new java.util.ArrayList<>();
        for (int i = 0; i < publishers.size(); i++) {
            sources.add(new Source(publishers.get(i), now + i * AUDIO_INTERVAL / publishers.size(), random));
        }
        thread = new Thread(() -> loop(random), "loadtest-media-sender");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(SplittableRandom random) {
        SimulcastCamera.Packets layers = new SimulcastCamera.Packets();
        long[] counts = new long[4]; // simulcast video: sent, of it the top layer, skipped, failed
        java.util.function.BooleanSupplier skip = () -> {
            if (skipShare > 0 && random.nextDouble() < skipShare) {
                counts[2]++;
                return true;
            }
            return false;
        };
        SimulcastCamera.Counter counter = (layer, ok) -> {
            if (ok) {
                counts[0]++;
                if (layer == SimulcastCamera.TOP) {
                    counts[1]++;
                }
            } else {
                counts[3]++;
            }
        };
        byte[] audio = new byte[AUDIO_PAYLOAD];
        audio[0] = (byte) 0x78; // an Opus TOC byte: CELT fullband 20 ms, one frame
        byte[] keyframe = vp8FirstPacket(true);
        byte[] delta = vp8FirstPacket(false);
        byte[] rest = new byte[VIDEO_PAYLOAD]; // a continuation: descriptor 0x00, filler
        long sentHere = 0;
        long owedHere = 0; // sent packets every subscriber is owed (see owed())
        long skippedHere = 0;
        long failedHere = 0;
        while (running) {
            long now = System.nanoTime();
            long wake = now + AUDIO_INTERVAL;
            for (Source s : sources) {
                SyntheticPeer peer = s.publisher.peer();
                SimulcastCamera camera = s.publisher.camera();
                while (s.nextAudio <= now) {
                    int seq = s.audioSeq++ & 0xFFFF;
                    int transport = camera == null ? 0 : camera.nextTransportSequence();
                    if (skipShare > 0 && random.nextDouble() < skipShare) {
                        skippedHere++;
                    } else if (camera != null) {
                        if (stamp(audio) && peer.sendRtpWithTransportSequence(s.publisher.audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, false,
                                seq, s.audioTs, transport, null, audio, 0, audio.length)) {
                            sentHere++;
                            owedHere++;
                        } else {
                            failedHere++;
                        }
                    } else if (stamp(audio) && peer.sendRtp(s.publisher.audioSsrc, SyntheticPeer.OPUS_PAYLOAD_TYPE, false, seq, s.audioTs,
                            audio, 0, audio.length)) {
                        sentHere++;
                        owedHere++;
                    } else {
                        failedHere++;
                    }
                    s.audioTs += 960;
                    s.nextAudio += AUDIO_INTERVAL;
                }
                while (camera != null && s.nextFrame <= now) {
                    camera.sendFrame(peer, layers, s.frames, s.videoTs, s.frames % (2L * VIDEO_FRAMES_PER_SECOND) == 0,
                            skip, counter);
                    s.videoTs += 90_000 / VIDEO_FRAMES_PER_SECOND;
                    s.frames++;
                    s.nextFrame += FRAME_INTERVAL;
                }
                while (s.nextFrame <= now) {
                    int packets = s.frames % 5 == 0 ? 5 : 4;
                    byte[] first = s.frames % (2L * VIDEO_FRAMES_PER_SECOND) == 0 ? keyframe : delta;
                    for (int p = 0; p < packets; p++) {
                        int seq = s.videoSeq++ & 0xFFFF;
                        if (skipShare > 0 && random.nextDouble() < skipShare) {
                            skippedHere++;
                        } else if (stamp(p == 0 ? first : rest) && peer.sendRtp(s.publisher.videoSsrc,
                                SyntheticPeer.VP8_PAYLOAD_TYPE, p == packets - 1,
                                seq, s.videoTs, p == 0 ? first : rest, 0, VIDEO_PAYLOAD)) {
                            sentHere++;
                            owedHere++;
                        } else {
                            failedHere++;
                        }
                    }
                    s.videoTs += 90_000 / VIDEO_FRAMES_PER_SECOND;
                    s.frames++;
                    s.nextFrame += FRAME_INTERVAL;
                }
                wake = Math.min(wake, Math.min(s.nextAudio, s.nextFrame));
            }
            sent = sentHere + counts[0];
            owed = owedHere;
            topLayer = counts[1];
            skipped = skippedHere + counts[2];
            failed = failedHere + counts[3];
            long wait = wake - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /** Writes the send time into {@code payload} just before it is sent; true, to chain before the send. */
    private static boolean stamp(byte[] payload) {
        SendTimestamp.write(payload, 0, System.nanoTime());
        return true;
    }

    /** A VP8 payload's first packet of a frame (RFC 7741 descriptor with S set; RFC 6386 frame tag). */
    private static byte[] vp8FirstPacket(boolean keyframe) {
        byte[] p = new byte[VIDEO_PAYLOAD];
        p[0] = 0x10; // start of partition 0
        int firstPartition = 4 * VIDEO_PAYLOAD;
        int tag = (firstPartition << 5) | 0x10 | (keyframe ? 0 : 1); // show_frame; bit 0 clear for a keyframe
        p[1] = (byte) tag;
        p[2] = (byte) (tag >>> 8);
        p[3] = (byte) (tag >>> 16);
        if (keyframe) {
            p[4] = (byte) 0x9d; // keyframe start code, then 640x360
            p[5] = 0x01;
            p[6] = 0x2a;
            p[7] = (byte) 640;
            p[8] = (byte) (640 >>> 8);
            p[9] = (byte) 360;
            p[10] = (byte) (360 >>> 8);
        }
        return p;
    }

    /** RTP packets handed to the sockets. */
    long sent() {
        return sent;
    }

    /**
     * Packets sent that each subscriber is owed whatever Parley decides: all of them from single-stream publishers,
     * the audio of simulcast ones (of whose video a subscriber gets the layer Parley chose: {@link #topLayerSent}).
     */
    long owed() {
        return owed;
    }

    /** Packets sent of simulcast top layers. */
    long topLayerSent() {
        return topLayer;
    }

    /** Packets left out on purpose ({@code --publisher-loss}). */
    long skipped() {
        return skipped;
    }

    /** Packets a full socket buffer or SRTP refused. */
    long failed() {
        return failed;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(2000);
    }
}

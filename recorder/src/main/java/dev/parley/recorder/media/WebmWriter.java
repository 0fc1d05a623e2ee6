package dev.parley.recorder.media;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Writes one track into a WebM file (Matroska for H.264) so that a crash loses at most the cluster being
 * built.
 *
 * <p>The header (EBML header, Segment of unknown size, room for a SeekHead, Info with room for a Duration,
 * Tracks) is written and synced when the file is created. Frames are gathered into a Cluster in memory; a
 * cluster is closed at a video keyframe, after {@code clusterMillis}, or when it grows large, and is then
 * written whole (with its size known) and handed to the OS. The file is synced to disk when a cluster is
 * written and {@code syncIntervalNanos} have passed since the last sync. Whatever is on disk is therefore a
 * playable file ending at a cluster boundary. {@link #close()} finalizes: the Cues (one per keyframe), the
 * Segment size, the SeekHead and the Duration are written, and the file is synced.
 *
 * <p>Timestamps are milliseconds; one that goes backwards is written as the previous one (Matroska players
 * expect a track's blocks in time order).
 */
final class WebmWriter implements Closeable {
    /** Description of the one track of the file. */
    record Track(MediaCodec codec, int width, int height, int sampleRate, int channels, byte[] codecPrivate) {
    }

    static final int EBML = 0x1A45DFA3;
    static final int SEGMENT = 0x18538067;
    static final int SEEK_HEAD = 0x114D9B74;
    static final int SEEK = 0x4DBB;
    static final int SEEK_ID = 0x53AB;
    static final int SEEK_POSITION = 0x53AC;
    static final int INFO = 0x1549A966;
    static final int TRACKS = 0x1654AE6B;
    static final int CLUSTER = 0x1F43B675;
    static final int CUES = 0x1C53BB6B;
    static final int SIMPLE_BLOCK = 0xA3;

    /** A cluster grows at most this big before it is closed early (bounds memory for very high bitrates). */
    static final int MAX_CLUSTER_BYTES = 8 << 20;
    private static final int SEEK_HEAD_ROOM = 96;
    private static final int DURATION_ROOM = 11;

    private final FileChannel channel;
    private final Track track;
    private final long clusterMillis;
    private final long syncIntervalNanos;
    private final LongSupplier nanoClock;
    private final GrowableBytes cluster = new GrowableBytes(256 << 10, MAX_CLUSTER_BYTES + (1 << 20));

    private final long segmentSizeAt;
    private final long segmentDataAt;
    private final long seekHeadAt;
    private final long durationAt;
    private final long infoAt;
    private final long tracksAt;
    private long fileLength;

    private ByteBuffer clusterView;
    private boolean clusterOpen;
    private long clusterTime;
    private long lastTime = -1;
    private long lastDelta;
    private long frames;
    private long[] cueTimes = new long[64];
    private long[] cuePositions = new long[64];
    private int cues;
    private long lastSync;
    private boolean closed;

    private WebmWriter(FileChannel channel, Track track, long clusterMillis, long syncIntervalNanos,
            LongSupplier nanoClock) throws IOException {
        this.channel = channel;
        this.track = track;
        this.clusterMillis = clusterMillis;
        this.syncIntervalNanos = syncIntervalNanos;
        this.nanoClock = nanoClock;

        GrowableBytes h = new GrowableBytes(1024, 64 << 10);
        GrowableBytes c = new GrowableBytes(64, 1024);
        Ebml.uint(c, 0x4286, 1); // EBMLVersion
        Ebml.uint(c, 0x42F7, 1); // EBMLReadVersion
        Ebml.uint(c, 0x42F2, 4); // EBMLMaxIDLength
        Ebml.uint(c, 0x42F3, 8); // EBMLMaxSizeLength
        Ebml.string(c, 0x4282, track.codec() == MediaCodec.H264 ? "matroska" : "webm"); // DocType
        Ebml.uint(c, 0x4287, 4); // DocTypeVersion
        Ebml.uint(c, 0x4285, 2); // DocTypeReadVersion
        Ebml.master(h, EBML, c);

        Ebml.id(h, SEGMENT);
        segmentSizeAt = h.length();
        Ebml.size8(h, Ebml.UNKNOWN_SIZE);
        segmentDataAt = h.length();
        seekHeadAt = h.length();
        Ebml.voidElement(h, SEEK_HEAD_ROOM);

        infoAt = h.length();
        c = new GrowableBytes(64, 1024);
        Ebml.uint(c, 0x2AD7B1, 1_000_000); // TimestampScale: block times in milliseconds
        Ebml.string(c, 0x4D80, "Parley"); // MuxingApp
        Ebml.string(c, 0x5741, "Parley recorder"); // WritingApp
        int durationInInfo = c.length();
        Ebml.voidElement(c, DURATION_ROOM);
        Ebml.master(h, INFO, c);
        durationAt = h.length() - c.length() + durationInInfo;

        tracksAt = h.length();
        Ebml.master(h, TRACKS, trackEntries(track));

        ByteBuffer header = ByteBuffer.wrap(h.array(), 0, h.length());
        while (header.hasRemaining()) {
            channel.write(header);
        }
        fileLength = h.length();
        channel.force(true);
        lastSync = nanoClock.getAsLong();
    }

    /**
     * Creates the file (it must not exist) and writes its header.
     *
     * @param clusterMillis longest cluster, i.e. most media a crash can lose
     * @param syncIntervalNanos least time between two syncs of the file to disk
     */
    static WebmWriter create(Path file, Track track, long clusterMillis, long syncIntervalNanos,
            LongSupplier nanoClock) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            return new WebmWriter(channel, track, clusterMillis, syncIntervalNanos, nanoClock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static GrowableBytes trackEntries(Track track) {
        GrowableBytes e = new GrowableBytes(256, 8 << 10);
        Ebml.uint(e, 0xD7, 1); // TrackNumber
        Ebml.uint(e, 0x73C5, 1); // TrackUID
        Ebml.uint(e, 0x83, track.codec().isVideo() ? 1 : 2); // TrackType
        Ebml.uint(e, 0x9C, 0); // FlagLacing
        Ebml.string(e, 0x86, track.codec().matroskaId()); // CodecID
        if (track.codecPrivate() != null && track.codecPrivate().length > 0) {
            Ebml.binary(e, 0x63A2, track.codecPrivate()); // CodecPrivate
        }
        GrowableBytes d = new GrowableBytes(32, 256);
        if (track.codec().isVideo()) {
            Ebml.uint(d, 0xB0, track.width()); // PixelWidth
            Ebml.uint(d, 0xBA, track.height()); // PixelHeight
            Ebml.master(e, 0xE0, d); // Video
        } else {
            Ebml.uint(e, 0x56BB, 80_000_000); // SeekPreRoll: Opus needs 80 ms decoded before a seek point
            Ebml.float64(d, 0xB5, track.sampleRate()); // SamplingFrequency
            Ebml.uint(d, 0x9F, track.channels()); // Channels
            Ebml.master(e, 0xE1, d); // Audio
        }
        GrowableBytes entries = new GrowableBytes(512, 8 << 10);
        Ebml.master(entries, 0xAE, e); // TrackEntry
        return entries;
    }

    /** Appends one frame at {@code timeMillis} from the start of the file's timeline. */
    void write(byte[] data, int off, int len, long timeMillis, boolean keyframe) throws IOException {
        if (closed) {
            throw new IllegalStateException("the WebM file is already closed");
        }
        long time = Math.max(timeMillis, Math.max(lastTime, 0));
        if (clusterOpen && (keyframe && track.codec().isVideo() || time - clusterTime >= clusterMillis
                || time - clusterTime > Short.MAX_VALUE || cluster.length() + len > MAX_CLUSTER_BYTES)) {
            writeCluster();
        }
        if (!clusterOpen) {
            cluster.clear();
            Ebml.id(cluster, CLUSTER);
            Ebml.size8(cluster, 0); // filled in when the cluster is written
            Ebml.uint(cluster, 0xE7, time); // Timestamp
            clusterOpen = true;
            clusterTime = time;
        }
        if (keyframe && (track.codec().isVideo() || cues == 0
                || time - cueTimes[cues - 1] >= 1000)) {
            addCue(time, fileLength - segmentDataAt);
        }
        Ebml.id(cluster, SIMPLE_BLOCK);
        Ebml.size(cluster, 4L + len);
        cluster.put(0x81); // track number 1
        cluster.putU16((int) (time - clusterTime));
        cluster.put(keyframe ? 0x80 : 0x00);
        cluster.put(data, off, len);
        if (lastTime >= 0) {
            lastDelta = time - lastTime;
        }
        lastTime = time;
        frames++;
    }

    private void addCue(long time, long clusterPosition) {
        if (cues == cueTimes.length) {
            cueTimes = Arrays.copyOf(cueTimes, cues * 2);
            cuePositions = Arrays.copyOf(cuePositions, cues * 2);
        }
        cueTimes[cues] = time;
        cuePositions[cues] = clusterPosition;
        cues++;
    }

    private void writeCluster() throws IOException {
        if (!clusterOpen) {
            return;
        }
        clusterOpen = false;
        Ebml.size8(cluster.array(), 4, cluster.length() - 12);
        if (clusterView == null || clusterView.array() != cluster.array()) {
            clusterView = ByteBuffer.wrap(cluster.array()); // again only when the cluster buffer grew
        }
        clusterView.clear().limit(cluster.length());
        writeFully(clusterView, fileLength);
        fileLength += cluster.length();
        cluster.clear();
        long now = nanoClock.getAsLong();
        if (now - lastSync >= syncIntervalNanos) {
            channel.force(false);
            lastSync = now;
        }
    }

    private void writeFully(ByteBuffer b, long position) throws IOException {
        long at = position;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
    }

    /** Writes the open cluster now (at the end of a stream, or before a pause). */
    void flush() throws IOException {
        writeCluster();
    }

    /** Finalizes the file: last cluster, Cues, Segment size, SeekHead and Duration; then syncs and closes. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            writeCluster();
            long cuesAt = -1;
            if (cues > 0) {
                GrowableBytes points = new GrowableBytes(cues * 24, Integer.MAX_VALUE - 16);
                for (int i = 0; i < cues; i++) {
                    GrowableBytes positions = new GrowableBytes(24, 64);
                    Ebml.uint(positions, 0xF7, 1); // CueTrack
                    Ebml.uint(positions, 0xF1, cuePositions[i]); // CueClusterPosition
                    GrowableBytes point = new GrowableBytes(40, 96);
                    Ebml.uint(point, 0xB3, cueTimes[i]); // CueTime
                    Ebml.master(point, 0xB7, positions); // CueTrackPositions
                    Ebml.master(points, 0xBB, point); // CuePoint
                }
                GrowableBytes element = new GrowableBytes(points.length() + 16, Integer.MAX_VALUE - 16);
                Ebml.master(element, CUES, points);
                cuesAt = fileLength;
                writeFully(ByteBuffer.wrap(element.array(), 0, element.length()), fileLength);
                fileLength += element.length();
            }
            writeFully(ByteBuffer.wrap(Ebml.size8(fileLength - segmentDataAt)), segmentSizeAt);

            GrowableBytes seeks = new GrowableBytes(SEEK_HEAD_ROOM, SEEK_HEAD_ROOM);
            seek(seeks, INFO, infoAt - segmentDataAt);
            seek(seeks, TRACKS, tracksAt - segmentDataAt);
            if (cuesAt >= 0) {
                seek(seeks, CUES, cuesAt - segmentDataAt);
            }
            GrowableBytes seekHead = new GrowableBytes(SEEK_HEAD_ROOM, SEEK_HEAD_ROOM);
            Ebml.master(seekHead, SEEK_HEAD, seeks);
            Ebml.voidElement(seekHead, SEEK_HEAD_ROOM - seekHead.length());
            writeFully(ByteBuffer.wrap(seekHead.array(), 0, seekHead.length()), seekHeadAt);

            GrowableBytes duration = new GrowableBytes(DURATION_ROOM, DURATION_ROOM);
            Ebml.float64(duration, 0x4489, durationMillis());
            writeFully(ByteBuffer.wrap(duration.array(), 0, duration.length()), durationAt);
            channel.force(true);
        } finally {
            channel.close();
        }
    }

    private static void seek(GrowableBytes b, int id, long position) {
        GrowableBytes s = new GrowableBytes(24, 32);
        GrowableBytes idBytes = new GrowableBytes(4, 4);
        Ebml.id(idBytes, id);
        Ebml.binary(s, SEEK_ID, Arrays.copyOf(idBytes.array(), idBytes.length()));
        Ebml.uint(s, SEEK_POSITION, position);
        Ebml.master(b, SEEK, s);
    }

    /** Closes the file without finalizing it, as a crash would leave it (what is written stays playable). */
    void abandon() throws IOException {
        closed = true;
        channel.close();
    }

    /** Frames written (including those of the cluster not yet on disk). */
    long frames() {
        return frames;
    }

    /** Bytes on disk so far. */
    long bytes() {
        return fileLength;
    }

    /** Time of the last frame plus the gap before it (a fair guess at its duration), in milliseconds. */
    long durationMillis() {
        return lastTime < 0 ? 0 : lastTime + lastDelta;
    }
}

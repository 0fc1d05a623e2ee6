package dev.parley.ai.audio;

/**
 * Decides, 20 ms frame by frame of 16 kHz audio, whether someone is speaking: a frame is loud when its level is
 * {@link VadSettings#thresholdDb()} above an adaptive noise floor (and above {@link VadSettings#minLevelDbfs()});
 * speech starts after {@link VadSettings#onset()} of loud frames and ends after {@link VadSettings#hangover()}
 * without one, so the pauses between words stay inside.
 *
 * <p>The noise floor follows quieter frames quickly and louder non-speech frames slowly, so it settles on the
 * room's steady noise (a fan, a hum) within a second or two and is not pulled up by speech. Frames with a very high
 * zero-crossing rate and a level near the threshold (hiss, breath) need a few dB more to count. Not thread-safe.
 */
public final class VoiceActivityDetector {
    /** Samples per frame: 20 ms at 16 kHz. */
    public static final int FRAME = 320;
    private static final double FRAME_MILLIS = 20;
    private static final double INITIAL_FLOOR_DBFS = 0;
    /** The first frames only teach the floor (their quietest level), so a noisy room is not taken for speech. */
    private static final int LEARNING_FRAMES = 10;

    private final double thresholdDb;
    private final double minLevelDbfs;
    private final int onsetFrames;
    private final int hangoverFrames;

    private double floorDbfs = INITIAL_FLOOR_DBFS;
    private boolean speaking;
    private int loudRun;
    private int quietRun;
    private double lastLevel = -100;
    private int frames;

    public VoiceActivityDetector(VadSettings settings) {
        this.thresholdDb = settings.thresholdDb();
        this.minLevelDbfs = settings.minLevelDbfs();
        this.onsetFrames = Math.max(1, (int) Math.round(settings.onset().toMillis() / FRAME_MILLIS));
        this.hangoverFrames = Math.max(1, (int) Math.round(settings.hangover().toMillis() / FRAME_MILLIS));
    }

    /**
     * Classifies one frame of {@link #FRAME} samples at {@code samples[offset]}.
     *
     * @return whether speech is on after this frame (onset and hangover applied); false during the first
     *     200 ms, which only teach the noise floor
     */
    public boolean frame(short[] samples, int offset) {
        double energy = 0;
        int crossings = 0;
        int previous = samples[offset];
        for (int i = 0; i < FRAME; i++) {
            int s = samples[offset + i];
            energy += (double) s * s;
            if ((s >= 0) != (previous >= 0)) {
                crossings++;
            }
            previous = s;
        }
        double rms = Math.sqrt(energy / FRAME);
        double level = 20 * Math.log10(Math.max(rms, 1e-3) / 32768.0);
        double zcr = (double) crossings / FRAME;
        lastLevel = level;
        if (frames < LEARNING_FRAMES) {
            frames++;
            floorDbfs = Math.min(floorDbfs, level);
            return false;
        }
        double needed = Math.max(floorDbfs + thresholdDb, minLevelDbfs);
        if (zcr > 0.45) {
            needed += 6; // noise-like: hiss and breath sit here, voiced speech rarely does
        }
        boolean loud = level > needed;
        if (loud) {
            loudRun++;
            quietRun = 0;
        } else {
            quietRun++;
            loudRun = 0;
        }
        if (!speaking && loudRun >= onsetFrames) {
            speaking = true;
        } else if (speaking && quietRun >= hangoverFrames) {
            speaking = false;
        }
        adaptFloor(level, loud);
        return speaking;
    }

    private void adaptFloor(double level, boolean loud) {
        if (level < floorDbfs) {
            floorDbfs += 0.3 * (level - floorDbfs); // down fast: the floor is the quietest steady level
        } else if (!loud) {
            floorDbfs += 0.05 * (level - floorDbfs); // up steadily with the room's noise
        } else {
            floorDbfs += Math.min(0.02, 0.002 * (level - floorDbfs)); // a crawl, so a lasting loud noise is learnt
        }
        floorDbfs = Math.max(floorDbfs, -100);
    }

    /** Whether the last frame left speech on. */
    public boolean speaking() {
        return speaking;
    }

    /** Whether the last frame itself was loud enough to be speech (before onset/hangover smoothing). */
    public boolean lastFrameLoud() {
        return loudRun > 0;
    }

    /** The current noise floor estimate, dBFS. */
    public double noiseFloorDbfs() {
        return floorDbfs;
    }

    /** The last frame's level, dBFS. */
    public double lastLevelDbfs() {
        return lastLevel;
    }

    /** Back to the initial state (no speech, initial floor). */
    public void reset() {
        floorDbfs = INITIAL_FLOOR_DBFS;
        speaking = false;
        loudRun = 0;
        quietRun = 0;
        frames = 0;
    }
}

package dev.parley.sfu.speaker;

import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who speaks in a room: the loudest over a short window, with hysteresis so that a cough or a short reply
 * does not take the floor. Fed with loudness samples ({@code 127 - dBov} from the RFC 6464 audio-level
 * extension: 0 is silence, 127 the loudest) by whoever reads them; no threads of its own, not thread-safe
 * (use it from one thread, e.g. a room's control executor).
 *
 * <p>Rules: someone speaks now when their average over the short onset window reaches {@code minLoudness}.
 * With no speaker yet, the loudest one speaking now takes the floor (so the first words are noticed within
 * a few hundred milliseconds, not after a whole window). A current speaker keeps the floor until another,
 * speaking now, is louder by {@code margin} on average over the whole window and the current one has held it
 * for at least {@code minHoldNanos}: a cough, loud but short, does not lift a challenger's average over the
 * window above someone who talks. A speaker who is {@link #forget forgotten} (left) loses the floor at once.
 * When everyone falls silent the last speaker keeps it.
 */
public final class SpeakerDetector {
    private record Sample(long nanos, int loudness) {}

    private final long windowNanos;
    private final long onsetNanos;
    private final int margin;
    private final long minHoldNanos;
    private final int minLoudness;
    private final Map<String, ArrayDeque<Sample>> samples = new LinkedHashMap<>();
    private String speaker;
    private long speakerSinceNanos;

    /**
     * @param windowNanos how far back samples count (about a second suits speech)
     * @param margin how much louder on average (in loudness units, about dB) a challenger must be
     * @param minHoldNanos how long a speaker keeps the floor at least before a louder one takes it
     * @param minLoudness the average below which someone is not speaking (e.g. 127 - 50 dBov = 77)
     */
    public SpeakerDetector(long windowNanos, int margin, long minHoldNanos, int minLoudness) {
        this(windowNanos, windowNanos, margin, minHoldNanos, minLoudness);
    }

    /**
     * @param windowNanos how far back samples count for comparing speakers (about a second suits speech)
     * @param onsetNanos how far back samples count for whether someone speaks now (at most the window)
     * @param margin how much louder on average (in loudness units, about dB) a challenger must be
     * @param minHoldNanos how long a speaker keeps the floor at least before a louder one takes it
     * @param minLoudness the average below which someone is not speaking (e.g. 127 - 50 dBov = 77)
     */
    public SpeakerDetector(long windowNanos, long onsetNanos, int margin, long minHoldNanos, int minLoudness) {
        if (windowNanos <= 0 || onsetNanos <= 0 || onsetNanos > windowNanos || margin < 0 || minHoldNanos < 0
                || minLoudness < 0 || minLoudness > 127) {
            throw new IllegalArgumentException("window must be positive, onset positive and at most the window, margin"
                    + " and hold not negative, minLoudness 0..127");
        }
        this.windowNanos = windowNanos;
        this.onsetNanos = onsetNanos;
        this.margin = margin;
        this.minHoldNanos = minHoldNanos;
        this.minLoudness = minLoudness;
    }

    /** The defaults Parley uses: 1 s window, 300 ms onset, 6 dB margin, 1.5 s hold, speech from -50 dBov. */
    public static SpeakerDetector forSpeech() {
        return new SpeakerDetector(1_000_000_000L, 300_000_000L, 6, 1_500_000_000L, 77);
    }

    /** Records that {@code id} had {@code loudness} (0..127, clamped) at {@code nanos}. */
    public void observe(String id, int loudness, long nanos) {
        ArrayDeque<Sample> q = samples.computeIfAbsent(id, k -> new ArrayDeque<>());
        q.addLast(new Sample(nanos, Math.max(0, Math.min(127, loudness))));
        prune(q, nanos);
    }

    /** {@code id} is gone: its samples are dropped, and it loses the floor. */
    public void forget(String id) {
        samples.remove(id);
        if (id.equals(speaker)) {
            speaker = null;
        }
    }

    /** The speaker at {@code nanos} after applying the rules to the samples so far; null when nobody has spoken. */
    public String speaker(long nanos) {
        String loudest = null;
        double loudestNow = -1;
        for (Map.Entry<String, ArrayDeque<Sample>> e : samples.entrySet()) {
            double now = average(e.getValue(), nanos, onsetNanos);
            if (now >= minLoudness && now > loudestNow) {
                loudest = e.getKey();
                loudestNow = now;
            }
        }
        if (loudest == null || loudest.equals(speaker)) {
            return speaker;
        }
        if (speaker == null) {
            take(loudest, nanos);
            return speaker;
        }
        double current = samples.containsKey(speaker) ? average(samples.get(speaker), nanos, windowNanos) : 0;
        double challenger = average(samples.get(loudest), nanos, windowNanos);
        if (nanos - speakerSinceNanos >= minHoldNanos && challenger >= current + margin) {
            take(loudest, nanos);
        }
        return speaker;
    }

    private void take(String id, long nanos) {
        speaker = id;
        speakerSinceNanos = nanos;
    }

    /** The average of the samples of the last {@code span} nanoseconds; 0 when there are none. */
    private double average(ArrayDeque<Sample> q, long nanos, long span) {
        prune(q, nanos);
        long sum = 0;
        int n = 0;
        for (Sample s : q) {
            if (nanos - s.nanos() <= span) {
                sum += s.loudness();
                n++;
            }
        }
        return n == 0 ? 0 : (double) sum / n;
    }

    private void prune(ArrayDeque<Sample> q, long nanos) {
        while (!q.isEmpty() && nanos - q.peekFirst().nanos() > windowNanos) {
            q.pollFirst();
        }
    }
}

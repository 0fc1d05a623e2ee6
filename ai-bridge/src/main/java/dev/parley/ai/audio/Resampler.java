package dev.parley.ai.audio;

/**
 * A streaming polyphase resampler for mono 16-bit audio: a Kaiser-windowed sinc low-pass at the lower of the two
 * Nyquist frequencies (so that nothing above the output's Nyquist folds back into speech), evaluated only at the
 * output instants. The coefficients are computed once per phase; processing allocates nothing.
 *
 * <p>The ratio must reduce to at most {@link #MAX_PHASES} output phases (every common rate to and from 16 kHz does:
 * 8, 11.025, 12, 22.05, 24, 32, 44.1, 48, 88.2, 96, 192 kHz). Not thread-safe: one instance per stream.
 */
public final class Resampler {
    /** The largest reduced output rate (phase count) accepted; bounds the coefficient table. */
    public static final int MAX_PHASES = 1024;
    /** Zero crossings of the sinc on each side, at the filter's cutoff: sets the transition band's width. */
    private static final int ZERO_CROSSINGS = 20;
    /** Cutoff as a fraction of the lower Nyquist frequency: the transition band ends near Nyquist. */
    private static final double CUTOFF = 0.89;
    /** Kaiser window shape: about 80 dB of stopband attenuation. */
    private static final double KAISER_BETA = 8.0;

    private final int inRate;
    private final int outRate;
    private final int up;
    private final int down;
    private final int taps;
    private final float[] coefficients; // [phase * taps + i]
    private final float[] history; // the last `taps` input samples, oldest first, then new ones appended
    private int buffered; // valid samples in history
    private long phaseAccumulator; // position of the next output instant, in units of 1/up input samples, from history[0]

    /**
     * @throws IllegalArgumentException when a rate is not positive or the ratio needs more than {@link #MAX_PHASES}
     *     phases
     */
    public Resampler(int inRate, int outRate) {
        if (inRate <= 0 || outRate <= 0) {
            throw new IllegalArgumentException("sample rates must be positive, got " + inRate + " and " + outRate);
        }
        int g = gcd(inRate, outRate);
        this.inRate = inRate;
        this.outRate = outRate;
        this.up = outRate / g;
        this.down = inRate / g;
        if (up > MAX_PHASES) {
            throw new IllegalArgumentException("resampling " + inRate + " Hz to " + outRate + " Hz needs " + up
                    + " filter phases, more than " + MAX_PHASES);
        }
        // Cutoff in cycles per input sample.
        double fc = 0.5 * CUTOFF * Math.min(1.0, (double) outRate / inRate);
        int half = (int) Math.ceil(ZERO_CROSSINGS / (2 * fc));
        this.taps = 2 * half;
        this.coefficients = new float[up * taps];
        double i0Beta = besselI0(KAISER_BETA);
        for (int p = 0; p < up; p++) {
            double frac = (double) p / up;
            double sum = 0;
            // Output instant at (k0 + frac); tap i weighs input sample k0 - half + 1 + i.
            for (int i = 0; i < taps; i++) {
                double d = frac + half - 1 - i;
                double x = d / half;
                double w = Math.abs(x) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0Beta;
                double h = 2 * fc * sinc(2 * fc * d) * w;
                coefficients[p * taps + i] = (float) h;
                sum += h;
            }
            for (int i = 0; i < taps; i++) {
                coefficients[p * taps + i] = (float) (coefficients[p * taps + i] / sum); // unity gain at DC
            }
        }
        this.history = new float[taps + 4096];
        reset();
    }

    /** Forgets the stream so far (as if the next sample were the first). */
    public void reset() {
        java.util.Arrays.fill(history, 0f);
        // Half a filter of silence before the first sample: the first output instant is the first input sample's.
        buffered = taps / 2 - 1;
        phaseAccumulator = (long) (taps / 2 - 1) * up;
    }

    public int inRate() {
        return inRate;
    }

    public int outRate() {
        return outRate;
    }

    /** The most output samples {@link #process} can produce for {@code inputLength} input samples. */
    public int maxOutput(int inputLength) {
        return (int) (((long) inputLength + taps) * up / down) + 2;
    }

    /**
     * Resamples {@code in[offset .. offset+length)} into {@code out} from {@code outOffset}.
     *
     * @return the number of output samples written
     */
    public int process(short[] in, int offset, int length, short[] out, int outOffset) {
        int written = 0;
        int consumed = 0;
        while (consumed < length) {
            int room = history.length - buffered;
            int n = Math.min(room, length - consumed);
            for (int i = 0; i < n; i++) {
                history[buffered + i] = in[offset + consumed + i];
            }
            buffered += n;
            consumed += n;
            written += drain(out, outOffset + written);
        }
        return written;
    }

    /**
     * Ends the stream: feeds half a filter of silence so that the output instants up to the last input sample come
     * out, writes them into {@code out} from {@code outOffset}, and resets.
     *
     * @return the number of output samples written (at most {@code maxOutput(0)})
     */
    public int flush(short[] out, int outOffset) {
        short[] silence = new short[taps / 2];
        int n = process(silence, 0, silence.length, out, outOffset);
        reset();
        return n;
    }

    private int drain(short[] out, int outOffset) {
        int written = 0;
        while (true) {
            long k0 = phaseAccumulator / up; // input index just at/below the output instant
            int first = (int) (k0 - taps / 2 + 1);
            if (first + taps > buffered) {
                break;
            }
            int p = (int) (phaseAccumulator % up);
            int base = p * taps;
            float acc = 0;
            for (int i = 0; i < taps; i++) {
                acc += history[first + i] * coefficients[base + i];
            }
            int v = Math.round(acc);
            out[outOffset + written++] = (short) Math.max(-32768, Math.min(32767, v));
            phaseAccumulator += down;
        }
        // Keep only what future outputs still need.
        long k0 = phaseAccumulator / up;
        int keepFrom = (int) Math.max(0, Math.min(buffered, k0 - taps / 2 + 1));
        if (keepFrom > 0) {
            System.arraycopy(history, keepFrom, history, 0, buffered - keepFrom);
            buffered -= keepFrom;
            phaseAccumulator -= (long) keepFrom * up;
        }
        return written;
    }

    private static double sinc(double x) {
        if (Math.abs(x) < 1e-12) {
            return 1;
        }
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double half = x / 2;
        for (int k = 1; k < 50; k++) {
            term *= (half / k) * (half / k);
            sum += term;
            if (term < sum * 1e-12) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}

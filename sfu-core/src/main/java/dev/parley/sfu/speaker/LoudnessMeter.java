package dev.parley.sfu.speaker;

/**
 * Averages the RFC 6464 audio levels of a block of packets by energy, not in decibels: speech has short pauses
 * between words whose packets say -127 dBov, and a decibel average of a block with a few of them falls far below
 * the speech around them (8 packets at -25 dBov and 2 silent ones average -45 dBov in decibels, -26 dBov by
 * energy). The result is loudness, {@code 127 - dBov}: 0 silence, 127 the loudest. For the media loop: no
 * allocation, one table lookup per packet and one logarithm per block; not thread-safe.
 */
public final class LoudnessMeter {
    /** Linear power of each level, 10^(-level/10). */
    private static final double[] POWER = new double[128];

    static {
        for (int level = 0; level < POWER.length; level++) {
            POWER[level] = Math.pow(10, -level / 10.0);
        }
    }

    private final int packets;
    private double sum;
    private int count;
    private int loudness;

    /** @param packets how many packets make a block (10 packets of 20 ms audio: 200 ms) */
    public LoudnessMeter(int packets) {
        if (packets < 1) {
            throw new IllegalArgumentException("a block needs at least one packet, was " + packets);
        }
        this.packets = packets;
    }

    /**
     * Adds one packet's level in -dBov (0 loudest, 127 silence; higher bits are ignored). Returns true when this
     * packet completes a block, whose loudness {@link #loudness()} then gives.
     */
    public boolean add(int level) {
        sum += POWER[level & 0x7F];
        if (++count < packets) {
            return false;
        }
        double mean = sum / count;
        sum = 0;
        count = 0;
        long dBov = Math.round(-10 * Math.log10(mean));
        loudness = 127 - (int) Math.max(0, Math.min(127, dBov));
        return true;
    }

    /** The loudness of the last complete block (0 before any). */
    public int loudness() {
        return loudness;
    }
}

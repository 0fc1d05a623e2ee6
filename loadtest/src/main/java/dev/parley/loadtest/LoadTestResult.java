package dev.parley.loadtest;

/**
 * What a run of {@code parley-loadtest} found, as {@link LoadTest#execute} returns it (the command prints it and
 * exits with {@link #exitCode()}).
 *
 * @param joined participants that joined and connected
 * @param received RTP packets the subscribers received while media was sent
 * @param expected packets the subscribers' sequence numbers say were sent to them (first to highest, per SSRC)
 * @param lossPercent {@code (expected - received) / expected} in percent: the sequence gaps
 * @param undeliveredPercent the share of {@code sent} x subscribers that never arrived (gaps, and what no gap shows:
 *     packets lost before a stream's first or after its last received packet)
 * @param serverForwarded RTP packets the server's {@code /metrics} says it forwarded meanwhile; -1 without metrics
 * @param serverCpuPercent the server process's CPU meanwhile, in percent of one core; NaN without metrics
 * @param toolCpuNanosPerPacket this process's CPU time per received packet (sending included)
 * @param receiveCpuNanosPerPacket the receive thread's CPU time per received datagram
 * @param receiveAllocatedBytesPerPacket bytes the receive thread allocated per received datagram (the JVM's count)
 * @param incompleteSubscribers subscribers that received nothing of some publisher's audio or video
 * @param message why the run failed, or null
 * @param latency one-way latencies from publisher to subscriber ({@link SendTimestamp}), with {@code --decrypt}
 *     only; null otherwise
 */
public record LoadTestResult(int exitCode, int joined, int participants, long sent, long received, long expected,
                             double lossPercent, double undeliveredPercent, double meanJitterMillis, double maxJitterMillis,
                             double receivedMegabitsPerSecond, long serverForwarded, double serverCpuPercent,
                             double toolCpuNanosPerPacket, double receiveCpuNanosPerPacket,
                             double receiveAllocatedBytesPerPacket, long joinP50Millis,
                             long joinP95Millis, long joinP99Millis, int incompleteSubscribers, String message,
                             LatencyHistogram latency) {
    /** Done, loss within {@code --max-loss}. */
    public static final int OK = 0;
    /** Loss or undelivered packets above {@code --max-loss}, or a subscriber missed a stream entirely. */
    public static final int LOSS = 1;
    /** The command line could not be run. */
    public static final int USAGE = 2;
    /** Participants could not join or connect, or the server could not be reached. */
    public static final int JOIN_FAILED = 3;

    static LoadTestResult failed(int exitCode, int joined, int participants, String message) {
        return new LoadTestResult(exitCode, joined, participants, 0, 0, 0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
                -1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, -1, -1, -1, 0, message, null);
    }
}

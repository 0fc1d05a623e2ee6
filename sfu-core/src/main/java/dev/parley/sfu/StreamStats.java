package dev.parley.sfu;

/**
 * What one participant's media of one kind looks like in one direction, as of the last second.
 *
 * <p>{@link Direction#INBOUND} is what the participant publishes, measured by Parley on arrival;
 * {@link Direction#OUTBOUND} is everything Parley forwards to the participant, with loss and jitter as the
 * participant's own receiver reports say (summed over the streams it receives; jitter is the worst).
 *
 * @param packetsLost cumulative packets lost
 * @param jitterSeconds interarrival jitter (RFC 3550)
 * @param roundTripSeconds outbound only: round-trip time between Parley and the participant, from the
 *     participant's receiver reports echoing the sender reports Parley relayed (LSR/DLSR, measured on
 *     Parley's clock alone); NaN when not known yet or inbound
 */
public record StreamStats(MediaKind kind, Direction direction, long packets, long bytes, long packetsLost,
                          double jitterSeconds, double roundTripSeconds) {
    public enum Direction {
        INBOUND, OUTBOUND;

        public String label() {
            return this == INBOUND ? "inbound" : "outbound";
        }
    }
}

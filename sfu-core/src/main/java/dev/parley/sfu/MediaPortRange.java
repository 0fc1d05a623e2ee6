package dev.parley.sfu;

/**
 * UDP ports media may use, one per transport (two per participant: publishing and subscribing), instead of one
 * port shared by everyone. A transport takes a free port when it is created and gives it back when it closes;
 * when none is free, the join is refused.
 *
 * @param first the lowest port, 1..65535
 * @param last the highest port, inclusive
 */
public record MediaPortRange(int first, int last) {
    public MediaPortRange {
        if (first < 1 || last > 65535 || first > last) {
            throw new IllegalArgumentException("a media port range must be FIRST-LAST within 1..65535 with FIRST <= LAST,"
                    + " was " + first + "-" + last);
        }
    }

    /** Parses {@code 40000-40100}. */
    public static MediaPortRange parse(String text) {
        String[] parts = text.trim().split("-", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("a media port range is written FIRST-LAST, e.g. 40000-40100, was '" + text + "'");
        }
        try {
            return new MediaPortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a media port range is written FIRST-LAST, e.g. 40000-40100, was '" + text + "'");
        }
    }

    public int size() {
        return last - first + 1;
    }

    public boolean contains(int port) {
        return port >= first && port <= last;
    }

    @Override
    public String toString() {
        return first + "-" + last;
    }
}

package dev.parley.bench;

import dev.parley.sfu.Room;
import java.util.ServiceLoader;

/**
 * Extra work the forwarding benchmark puts on the measured room (a track tap, a recording), so its cost on the
 * forwarding path shows as a row of its own. Implementations outside this module are found with
 * {@link ServiceLoader} (listed in {@code META-INF/services/dev.parley.bench.RoomLoad}).
 */
public interface RoomLoad {
    /** How the row is labelled ({@code "1 + recording"}) and how {@link #named} finds it. */
    String label();

    /** Starts the work on {@code room}, which has its publisher and subscribers; closing it ends the work. */
    AutoCloseable attach(Room room) throws Exception;

    /** The load on the class path with this label. */
    static RoomLoad named(String label) {
        for (RoomLoad load : ServiceLoader.load(RoomLoad.class)) {
            if (load.label().equals(label)) {
                return load;
            }
        }
        throw new IllegalArgumentException("no benchmark load named '" + label + "' on the class path"
                + " (the recording load is in the bench-recording module: run bench/run.sh)");
    }
}

package dev.parley.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the machine (a service, a program from apt). Missing, it skips the test on a
 * developer's machine and fails it under {@code CI=true}, where nothing may be skipped: the message says
 * what to install ({@code scripts/install-test-tools.sh} installs everything the suite needs).
 */
public final class Required {
    private Required() {
    }

    /** True when running under CI ({@code CI=true}). */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /** Stops the test because {@code what} is missing: a failure under CI, a skip elsewhere. */
    public static void missing(String what, Throwable cause) {
        String message = what + (cause == null ? "" : ": " + cause.getMessage());
        if (underCi()) {
            throw new AssertionError(message + " (required under CI=true)", cause);
        }
        Assumptions.abort(message + ", skipping");
    }

    /** Requires an executable on the PATH, naming the Debian package that brings it. */
    public static void program(String name, String debianPackage) {
        if (!onPath(name)) {
            missing(name + " is not installed (Debian package " + debianPackage + "; scripts/install-test-tools.sh)", null);
        }
    }

    /** True when an executable of this name is on the PATH. */
    public static boolean onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) {
                return true;
            }
        }
        return false;
    }
}

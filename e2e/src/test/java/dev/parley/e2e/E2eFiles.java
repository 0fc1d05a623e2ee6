package dev.parley.e2e;

import java.nio.file.Path;

/** Where the end-to-end tests find the server jar and put their logs and screenshots. */
final class E2eFiles {
    private E2eFiles() {}

    /** {@code server/target/parley.jar}; Maven passes its absolute path, the default assumes the e2e/ directory. */
    static Path serverJar() {
        return Path.of(System.getProperty("parley.jar", "../server/target/parley.jar"));
    }

    /** {@code e2e/target}: logs, screenshots. */
    static Path outputDir() {
        return Path.of(System.getProperty("e2e.outputDir", "target"));
    }
}

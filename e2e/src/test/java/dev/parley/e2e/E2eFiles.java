package dev.parley.e2e;

import java.io.IOException;
import java.nio.file.Files;
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

    /** A fresh file for one page's browser console, {@code e2e/target/browser-<name>-<n>.log}; creates the directory. */
    static Path browserLog(String name) throws IOException {
        Path dir = outputDir();
        Files.createDirectories(dir);
        return dir.resolve("browser-" + name + "-" + System.nanoTime() + ".log");
    }

    /** {@code e2e/firefox}: the Node script that drives Firefox, with its package.json and lock file. */
    static Path firefoxDriverDir() {
        return Path.of(System.getProperty("e2e.firefoxDir", "firefox"));
    }
}

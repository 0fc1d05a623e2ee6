package dev.parley.e2e;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One participant's meeting page in Debian's Firefox ESR, a browser of its own, driven over WebDriver BiDi by
 * {@code e2e/firefox/firefox-page.mjs} (puppeteer-core under Node), which this class starts and talks to in
 * JSON lines. The first use installs the script's locked dependencies ({@code npm ci}); nothing is downloaded
 * besides those npm packages, and a missing Firefox, Node or npm fails the test, never skips it.
 * Firefox's console and the script's errors go to {@code e2e/target/browser-<name>-*.log}.
 */
public final class FirefoxPage implements CallPage {
    private static final Path FIREFOX = Path.of("/usr/bin/firefox-esr");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration EVALUATE_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String EOF = "\u0000eof";

    private final String name;
    private final Process driver;
    private final Writer requests;
    private final BlockingQueue<String> answers;
    private final Path log;
    private int nextId;

    private FirefoxPage(String name, Process driver, BlockingQueue<String> answers, Path log) {
        this.name = name;
        this.driver = driver;
        this.requests = driver.outputWriter(StandardCharsets.UTF_8);
        this.answers = answers;
        this.log = log;
    }

    /** Starts Firefox on the meeting page as {@code name}, skipping the pre-join screen, and waits until it joined. */
    public static FirefoxPage join(ParleyServerProcess server, String room, String name) throws IOException {
        FirefoxPage page = open(server, "/meet/" + room + "?name=" + name + "&prejoin=0", name);
        try {
            page.awaitJoined();
            return page;
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    /**
     * Joins as a new user does: the meeting link opens the pre-join screen (camera preview), the user types
     * {@code name} and presses "Join now"; waits until the client joined.
     */
    public static FirefoxPage joinThroughPreJoin(ParleyServerProcess server, String room, String name) throws IOException {
        FirefoxPage page = open(server, "/meet/" + room, name);
        try {
            page.awaitTrue("async () => !document.querySelector('#prejoin').hidden"
                    + " && document.querySelector('#preview').srcObject != null",
                    "the pre-join screen with the camera preview");
            page.evaluateJson("async () => { document.querySelector('#prejoin-name').value = " + Json.MAPPER.writeValueAsString(name)
                    + "; document.querySelector('#prejoin-form button[type=submit]').click(); }");
            page.awaitJoined();
            return page;
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    private static FirefoxPage open(ParleyServerProcess server, String path, String name) throws IOException {
        requireTools();
        Path dir = E2eFiles.firefoxDriverDir().toAbsolutePath();
        installDriver(dir);
        Path log = E2eFiles.browserLog(name);
        String url = server.baseUri().resolve(path).toString();
        ProcessBuilder builder = new ProcessBuilder("node", dir.resolve("firefox-page.mjs").toString(), url)
                .directory(dir.toFile())
                .redirectError(log.toFile());
        builder.environment().put("PUPPETEER_SKIP_DOWNLOAD", "1");
        builder.environment().put("PARLEY_FIREFOX", FIREFOX.toString());
        Process driver = builder.start();
        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> pump(driver, answers), "firefox-page-" + name);
        reader.setDaemon(true);
        reader.start();
        FirefoxPage page = new FirefoxPage(name, driver, answers, log);
        try {
            JsonNode ready = page.nextAnswer(START_TIMEOUT, "Firefox to start and load " + url);
            if (!ready.path("ready").asBoolean()) {
                throw new IllegalStateException("firefox-page.mjs did not start: " + ready);
            }
            return page;
        } catch (RuntimeException e) {
            page.close();
            throw e;
        }
    }

    /** Waits until the page's client ({@code window.parley}) has joined its room. */
    public void awaitJoined() {
        awaitTrue("async () => Boolean(window.parley && window.parley.participantId)", "joining the room");
    }

    /** Presses the leave button and waits for the "you left" screen. */
    public void clickLeave() {
        evaluateJson("async () => document.querySelector('#leave').click()");
        awaitTrue("async () => !document.querySelector('#ended').hidden", "the ended screen after leaving");
    }

    private void awaitTrue(String asyncFunction, String what) {
        long deadline = System.nanoTime() + JOIN_TIMEOUT.toNanos();
        while (!"true".equals(evaluateJson(asyncFunction))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + "'s Firefox page did not show " + what + " within "
                        + JOIN_TIMEOUT.toSeconds() + " s; see " + log);
            }
            pause(POLL);
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public synchronized String evaluateJson(String asyncFunction) {
        int id = ++nextId;
        ObjectNode request = JsonNodeFactory.instance.objectNode().put("id", id).put("function", asyncFunction);
        try {
            requests.write(request + "\n");
            requests.flush();
        } catch (IOException e) {
            throw new IllegalStateException("Firefox driver for " + name + " is gone; see " + log, e);
        }
        while (true) {
            JsonNode answer = nextAnswer(EVALUATE_TIMEOUT, "an answer to " + asyncFunction);
            if (answer.path("id").asInt() != id) continue; // a late answer to a request that timed out
            if (answer.has("error")) {
                throw new IllegalStateException(name + "'s Firefox page failed to run " + asyncFunction + ": "
                        + answer.get("error").asText());
            }
            try {
                return Json.MAPPER.writeValueAsString(answer.get("result"));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Closes Firefox (the signaling socket closes with it) and stops the driver. */
    @Override
    public void close() {
        try {
            requests.write("{\"quit\":true}\n");
            requests.close();
        } catch (IOException ignored) {
            // The driver already exited.
        }
        try {
            if (!driver.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                driver.descendants().forEach(ProcessHandle::destroyForcibly);
                driver.destroyForcibly().waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode nextAnswer(Duration timeout, String waitingFor) {
        String line;
        try {
            line = answers.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for " + waitingFor, e);
        }
        if (line == null || line.equals(EOF)) {
            String why = line == null ? "no answer within " + timeout.toSeconds() + " s" : "the driver exited";
            throw new IllegalStateException(name + "'s Firefox page: " + why + " while waiting for " + waitingFor
                    + "\n--- " + log + " ---\n" + tail(log));
        }
        try {
            return Json.MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("firefox-page.mjs wrote a line that is not JSON: " + line, e);
        }
    }

    private static void pump(Process driver, BlockingQueue<String> answers) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(driver.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                answers.add(line);
            }
        } catch (IOException ignored) {
            // The driver's stdout closed; EOF below tells the waiting test.
        }
        answers.add(EOF);
    }

    private static void requireTools() {
        if (!Files.isExecutable(FIREFOX)) {
            throw new IllegalStateException("The Firefox tests need Firefox ESR at " + FIREFOX
                    + ": install it (as root: apt-get install -y firefox-esr; ./test.sh does this) and run again");
        }
        for (String tool : List.of("node", "npm")) {
            if (!onPath(tool)) {
                throw new IllegalStateException("The Firefox tests need " + tool + " on the PATH to drive Firefox:"
                        + " install Node.js 18 or newer with npm (as root: apt-get install -y nodejs npm;"
                        + " ./test.sh does this) and run again");
            }
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    // `npm ci` (the locked puppeteer-core, no browser download) once, and again whenever the lock file changed.
    private static synchronized void installDriver(Path dir) throws IOException {
        Path lock = dir.resolve("package-lock.json");
        Path installed = dir.resolve("node_modules").resolve(".package-lock.json");
        if (Files.isRegularFile(installed)
                && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
            return;
        }
        Path output = E2eFiles.outputDir().resolve("npm-ci.log");
        Files.createDirectories(output.getParent());
        ProcessBuilder builder = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund")
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        builder.environment().put("PUPPETEER_SKIP_DOWNLOAD", "1");
        Process npm = builder.start();
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                npm.destroyForcibly();
                throw new IllegalStateException("npm ci in " + dir + " did not finish within "
                        + INSTALL_TIMEOUT.toSeconds() + " s; see " + output);
            }
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during npm ci", e);
        }
        if (npm.exitValue() != 0) {
            throw new IllegalStateException("npm ci in " + dir + " failed (exit " + npm.exitValue() + "):\n" + tail(output));
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }
}

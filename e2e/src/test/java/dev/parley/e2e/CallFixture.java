package dev.parley.e2e;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Parley server process and one headless Chromium shared by the tests of a class, started before the first
 * and stopped after the last. Register it as
 * {@code @RegisterExtension static final CallFixture call = new CallFixture("label");} and use
 * {@link #server()} and {@link #chromium()} in the tests.
 */
final class CallFixture implements BeforeAllCallback, AfterAllCallback {
    private final String label;
    private final java.util.function.Supplier<java.util.List<String>> extraArgs;
    private ParleyServerProcess server;
    private HeadlessChromium chromium;

    /** @param label names the server's log file (see {@link ParleyServerProcess#start(String)}) */
    CallFixture(String label) {
        this(label, java.util.List::of);
    }

    /**
     * @param extraArgs server flags, asked for when the server starts (after other static set-up of the test
     *     class, e.g. an S3 server whose port the flags name)
     */
    CallFixture(String label, java.util.function.Supplier<java.util.List<String>> extraArgs) {
        this.label = label;
        this.extraArgs = extraArgs;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = ParleyServerProcess.start(label, null, extraArgs.get());
        chromium = HeadlessChromium.launch();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (chromium != null) chromium.close();
        } finally {
            if (server != null) server.close();
        }
    }

    /** The running server. */
    ParleyServerProcess server() {
        return running(server);
    }

    /** The launched browser. */
    HeadlessChromium chromium() {
        return running(chromium);
    }

    private static <T> T running(T part) {
        if (part == null) {
            throw new IllegalStateException("CallFixture is used before its @BeforeAll: register it with @RegisterExtension on a static field");
        }
        return part;
    }
}

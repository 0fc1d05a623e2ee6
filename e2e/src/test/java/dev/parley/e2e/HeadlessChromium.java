package dev.parley.e2e;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright, headless, with fake camera and microphone and WebRTC allowed on
 * loopback. Each participant gets its own {@link BrowserContext} (own cookies, storage and media permissions).
 */
public final class HeadlessChromium implements AutoCloseable {
    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final Path EXECUTABLE = Path.of(CHROMIUM);
    private static final List<String> ARGS = List.of("--headless=new",
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection");

    private final Playwright playwright;
    private final Browser browser;

    private HeadlessChromium(Playwright playwright, Browser browser) {
        this.playwright = playwright;
        this.browser = browser;
    }

    /** Launches the browser; fails (never skips) when Chromium is not installed. */
    public static HeadlessChromium launch() {
        return launch(EXECUTABLE, null, List.of());
    }

    /**
     * Launches a browser with more flags, e.g. {@code --use-file-for-fake-audio-capture=<wav>} for a microphone that
     * plays a file (a browser-wide flag: a participant with its own voice needs its own browser).
     */
    public static HeadlessChromium launch(List<String> extraArgs) {
        return launch(EXECUTABLE, null, extraArgs);
    }

    /**
     * Launches Chromium through {@code launcher}, a script that ends by executing {@value #CHROMIUM} with the
     * arguments it was given (e.g. inside a network namespace, see {@code e2e/netns/chromium.sh}), with
     * {@code env} as the browser's whole environment (null: this process's).
     */
    public static HeadlessChromium launch(Path launcher, Map<String, String> env) {
        return launch(launcher, env, List.of());
    }

    private static HeadlessChromium launch(Path launcher, Map<String, String> env, List<String> extraArgs) {
        if (!Files.isExecutable(EXECUTABLE)) {
            throw new IllegalStateException("The browser tests need Chromium at " + EXECUTABLE
                    + ": install it (as root: apt-get install -y chromium; ./test.sh does this) and run again");
        }
        Playwright playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        try {
            BrowserType.LaunchOptions options = new BrowserType.LaunchOptions().setExecutablePath(launcher).setArgs(java.util.stream.Stream.concat(ARGS.stream(), extraArgs.stream()).toList());
            if (env != null) {
                options.setEnv(env);
            }
            Browser browser = playwright.chromium().launch(options);
            return new HeadlessChromium(playwright, browser);
        } catch (RuntimeException e) {
            playwright.close();
            throw e;
        }
    }

    /** A fresh context for one participant, allowed to use the (fake) camera and microphone. */
    public BrowserContext newParticipantContext(String origin) {
        return browser.newContext(new Browser.NewContextOptions()
                .setPermissions(List.of("camera", "microphone"))
                .setViewportSize(1280, 720)
                .setBaseURL(origin));
    }

    /**
     * A participant context for a site served over HTTPS with a test's self-signed certificate (a gateway
     * started by the test): certificate errors are ignored for it, everything else as {@link #newParticipantContext}.
     */
    public BrowserContext newParticipantContextForTestCertificate(String origin) {
        return browser.newContext(new Browser.NewContextOptions()
                .setPermissions(List.of("camera", "microphone"))
                .setViewportSize(1280, 720)
                .setIgnoreHTTPSErrors(true)
                .setBaseURL(origin));
    }

    @Override
    public void close() {
        try {
            browser.close();
        } finally {
            playwright.close();
        }
    }
}

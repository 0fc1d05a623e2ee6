package dev.parley.e2e;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A network of a test's own: a namespace ({@code ip netns add}) with only its loopback up, in which the test
 * starts the Parley server ({@link #exec()}) and Chromiums ({@link #chromium}, through {@code e2e/netns/chromium.sh};
 * Playwright's driver stays outside and talks over the pipes they inherit). nftables rules in it ({@link #nft})
 * play a firewall, loss or a slow link on one browser's traffic, told apart by the uid that browser runs as, and
 * never touch the machine's own network. Closing it deletes the namespace and everything in it.
 */
final class TestNetwork implements AutoCloseable {
    /** The unprivileged user a browser runs as when nftables rules single out its traffic ({@code meta skuid}). */
    static final int NOBODY = 65534;
    private static final Path LAUNCHER = Path.of("netns/chromium.sh").toAbsolutePath();

    private final String name;

    private TestNetwork(String name) {
        this.name = name;
    }

    /** A fresh namespace, {@code parley-<label>-<pid>}, with its loopback up. */
    static TestNetwork create(String label) throws Exception {
        String name = "parley-" + label + "-" + ProcessHandle.current().pid();
        run("ip", "netns", "add", name);
        TestNetwork network = new TestNetwork(name);
        try {
            run("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
        } catch (Exception e) {
            network.close();
            throw e;
        }
        return network;
    }

    /** The command prefix that runs a process inside (for {@link ParleyServerProcess#start}). */
    List<String> exec() {
        return List.of("ip", "netns", "exec", name);
    }

    /** Runs one nft command inside, e.g. {@code "add rule inet t out meta skuid 65534 drop"}; returns its output. */
    String nft(String command) throws Exception {
        return run("ip", "netns", "exec", name, "nft", command);
    }

    /** A Chromium inside, running as {@code uid} (null: as this process's user). */
    HeadlessChromium chromium(Integer uid) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("PARLEY_NETNS", name);
        if (uid != null) {
            env.put("PARLEY_CHROMIUM_UID", uid.toString());
        }
        return HeadlessChromium.launch(LAUNCHER, env);
    }

    @Override
    public void close() throws Exception {
        run("ip", "netns", "del", name);
    }

    /** Runs a command to its end; fails with its output when it fails (e.g. not root, or nft missing). */
    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (these tests need root, iproute2"
                    + " and nftables: scripts/install-test-tools.sh installs them): " + output);
        }
        return output;
    }
}

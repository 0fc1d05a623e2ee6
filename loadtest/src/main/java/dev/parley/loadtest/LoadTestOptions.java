package dev.parley.loadtest;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@code parley-loadtest}, checked: every problem is a {@link UsageException} whose message
 * names the option and what it accepts.
 *
 * @param url the server's base URL, {@code http(s)://host:port}
 * @param publisherLossPercent share of each publisher's packets not sent (a lossy uplink, to check the alarm)
 * @param parallelJoins participants joining at the same time
 * @param simulcast publishers send three simulcast layers and subscribers send transport-cc feedback
 * @param warmUp how long media flows before the measurement starts ({@link Duration#ZERO}: none)
 */
public record LoadTestOptions(URI url, String room, int publishers, int subscribers, Duration duration, String token,
                              String apiKey, String apiSecret, double maxLossPercent, String metricsToken,
                              boolean decrypt, double publisherLossPercent, Duration joinTimeout, int parallelJoins,
                              boolean help, boolean simulcast, Duration warmUp) {

    /** Thrown for a command line that cannot be run; the message says why. */
    public static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    static final int MAX_PUBLISHERS = 1000;
    static final int MAX_SUBSCRIBERS = 10_000;
    private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)?");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)%?");

    public static final String USAGE = """
            Usage: parley-loadtest --url http://host:8080 --room R [options]

            Joins N publishers and M subscribers to a room of a Parley server through its signaling WebSocket, as
            browsers would (join, offer/answer, ICE, DTLS-SRTP), publishes synthetic audio (50 packets/s) and video
            (126 packets/s) per publisher, and reports every second and at the end.

              --url URL              the server, http(s)://host:port (required)
              --room NAME            the room to load, 1-64 of A-Z a-z 0-9 _ . - (required)
              --publishers N         participants that publish audio and video (default 1)
              --subscribers M        participants that only receive (default 10)
              --duration D           how long to send once everyone joined: 30s, 2m, 500ms (default 60s)
              --warm-up D            send this long first, unmeasured, so that the server's JIT compiler has
                                     finished with the media path when measuring starts (default 0: measure at once)
              --token JWT            a join token for every participant (for servers with auth-required)
              --api-key ID           with --api-secret: mint one join token per participant with this API key
              --api-secret SECRET
              --max-loss P           exit 1 when the loss subscribers saw exceeds P percent (default 1%)
              --metrics-token T      read the server's /metrics with this bearer token: its CPU and forwarded packets
              --decrypt              authenticate and decrypt every received packet, and measure each one's latency
                                     from its send time in the payload (default: count from the RTP header)
              --publisher-loss P     leave out P percent of each publisher's packets, as a lossy uplink would
                                     (to check that loss is seen and --max-loss trips; default 0)
              --join-timeout D       how long one participant may take to join and connect (default 20s)
              --parallel-joins N     participants joining at the same time, 1-256 (default 8)
              --simulcast            publishers send their video as three simulcast layers (q, h, f: 30 + 60 +
                                     126 packets/s) with transport-wide sequence numbers, and subscribers send
                                     transport-cc feedback; each subscriber is owed the audio and the top layer
                                     (the server must run with --simulcast true)
              --help                 this text

            Exit status: 0 done within --max-loss; 1 loss above --max-loss; 2 bad command line; 3 participants
            failed to join or connect (the message says why).
            """;

    /** Parses {@code args}; {@code --help} alone gives options with {@link #help()} set and nothing else checked. */
    public static LoadTestOptions parse(String... args) throws UsageException {
        String url = null;
        String room = null;
        int publishers = 1;
        int subscribers = 10;
        Duration duration = Duration.ofSeconds(60);
        Duration warmUp = Duration.ZERO;
        String token = null;
        String apiKey = null;
        String apiSecret = null;
        double maxLoss = 1.0;
        String metricsToken = null;
        boolean decrypt = false;
        boolean simulcast = false;
        double publisherLoss = 0;
        Duration joinTimeout = Duration.ofSeconds(20);
        int parallelJoins = 8;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help", "-h" -> {
                    return new LoadTestOptions(null, null, 0, 0, Duration.ZERO, null, null, null, 0, null, false, 0,
                            Duration.ZERO, 0, true, false, Duration.ZERO);
                }
                case "--decrypt" -> {
                    if (value != null) {
                        throw new UsageException("--decrypt takes no value");
                    }
                    decrypt = true;
                    continue;
                }
                case "--simulcast" -> {
                    if (value != null) {
                        throw new UsageException("--simulcast takes no value");
                    }
                    simulcast = true;
                    continue;
                }
                default -> {
                    // options with a value, below
                }
            }
            if (!name.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "' (options start with --; see --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value (see --help)");
                }
                value = args[++i];
            }
            switch (name) {
                case "--url" -> url = value;
                case "--room" -> room = value;
                case "--publishers" -> publishers = count(name, value, MAX_PUBLISHERS);
                case "--subscribers" -> subscribers = count(name, value, MAX_SUBSCRIBERS);
                case "--duration" -> duration = duration(name, value);
                case "--warm-up" -> warmUp = value.trim().equals("0") ? Duration.ZERO : duration(name, value);
                case "--token" -> token = nonBlank(name, value);
                case "--api-key" -> apiKey = nonBlank(name, value);
                case "--api-secret" -> apiSecret = nonBlank(name, value);
                case "--max-loss" -> maxLoss = percent(name, value);
                case "--metrics-token" -> metricsToken = nonBlank(name, value);
                case "--publisher-loss" -> publisherLoss = percent(name, value);
                case "--join-timeout" -> joinTimeout = duration(name, value);
                case "--parallel-joins" -> {
                    parallelJoins = count(name, value, 256);
                    if (parallelJoins == 0) {
                        throw new UsageException("--parallel-joins must be a whole number from 1 to 256, was '" + value + "'");
                    }
                }
                default -> throw new UsageException("unknown option " + name + " (see --help)");
            }
        }
        if (url == null) {
            throw new UsageException("--url is required, e.g. --url http://127.0.0.1:8080");
        }
        URI uri = url(url);
        if (room == null) {
            throw new UsageException("--room is required");
        }
        if (!ROOM.matcher(room).matches()) {
            throw new UsageException("--room must be 1-64 of A-Z a-z 0-9 _ . -, was '" + room + "'");
        }
        if (publishers + subscribers == 0) {
            throw new UsageException("--publishers and --subscribers are both 0: nobody to join");
        }
        if ((apiKey == null) != (apiSecret == null)) {
            throw new UsageException("--api-key and --api-secret go together");
        }
        if (token != null && apiKey != null) {
            throw new UsageException("--token and --api-key are alternatives: give one of them");
        }
        if (publisherLoss >= 100) {
            throw new UsageException("--publisher-loss must be below 100%");
        }
        return new LoadTestOptions(uri, room, publishers, subscribers, duration, token, apiKey, apiSecret, maxLoss,
                metricsToken, decrypt, publisherLoss, joinTimeout, parallelJoins, false, simulcast, warmUp);
    }

    private static URI url(String value) throws UsageException {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new UsageException("--url must start with http:// or https://, was '" + value + "'");
            }
            if (uri.getHost() == null) {
                throw new UsageException("--url has no host: '" + value + "'");
            }
            return new URI(scheme, null, uri.getHost(), uri.getPort(), null, null, null);
        } catch (URISyntaxException e) {
            throw new UsageException("--url is not a URL: " + e.getMessage());
        }
    }

    private static int count(String name, String value, int max) throws UsageException {
        try {
            int n = Integer.parseInt(value);
            if (n >= 0 && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new UsageException(name + " must be a whole number from 0 to " + max + ", was '" + value + "'");
    }

    private static Duration duration(String name, String value) throws UsageException {
        Matcher m = DURATION.matcher(value.trim());
        if (m.matches()) {
            try {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                Duration d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofSeconds(n);
                };
                if (d.compareTo(Duration.ofMillis(100)) >= 0 && d.compareTo(Duration.ofDays(1)) <= 0) {
                    return d;
                }
            } catch (NumberFormatException | ArithmeticException e) {
                // below
            }
        }
        throw new UsageException(name + " must be a duration from 100ms to 24h such as 30s, 2m or 500ms, was '" + value + "'");
    }

    private static double percent(String name, String value) throws UsageException {
        Matcher m = PERCENT.matcher(value.trim());
        if (m.matches()) {
            double p = Double.parseDouble(m.group(1));
            if (p <= 100) {
                return p;
            }
        }
        throw new UsageException(name + " must be a percentage from 0 to 100 such as 1% or 0.5%, was '" + value + "'");
    }

    private static String nonBlank(String name, String value) throws UsageException {
        if (value.isBlank()) {
            throw new UsageException(name + " must not be empty");
        }
        return value;
    }
}

package dev.parley.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What the load tool reads from the server's {@code /metrics} (with its bearer token): the process's CPU time,
 * the RTP packets forwarded to subscribers and the participants in rooms.
 */
final class ServerMetrics {
    /** One scrape; a figure the server did not expose is NaN. */
    record Sample(long atNanos, double cpuSeconds, double forwardedPackets, double participants) {}

    private final HttpClient http;
    private final URI metrics;
    private final String token;

    ServerMetrics(HttpClient http, URI base, String token) {
        this.http = http;
        this.metrics = base.resolve("/metrics");
        this.token = token;
    }

    /**
     * Scrapes once.
     *
     * @throws IOException when the server does not answer 200, with its status (401: the token is wrong)
     */
    Sample scrape() throws IOException {
        String body = read();
        return new Sample(System.nanoTime(), sample(body, "process_cpu_seconds_total"),
                sample(body, "parley_media_packets_forwarded_total"), sample(body, "parley_participants"));
    }

    /** Every value of {@code series}, labelled or not, in one scrape (e.g. one per participant). */
    double[] values(String series) throws IOException {
        return values(read(), series);
    }

    private String read() throws IOException {
        HttpRequest request = HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading " + metrics);
        }
        if (response.statusCode() != 200) {
            throw new IOException(metrics + " answered " + response.statusCode()
                    + (response.statusCode() == 401 ? " (the metrics token is not the server's)" : ""));
        }
        return response.body();
    }

    /** The values of {@code series} with or without labels in a Prometheus text exposition. */
    static double[] values(String exposition, String series) {
        java.util.List<Double> found = new java.util.ArrayList<>();
        for (String line : exposition.split("\n")) {
            if (!line.startsWith(series) || line.length() == series.length()) {
                continue;
            }
            char next = line.charAt(series.length());
            int valueAt;
            if (next == '{') {
                int close = line.lastIndexOf('}');
                valueAt = close < 0 ? -1 : close + 1;
            } else {
                valueAt = next == ' ' ? series.length() : -1;
            }
            if (valueAt < 0) {
                continue;
            }
            String[] f = line.substring(valueAt).trim().split(" ");
            try {
                found.add(Double.parseDouble(f[0]));
            } catch (NumberFormatException e) {
                // not a sample line
            }
        }
        return found.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The value of an unlabelled series in a Prometheus text exposition, NaN when absent. */
    static double sample(String exposition, String series) {
        int from = 0;
        while (true) {
            int at = exposition.indexOf(series, from);
            if (at < 0) {
                return Double.NaN;
            }
            boolean lineStart = at == 0 || exposition.charAt(at - 1) == '\n';
            int after = at + series.length();
            if (lineStart && after < exposition.length() && exposition.charAt(after) == ' ') {
                int end = exposition.indexOf('\n', after);
                String value = exposition.substring(after + 1, end < 0 ? exposition.length() : end).trim();
                int space = value.indexOf(' '); // a timestamp may follow
                try {
                    return Double.parseDouble(space < 0 ? value : value.substring(0, space));
                } catch (NumberFormatException e) {
                    return Double.NaN;
                }
            }
            from = after;
        }
    }
}

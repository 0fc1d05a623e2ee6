package dev.parley.e2e;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scrape of Prometheus text exposition: samples with their labels, and sums over them. */
public record PrometheusText(List<Sample> samples) {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})?\\s+(\\S+)(?:\\s+\\d+)?$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample line: metric name, labels, value. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** Parses the text format; comment and blank lines are skipped, a line that is no sample is an error. */
    public static PrometheusText parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) continue;
            Matcher matcher = SAMPLE.matcher(trimmed);
            if (!matcher.matches()) throw new IllegalArgumentException("not a Prometheus sample line: " + line);
            Map<String, String> labels = new LinkedHashMap<>();
            if (matcher.group(2) != null) {
                Matcher label = LABEL.matcher(matcher.group(2));
                while (label.find()) labels.put(label.group(1), label.group(2));
            }
            samples.add(new Sample(matcher.group(1), labels, Double.parseDouble(matcher.group(3))));
        }
        return new PrometheusText(List.copyOf(samples));
    }

    /** The sum of every sample of a metric (0 when absent). */
    public double sum(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).mapToDouble(Sample::value).sum();
    }

    /** The sum of a metric's samples carrying the given label value (0 when absent). */
    public double sum(String name, String label, String value) {
        return samples.stream().filter(s -> s.name().equals(name) && value.equals(s.labels().get(label)))
                .mapToDouble(Sample::value).sum();
    }

    /** Per label value, the sum of a metric's samples, e.g. drops per reason. */
    public Map<String, Double> sumBy(String name, String label) {
        Map<String, Double> result = new LinkedHashMap<>();
        for (Sample s : samples) {
            if (s.name().equals(name)) result.merge(s.labels().getOrDefault(label, ""), s.value(), Double::sum);
        }
        return result;
    }
}

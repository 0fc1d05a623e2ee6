package dev.parley.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.parley.testkit.NginxGateway;
import dev.parley.testkit.TestCertificate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deployment files that cannot run here (no container engine) checked by the programs that can:
 * docker-compose (v1) validates compose.yaml, yamllint every YAML file, promtool the rules, scrape configuration
 * and dashboard queries, nginx -t the shipped nginx.conf; and by
 * reading them: the Kubernetes manifests' essentials, every {@code PARLEY_*} variable is a real setting whose
 * value Parley accepts, and every metric the dashboard and the alert rules use is one docs/metrics.md lists.
 */
class DeploymentFilesTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Path DOCKER = ROOT.resolve("docker");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARLEY_VARIABLE = Pattern.compile("\\bPARLEY_[A-Z0-9_]+\\b");
    private static final Pattern METRIC = Pattern.compile("\\bparley_[a-z_]+\\b");

    @TempDir
    Path tmp;

    @Test
    void dockerComposeAcceptsTheComposeFile() throws Exception {
        Run ok = run(ROOT, "docker-compose", "-f", "docker/compose.yaml", "--env-file", "docker/example.env", "config", "-q");
        assertEquals(0, ok.exit(), ok.output());
        // Without the settings file the stack refuses to start instead of running with empty secrets.
        Path empty = Files.writeString(tmp.resolve("empty.env"), "");
        Run missing = run(ROOT, "docker-compose", "-f", "docker/compose.yaml", "--env-file", empty.toString(), "config", "-q");
        assertTrue(missing.exit() != 0 && missing.output().contains("docker/.env"), missing.output());

        JsonNode compose = resolvedCompose();
        assertEquals(Set.of("parley", "postgres", "redis", "kafka", "minio", "minio-init", "coturn", "nginx", "prometheus", "grafana"),
                fieldNames(compose.get("services")));
        // Every file the stack mounts from the repository is there (certs/ is the operator's, see docker/README.md).
        int binds = 0;
        for (JsonNode service : compose.get("services")) {
            for (Map.Entry<Path, String> bind : binds(service).entrySet()) {
                Path source = bind.getKey();
                binds++;
                if (source.equals(DOCKER.resolve("certs"))) {
                    continue;
                }
                assertTrue(Files.exists(source) || source.equals(ROOT.resolve("turn/turnserver.conf")),
                        "mounted file is missing: " + source);
            }
        }
        assertTrue(binds >= 10, "files mounted from the repository: " + binds);
        assertEquals("/etc/grafana/provisioning", mountTarget(compose, "grafana", DOCKER.resolve("grafana/provisioning")));
        assertEquals("/etc/nginx/parley", mountTarget(compose, "nginx", ROOT.resolve("nginx")));
    }

    @Test
    void theComposeStacksParleySettingsAreAcceptedByParley() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        resolvedCompose().at("/services/parley/environment").fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        assertTrue(env.size() >= 15, env.toString());
        assertAllAreSettings(env.keySet(), "compose.yaml");
        ServerConfig config = ServerConfig.from(Settings.resolve(new String[0], env));
        assertEquals("redis://redis:6379/0", config.redisUrl());
        assertTrue(config.limits().trustedProxies().contains(composeAddress("nginx")),
                "nginx's fixed address is Parley's trusted proxy: " + config.limits().trustedProxies());
    }

    @Test
    void everyParleyVariableInTheDeploymentFilesIsARealSetting() throws Exception {
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.walk(DOCKER)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Matcher m = PARLEY_VARIABLE.matcher(Files.readString(f));
                while (m.find()) {
                    used.add(m.group());
                }
            }
        }
        assertTrue(used.size() >= 15, "the deployment files set Parley's settings: " + used);
        assertAllAreSettings(used, "docker/");
    }

    @Test
    void theKubernetesManifestsHoldTogether() throws Exception {
        Map<String, String> apiVersions = Map.of("Namespace", "v1", "ConfigMap", "v1", "Secret", "v1", "Service", "v1",
                "StatefulSet", "apps/v1", "PodDisruptionBudget", "policy/v1", "Ingress", "networking.k8s.io/v1",
                "Kustomization", "kustomize.config.k8s.io/v1beta1");
        Map<String, List<JsonNode>> byKind = new HashMap<>();
        Map<String, Path> fileOf = new HashMap<>();
        try (Stream<Path> files = Files.list(DOCKER.resolve("k8s"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : YAML.readValues(YAML.createParser(f.toFile()), JsonNode.class).readAll()) {
                    String kind = doc.path("kind").asText();
                    assertEquals(apiVersions.get(kind), doc.path("apiVersion").asText(), f + ": apiVersion of " + kind);
                    if (!kind.equals("Kustomization")) {
                        assertFalse(doc.at("/metadata/name").asText().isEmpty(), f + ": a name");
                    }
                    if (!kind.equals("Namespace") && !kind.equals("Kustomization")) {
                        assertEquals("parley", doc.at("/metadata/namespace").asText(), f + ": " + kind + " in the parley namespace");
                    }
                    byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(doc);
                    fileOf.put(kind + "/" + doc.at("/metadata/name").asText(), f);
                }
            }
        }
        JsonNode set = byKind.get("StatefulSet").getFirst();
        JsonNode podLabels = set.at("/spec/template/metadata/labels");
        assertTrue(matches(set.at("/spec/selector/matchLabels"), podLabels), "the StatefulSet selects its own pods");
        assertTrue(set.at("/spec/template/spec/terminationGracePeriodSeconds").asInt() >= 45,
                "time for the ordered shutdown on SIGTERM (docs/operations.md)");
        assertTrue(byKind.get("Service").stream().anyMatch(s -> s.at("/metadata/name").asText().equals(set.at("/spec/serviceName").asText())),
                "the governing Service exists");
        JsonNode container = set.at("/spec/template/spec/containers/0");
        Map<String, String> containerPorts = new HashMap<>();
        Set<String> protocols = new TreeSet<>();
        for (JsonNode p : container.get("ports")) {
            containerPorts.put(p.get("name").asText(), p.get("containerPort").asText());
            protocols.add(p.get("containerPort").asText() + "/" + p.get("protocol").asText());
        }
        assertTrue(protocols.containsAll(Set.of("8080/TCP", "40000/UDP", "40000/TCP")), protocols.toString());
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertEquals("/health", container.at("/" + probe + "/httpGet/path").asText(), probe);
            assertTrue(containerPorts.containsKey(container.at("/" + probe + "/httpGet/port").asText()), probe + " names a container port");
        }
        for (JsonNode from : container.get("envFrom")) {
            String kind = from.has("configMapRef") ? "ConfigMap" : "Secret";
            String name = from.path(from.has("configMapRef") ? "configMapRef" : "secretRef").get("name").asText();
            assertTrue(fileOf.containsKey(kind + "/" + name), "envFrom " + kind + " " + name + " exists");
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (String kind : List.of("ConfigMap", "Secret")) {
            JsonNode data = byKind.get(kind).getFirst().path(kind.equals("Secret") ? "stringData" : "data");
            data.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode e : container.get("env")) {
            env.put(e.get("name").asText(), "192.0.2.10"); // status.hostIP, from the downward API
        }
        assertAllAreSettings(env.keySet(), "k8s");
        ServerConfig.from(Settings.resolve(new String[0], env)); // Parley accepts the values

        for (JsonNode service : byKind.get("Service")) {
            assertTrue(matches(service.get("spec").get("selector"), podLabels), service.at("/metadata/name") + " selects Parley's pods");
            for (JsonNode p : service.at("/spec/ports")) {
                String target = p.get("targetPort").asText();
                assertTrue(containerPorts.containsKey(target) || containerPorts.containsValue(target)
                        || fileOf.get("Service/" + service.at("/metadata/name").asText()).endsWith("media-nodeport.yaml"),
                        service.at("/metadata/name") + " port " + target + " is a container port");
            }
        }
        Set<String> mediaProtocols = new TreeSet<>();
        byKind.get("Service").stream().filter(s -> s.at("/metadata/name").asText().equals("parley-media"))
                .forEach(s -> s.at("/spec/ports").forEach(p -> mediaProtocols.add(p.get("protocol").asText())));
        assertEquals(Set.of("TCP", "UDP"), mediaProtocols, "the media Service carries UDP and TCP");
        JsonNode pdb = byKind.get("PodDisruptionBudget").getFirst();
        assertTrue(matches(pdb.at("/spec/selector/matchLabels"), podLabels), "the PodDisruptionBudget covers Parley's pods");
        JsonNode backend = byKind.get("Ingress").getFirst().at("/spec/rules/0/http/paths/0/backend/service");
        assertTrue(fileOf.containsKey("Service/" + backend.get("name").asText()), "the Ingress backend exists");
        assertTrue(containerPorts.containsKey(backend.at("/port/name").asText()));

        Set<String> listed = new TreeSet<>();
        byKind.get("Kustomization").getFirst().get("resources").forEach(r -> listed.add(r.asText()));
        Set<String> files = fileOf.values().stream().map(p -> p.getFileName().toString())
                .filter(n -> !n.equals("kustomization.yaml") && !n.equals("media-nodeport.yaml")).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(files, listed, "kustomization.yaml lists every manifest but the NodePort alternative");
    }

    @Test
    void theDashboardAndAlertRulesUseOnlyDocumentedMetrics() throws Exception {
        Set<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(parley_[a-z_]+)` \\|").matcher(Files.readString(ROOT.resolve("docs/metrics.md")));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertTrue(documented.size() >= 15, documented.toString());

        JsonNode dashboard = JSON.readTree(DOCKER.resolve("grafana/dashboards/parley.json").toFile());
        Set<String> titles = new TreeSet<>();
        Set<String> dashboardMetrics = new TreeSet<>();
        JsonNode datasource = YAML.readTree(DOCKER.resolve("grafana/provisioning/datasources/prometheus.yml").toFile()).at("/datasources/0");
        for (JsonNode panel : dashboard.get("panels")) {
            titles.add(panel.get("title").asText());
            assertEquals(datasource.get("uid").asText(), panel.at("/datasource/uid").asText(), "panels use the provisioned data source");
            assertTrue(panel.get("targets").size() > 0, panel.get("title").asText());
            for (JsonNode target : panel.get("targets")) {
                dashboardMetrics.addAll(metricsIn(target.get("expr").asText()));
            }
        }
        assertTrue(documented.containsAll(dashboardMetrics), "undocumented metrics in the dashboard: " + minus(dashboardMetrics, documented));
        assertTrue(dashboardMetrics.containsAll(Set.of("parley_rooms", "parley_participants", "parley_media_packets_forwarded_total",
                "parley_participant_rtp_bytes_total", "parley_participant_rtp_packets_lost_total", "parley_participant_jitter_seconds",
                "parley_participant_rtt_seconds", "parley_dtls_handshakes_total", "parley_media_packets_dropped_total",
                "parley_events_backlog")), "the dashboard shows what operators asked for: " + dashboardMetrics);
        assertTrue(titles.containsAll(Set.of("Rooms", "Participants", "Forwarded packets per second", "Bitrate per participant",
                "Packet loss per participant", "Jitter per participant", "Round-trip time per participant", "DTLS handshakes",
                "Dropped datagrams", "Event backlog")), titles.toString());

        JsonNode rules = YAML.readTree(DOCKER.resolve("prometheus/alerts.yml").toFile());
        int count = 0;
        for (JsonNode group : rules.get("groups")) {
            for (JsonNode rule : group.get("rules")) {
                String name = rule.path("alert").asText();
                assertFalse(name.isEmpty(), "every rule is an alert: " + rule);
                assertFalse(rule.at("/labels/severity").asText().isEmpty(), name + " has a severity");
                assertFalse(rule.at("/annotations/summary").asText().isEmpty(), name + " has a summary");
                Set<String> used = metricsIn(rule.get("expr").asText());
                assertTrue(documented.containsAll(used), name + " uses undocumented metrics: " + minus(used, documented));
                count++;
            }
        }
        assertTrue(count >= 5, "alert rules: " + count);

        JsonNode prometheus = YAML.readTree(DOCKER.resolve("prometheus/prometheus.yml").toFile());
        assertTrue(prometheus.get("rule_files").toString().contains("/etc/prometheus/alerts.yml"));
        JsonNode job = prometheus.at("/scrape_configs/0");
        assertEquals("parley", job.get("job_name").asText());
        assertEquals("/metrics", job.get("metrics_path").asText());
        assertEquals("Bearer", job.at("/authorization/type").asText());
        assertFalse(job.at("/authorization/credentials_file").asText().isEmpty(), "the token comes from a file");
    }

    /**
     * Prometheus's own checker on the alert rules and the scrape configuration (paths moved into the test's
     * directory), and on every query of the dashboard, given to it as recording rules so that its PromQL parser
     * reads them ({@code $instance} as Grafana would fill it in).
     */
    @Test
    void promtoolAcceptsTheRulesTheScrapeConfigurationAndTheDashboardQueries() throws Exception {
        Run rules = run(DOCKER, "promtool", "check", "rules", "prometheus/alerts.yml");
        assertEquals(0, rules.exit(), rules.output());

        Path alerts = Files.copy(DOCKER.resolve("prometheus/alerts.yml"), tmp.resolve("alerts.yml"));
        Path token = Files.writeString(tmp.resolve("metrics-token"), "a-token-for-the-check");
        String config = Files.readString(DOCKER.resolve("prometheus/prometheus.yml"));
        String moved = config.replace("/etc/prometheus/alerts.yml", alerts.toString()).replace("/prometheus/metrics-token", token.toString());
        assertFalse(moved.equals(config), "the paths the compose stack mounts are in prometheus.yml");
        Path configFile = Files.writeString(tmp.resolve("prometheus.yml"), moved);
        Run checked = run(tmp, "promtool", "check", "config", configFile.toString());
        assertEquals(0, checked.exit(), checked.output());

        StringBuilder asRules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        int n = 0;
        for (JsonNode panel : JSON.readTree(DOCKER.resolve("grafana/dashboards/parley.json").toFile()).get("panels")) {
            for (JsonNode target : panel.get("targets")) {
                String expr = target.get("expr").asText().replace("$instance", ".*");
                asRules.append("      - record: dashboard:query_").append(n++).append("\n        expr: ")
                        .append(JSON.writeValueAsString(expr)).append('\n');
            }
        }
        Path dashboardRules = Files.writeString(tmp.resolve("dashboard-queries.yml"), asRules);
        Run queries = run(tmp, "promtool", "check", "rules", dashboardRules.toString());
        assertEquals(0, queries.exit(), queries.output());
        assertTrue(queries.output().contains("SUCCESS: " + n + " rules found"), queries.output());
    }

    @Test
    void yamllintAcceptsEveryYamlFile() throws Exception {
        Run lint = run(ROOT, "yamllint", "-s", "-c", "docker/.yamllint", "docker");
        assertEquals(0, lint.exit(), lint.output());
    }

    @Test
    void theDockerfileBuildsWithTheWrapperAndRunsUnprivilegedWithAHealthCheck() throws Exception {
        String dockerfile = Files.readString(DOCKER.resolve("Dockerfile"));
        List<String> stages = dockerfile.lines().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(2, stages.size(), stages.toString());
        assertTrue(stages.get(0).matches("FROM eclipse-temurin:2[1-9]-jdk AS build"), stages.get(0));
        assertTrue(stages.get(1).matches("FROM eclipse-temurin:2[1-9]-jre"), stages.get(1));
        assertTrue(dockerfile.contains("./mvnw "), "built with the Maven wrapper");
        assertTrue(dockerfile.lines().anyMatch(l -> l.matches("USER (?!root)\\w+")), "runs as a user of its own");
        assertTrue(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("GET /health"), "health check on /health");
        assertTrue(dockerfile.contains("40000/udp") && dockerfile.contains("VOLUME"), "media port and data volume");
        assertTrue(Pattern.compile("(?m)^ENTRYPOINT \\[\"java\"").matcher(dockerfile).find(), "exec form: java gets SIGTERM");
    }

    /** The image's HEALTHCHECK command, run here as Docker would run it: healthy against Parley, not without it. */
    @Test
    void theHealthCheckCommandTellsARunningParleyFromNone() throws Exception {
        Matcher cmd = Pattern.compile("(?m)^HEALTHCHECK .*\\\\\n\\s*CMD (\\[.*\\])$").matcher(Files.readString(DOCKER.resolve("Dockerfile")));
        assertTrue(cmd.find(), "HEALTHCHECK ... CMD [exec form]");
        List<String> command = new ArrayList<>();
        JSON.readTree(cmd.group(1)).forEach(part -> command.add(part.asText()));
        Matcher timeout = Pattern.compile("(?m)^HEALTHCHECK .*--timeout=(\\d+)s").matcher(Files.readString(DOCKER.resolve("Dockerfile")));
        assertTrue(timeout.find(), "HEALTHCHECK --timeout=<n>s");
        long allowedNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(timeout.group(1)));
        try (RunningServer parley = new RunningServer(tmp.resolve("parley"))) {
            long start = System.nanoTime();
            Run healthy = run(tmp, Map.of("PARLEY_HTTP_PORT", Integer.toString(parley.server.httpPort())), command);
            long took = System.nanoTime() - start;
            assertEquals(0, healthy.exit(), healthy.output());
            assertTrue(took < allowedNanos, "answered within the check's timeout, as Docker wants it: " + took / 1_000_000 + " ms");
        }
        Run none = run(tmp, Map.of("PARLEY_HTTP_PORT", Integer.toString(NginxGateway.freePort())), command);
        assertTrue(none.exit() != 0, "no server, not healthy: " + none.output());
    }

    /**
     * nginx -t on the shipped nginx.conf as the compose stack mounts it: nginx/ as parley/ under the
     * configuration directory, with the site files written for here (the compose ones name hosts of the compose
     * network); then with the TURN-on-443 include switched on as turn-tls-443.conf describes.
     */
    @Test
    void nginxAcceptsTheShippedMainConfiguration() throws Exception {
        Path site = tmp.resolve("site");
        NginxGateway.writeConfig(site, TestCertificate.create(), 8080, NginxGateway.freePort(),
                new NginxGateway.TurnOn443(NginxGateway.freePort(), NginxGateway.freePort(), NginxGateway.freePort(), "turn.localhost"));
        Path conf = Files.createDirectories(tmp.resolve("conf"));
        Path parley = Files.createDirectories(conf.resolve("parley"));
        try (Stream<Path> shipped = Files.list(NginxGateway.SHIPPED)) {
            for (Path f : shipped.filter(p -> p.toString().endsWith(".conf")).toList()) {
                Path written = site.resolve("parley").resolve(f.getFileName());
                Files.copy(Files.exists(written) ? written : f, parley.resolve(f.getFileName()));
            }
        }
        Files.copy(Path.of("/etc/nginx/mime.types"), conf.resolve("mime.types"));
        String main = Files.readString(NginxGateway.SHIPPED.resolve("nginx.conf"));
        Files.writeString(conf.resolve("nginx.conf"), main);
        assertTrue(check(conf.resolve("nginx.conf")).contains("test is successful"));

        String withTurn = main.replace("# include parley/turn-tls-443.conf;", "include parley/turn-tls-443.conf;");
        assertFalse(withTurn.equals(main), "nginx.conf has the documented TURN include to switch on");
        Path debianModule = Path.of("/usr/lib/nginx/modules/ngx_stream_module.so");
        if (Files.exists(debianModule)) {
            withTurn = "load_module " + debianModule + ";\n" + withTurn; // the nginx image has it built in
        }
        Files.writeString(conf.resolve("nginx.conf"), withTurn);
        assertTrue(check(conf.resolve("nginx.conf")).contains("test is successful"));
    }

    private static String check(Path conf) throws Exception {
        // The shipped main file sets its own pid and logs; only the prefix is the test's.
        Run t = run(conf.getParent(), NginxGateway.program(), "-t", "-p", conf.getParent() + "/", "-c", conf.toString());
        assertEquals(0, t.exit(), t.output());
        return t.output();
    }

    private static void assertAllAreSettings(Set<String> variables, String where) {
        Set<String> settings = Settings.OPTIONS.stream().map(Settings.Option::env).collect(Collectors.toSet());
        Set<String> unknown = minus(variables, settings);
        unknown.remove("PARLEY_CONFIG"); // the config file's path, read before the settings
        assertTrue(unknown.isEmpty(), where + " sets variables that are no Parley setting: " + unknown);
    }

    private JsonNode resolvedCompose() throws Exception {
        Run config = run(ROOT, "docker-compose", "-f", "docker/compose.yaml", "--env-file", "docker/example.env", "config");
        assertEquals(0, config.exit(), config.output());
        return YAML.readTree(config.output());
    }

    private static String composeAddress(String service) throws Exception {
        return YAML.readTree(DOCKER.resolve("compose.yaml").toFile()).at("/services/" + service + "/networks/parley/ipv4_address").asText();
    }

    private static String mountTarget(JsonNode compose, String service, Path source) {
        return binds(compose.at("/services/" + service)).get(source);
    }

    /** A service's files mounted from the host, source to target, as {@code docker-compose config} writes them. */
    private static Map<Path, String> binds(JsonNode service) {
        Map<Path, String> binds = new LinkedHashMap<>();
        for (JsonNode v : service.path("volumes")) {
            String[] parts = v.asText().split(":");
            if (parts.length >= 2 && parts[0].startsWith("/")) {
                binds.put(Path.of(parts[0]), parts[1]);
            }
        }
        return binds;
    }

    private static boolean matches(JsonNode selector, JsonNode labels) {
        assertNotNull(selector);
        assertTrue(selector.size() > 0, "an empty selector selects everything");
        for (Map.Entry<String, JsonNode> e : selector.properties()) {
            if (!e.getValue().equals(labels.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> metricsIn(String expr) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
            names.add(m.group());
        }
        return names;
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }

    private record Run(int exit, String output) {}

    private static Run run(Path dir, String... command) throws Exception {
        return run(dir, Map.of(), List.of(command));
    }

    private static Run run(Path dir, Map<String, String> env, List<String> command) throws Exception {
        Process p;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
            builder.environment().putAll(env);
            p = builder.start();
        } catch (java.io.IOException e) {
            throw new AssertionError(command.getFirst() + " is not installed: run scripts/install-test-tools.sh", e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        return new Run(p.exitValue(), out);
    }
}

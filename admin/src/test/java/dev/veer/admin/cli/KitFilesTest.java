package dev.veer.admin.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.veer.admin.RepositoryRoot;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The shipped Grafana dashboard and Prometheus rules: valid, and reading only CONTRACT §5's metrics and the rollout
 * roles.
 */
class KitFilesTest {

    /**
     * CONTRACT §5, with the series a histogram exposes, and veer_rollout_role, which the canary alerts need to tell
     * the canary from its baseline (§5's metrics name versions, not roles).
     */
    private static final Set<String> GATE_METRICS = Set.of(
            "veer_requests_total",
            "veer_request_duration_seconds_bucket", "veer_request_duration_seconds_sum",
            "veer_request_duration_seconds_count",
            "veer_upstream_failures_total", "veer_weight", "veer_endpoint_up", "veer_rollout_step",
            "veer_rollout_phase", "veer_rollout_role");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([A-Za-z_:][A-Za-z0-9_:]*)\\s*,");

    private static final Path ROOT = RepositoryRoot.find();

    @Test
    void alertRulesPassPromtoolCheck() throws Exception {
        PromtoolResult result = promtool("check", "rules", "config/prometheus/alerts.yaml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 5 rules found");
    }

    @Test
    void alertRulesPassTheirPromtoolUnitTests() throws Exception {
        PromtoolResult result = promtool("test", "rules", "config/prometheus/alerts_test.yaml");

        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void alertRulesReadOnlyContractMetrics() throws IOException {
        JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("config/prometheus/alerts.yaml").toFile());
        Map<String, String> exprs = new LinkedHashMap<>();
        for (JsonNode group : rules.path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                exprs.put(rule.path("alert").asText(), rule.path("expr").asText());
            }
        }

        assertThat(exprs).containsOnlyKeys("VeerCanaryErrorRateHigh", "VeerCanaryLatencyHigh", "VeerRolloutRolledBack",
                "VeerEndpointDown", "VeerVersionWithoutHealthyEndpoint");
        exprs.forEach((alert, expr) -> assertThat(PromQlMetricNames.of(expr)).as(alert).isNotEmpty()
                .isSubsetOf(GATE_METRICS));
    }

    @Test
    void dashboardQueriesReadOnlyContractMetricsAndCoverThemAll() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("config/grafana/veer-dashboard.json").toFile());
        List<String> exprs = new ArrayList<>();
        collectExprs(dashboard.path("panels"), exprs);

        assertThat(exprs).hasSizeGreaterThanOrEqualTo(10);
        Set<String> used = new LinkedHashSet<>();
        for (String expr : exprs) {
            Set<String> names = PromQlMetricNames.of(expr);
            assertThat(names).as(expr).isNotEmpty().isSubsetOf(GATE_METRICS);
            assertThat(expr).as("filtered to the chosen service").contains("service=\"$service\"");
            used.addAll(names);
        }
        assertThat(used).containsAll(Set.of("veer_requests_total", "veer_request_duration_seconds_bucket",
                "veer_upstream_failures_total", "veer_weight", "veer_endpoint_up", "veer_rollout_step",
                "veer_rollout_phase"));
        assertThat(String.join("\n", exprs)).contains("histogram_quantile(0.5,", "histogram_quantile(0.95,",
                "histogram_quantile(0.99,");
    }

    @Test
    void dashboardHasAServiceVariableFromRequestsAndAModernSchema() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(ROOT.resolve("config/grafana/veer-dashboard.json").toFile());

        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        JsonNode service = null;
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            if (variable.path("name").asText().equals("service")) {
                service = variable;
            }
        }
        assertThat(service).as("a template variable named service").isNotNull();
        String query = service.path("query").isObject() ? service.path("query").path("query").asText()
                : service.path("query").asText();
        assertThat(query).isEqualTo("label_values(veer_requests_total, service)");
        Matcher metric = LABEL_VALUES.matcher(query);
        assertThat(metric.find()).isTrue();
        assertThat(GATE_METRICS).contains(metric.group(1));
        Set<Integer> ids = new LinkedHashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("unique panel id " + panel.path("id")).isTrue();
        }
    }

    @Test
    void metricNameExtractionSeesThroughPromQlSyntax() {
        assertThat(PromQlMetricNames.of("sum by (version, le) (rate(veer_request_duration_seconds_bucket"
                + "{service=\"$service\",le=~\"0.1|+Inf\"}[$__rate_interval] offset 5m))")).containsExactly(
                "veer_request_duration_seconds_bucket");
        assertThat(PromQlMetricNames.of("a_total / on (service) group_left () 2 * min by (service) (b) > bool 1"))
                .containsExactly("a_total", "b");
        assertThat(PromQlMetricNames.of("rate(http_requests_total{job='x'}[5m]) and veer_weight > 0"))
                .containsExactly("http_requests_total", "veer_weight");
    }

    private static void collectExprs(JsonNode node, List<String> exprs) {
        if (node.isObject()) {
            JsonNode expr = node.get("expr");
            if (expr != null && expr.isTextual()) {
                exprs.add(expr.asText());
            }
            node.forEach(child -> collectExprs(child, exprs));
        } else if (node.isArray()) {
            node.forEach(child -> collectExprs(child, exprs));
        }
    }

    private record PromtoolResult(int exitCode, String output) {
    }

    private static PromtoolResult promtool(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("promtool");
        command.addAll(List.of(args));
        // output to a file: a pipe nobody reads while we wait could fill up and stall promtool
        Path output = Files.createTempFile("promtool", ".out");
        try {
            Process process;
            try {
                process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                        .redirectOutput(output.toFile()).start();
            } catch (IOException e) {
                throw new AssertionError("promtool not found on PATH (" + e.getMessage() + "): run "
                        + ".ci/install-tools, which installs the Debian package 'prometheus' that provides it", e);
            }
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("promtool " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new PromtoolResult(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}

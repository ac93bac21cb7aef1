package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** status, weights, switch, versions, stats: the verbs about services and their versions. */
final class ServiceCommands {

    private static final Set<String> RUNNING_PHASES = Set.of("Progressing", "Paused", "AwaitingApproval");

    private ServiceCommands() {
    }

    static String servicePath(String service) {
        return "/api/v1/services/" + AdminClient.segment(service);
    }

    /** status [SVC] */
    static void status(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of());
        args.noMoreThan(1);
        List<JsonNode> services;
        AdminResponse response;
        if (args.size() == 1) {
            response = session.client().get(servicePath(args.required(0, "SVC")));
            if (session.printedRaw(response)) {
                return;
            }
            services = List.of(response.json());
        } else {
            response = session.client().get("/api/v1/services");
            if (session.printedRaw(response)) {
                return;
            }
            services = Json.list(response.json(), "services");
            if (services.isEmpty()) {
                session.out().println("no services");
                return;
            }
        }
        for (int i = 0; i < services.size(); i++) {
            if (i > 0) {
                session.out().println();
            }
            printService(services.get(i), session);
        }
    }

    private static void printService(JsonNode service, Session session) throws RefusedException {
        String name = Json.text(service, "name");
        session.out().println(name + "  revision " + Json.text(service, "revision"));
        TextTable table = new TextTable("VERSION", "WEIGHT", "ENDPOINTS");
        JsonNode weights = service.path("weights");
        for (JsonNode version : Json.list(service, "versions")) {
            String versionName = Json.text(version, "name");
            table.row(versionName, percent(weights.path(versionName)), endpoints(version.path("endpoints")));
        }
        table.print(session.out(), "  ");
        JsonNode rollout = service.has("rollout") ? service.get("rollout") : fetchRollout(name, session);
        if (rollout != null && rollout.isObject()) {
            String phase = Json.text(rollout, "phase");
            session.out().println("  " + (RUNNING_PHASES.contains(phase) ? "rollout: " : "last rollout: ")
                    + RolloutView.summary(rollout));
        }
    }

    private static JsonNode fetchRollout(String service, Session session) throws RefusedException {
        AdminResponse response = session.client().getIfPresent(servicePath(service) + "/rollout");
        return response == null ? null : response.json();
    }

    static String percent(JsonNode weight) {
        return weight.isNumber() ? Json.number(weight.decimalValue()) + "%" : "0%";
    }

    /** "127.0.0.1:9001 up, 127.0.0.1:9002 DOWN": health shouts only when something is wrong. */
    private static String endpoints(JsonNode endpoints) {
        if (!endpoints.isArray() || endpoints.isEmpty()) {
            return "-";
        }
        List<String> parts = new ArrayList<>();
        for (JsonNode endpoint : endpoints) {
            if (endpoint.isTextual()) {
                parts.add(endpoint.asText());
                continue;
            }
            JsonNode healthy = endpoint.path("healthy");
            String health = healthy.isBoolean() ? (healthy.asBoolean() ? " up" : " DOWN") : "";
            parts.add(Json.text(endpoint, "address") + health);
        }
        return String.join(", ", parts);
    }

    /** weights SVC VER=PERCENT ... */
    static void weights(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of());
        String service = args.required(0, "SVC");
        List<String> assignments = args.from(1);
        if (assignments.isEmpty()) {
            throw new UsageException("missing weights, e.g. blue=90 green=10");
        }
        Map<String, BigDecimal> split = new LinkedHashMap<>();
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                throw new UsageException("weight: " + assignment + " (expected: VERSION=PERCENT, e.g. green=10)");
            }
            String version = assignment.substring(0, equals);
            String value = assignment.substring(equals + 1);
            try {
                if (split.put(version, new BigDecimal(value)) != null) {
                    throw new UsageException("weight for " + version + " given twice");
                }
            } catch (NumberFormatException e) {
                throw new UsageException("weight for " + version + ": " + value + " (expected: a percent like 90 or 12.5)");
            }
        }
        ObjectNode body = Json.MAPPER.createObjectNode();
        split.forEach((version, percent) -> putNumber(body, version, percent));
        AdminResponse response = session.client().put(servicePath(service) + "/weights", body);
        if (session.printedRaw(response)) {
            return;
        }
        JsonNode updated = response.json();
        JsonNode weights = updated.has("weights") ? updated.get("weights") : updated;
        session.out().println(service + ": weights " + Json.weights(weights) + Session.revisionSuffix(updated));
    }

    /** 90 as an integer, 12.5 as a decimal: the server reads percents with up to 2 decimals. */
    private static void putNumber(ObjectNode body, String field, BigDecimal value) {
        BigDecimal stripped = value.stripTrailingZeros();
        if (stripped.scale() <= 0) {
            body.put(field, stripped.longValueExact());
        } else {
            body.put(field, stripped);
        }
    }

    /** switch SVC VER */
    static void switchTo(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of());
        String service = args.required(0, "SVC");
        String version = args.required(1, "VER (the version to switch all traffic to)");
        args.noMoreThan(2);
        ObjectNode body = Json.MAPPER.createObjectNode().put("to", version);
        AdminResponse response = session.client().post(servicePath(service) + "/switch", body);
        if (session.printedRaw(response)) {
            return;
        }
        JsonNode updated = response.json();
        session.out().println(service + ": switched to " + version + "; weights "
                + Json.weights(updated.path("weights")) + Session.revisionSuffix(updated));
    }

    /** versions SVC | versions SVC set VER HOST:PORT,... | versions SVC delete VER */
    static void versions(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of());
        String service = args.required(0, "SVC");
        if (args.size() == 1) {
            listVersions(service, session);
            return;
        }
        String action = args.required(1, "set|delete");
        if (!action.equals("set") && !action.equals("delete")) {
            throw new UsageException("versions: " + action + " (expected: set or delete)");
        }
        String version = args.required(2, "VER");
        String path = servicePath(service) + "/versions/" + AdminClient.segment(version);
        switch (action) {
            case "set" -> {
                String list = args.required(3, "HOST:PORT[,HOST:PORT...]");
                args.noMoreThan(4);
                ArrayNode endpoints = Json.MAPPER.createArrayNode();
                for (String endpoint : list.split(",")) {
                    if (!endpoint.isBlank()) {
                        endpoints.add(endpoint.strip());
                    }
                }
                if (endpoints.isEmpty()) {
                    throw new UsageException("endpoints: " + list + " (expected: HOST:PORT[,HOST:PORT...])");
                }
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.set("endpoints", endpoints);
                AdminResponse response = session.client().put(path, body);
                if (session.printedRaw(response)) {
                    return;
                }
                List<String> addresses = new ArrayList<>();
                endpoints.forEach(endpoint -> addresses.add(endpoint.asText()));
                session.out().println(service + ": version " + version + " set to " + String.join(",", addresses)
                        + Session.revisionSuffix(response.json()));
            }
            case "delete" -> {
                args.noMoreThan(3);
                AdminResponse response = session.client().delete(path);
                if (session.printedRaw(response)) {
                    return;
                }
                session.out().println(service + ": version " + version + " deleted");
            }
            default -> throw new IllegalStateException(action); // checked above
        }
    }

    private static void listVersions(String service, Session session) throws RefusedException {
        AdminResponse response = session.client().get(servicePath(service));
        if (session.printedRaw(response)) {
            return;
        }
        JsonNode body = response.json();
        TextTable table = new TextTable("VERSION", "WEIGHT", "ENDPOINT", "HEALTH");
        for (JsonNode version : Json.list(body, "versions")) {
            String name = Json.text(version, "name");
            String weight = percent(body.path("weights").path(name));
            JsonNode endpoints = version.path("endpoints");
            if (!endpoints.isArray() || endpoints.isEmpty()) {
                table.row(name, weight, "-", "-");
            }
            for (JsonNode endpoint : endpoints) {
                String address = endpoint.isTextual() ? endpoint.asText() : Json.text(endpoint, "address");
                JsonNode healthy = endpoint.path("healthy");
                table.row(name, weight, address, healthy.isBoolean() ? (healthy.asBoolean() ? "up" : "DOWN") : "-");
            }
        }
        table.print(session.out(), "");
    }

    /** stats SVC: one row per version with whatever figures the server reports, in its order. */
    static void stats(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of());
        String service = args.required(0, "SVC");
        args.noMoreThan(1);
        AdminResponse response = session.client().get(servicePath(service) + "/stats");
        if (session.printedRaw(response)) {
            return;
        }
        List<JsonNode> versions = Json.list(response.json(), "versions");
        if (versions.isEmpty()) {
            session.out().println(service + ": no traffic recorded");
            return;
        }
        String recent = "LAST_" + response.json().path("windowSeconds").asLong(60) + "S";
        TextTable table = new TextTable("VERSION", "REQUESTS", "ERRORS", "ERROR%", "P50_MS", "P95_MS", "P99_MS",
                "UPSTREAM_FAILURES", recent + "_REQUESTS", recent + "_ERROR%", recent + "_P95_MS");
        for (JsonNode version : versions) {
            JsonNode last = version.path("recent");
            table.row(Json.text(version, "name"), figure(version, "requests"), figure(version, "errors"),
                    errorPercent(version), figure(version, "p50"), figure(version, "p95"), figure(version, "p99"),
                    failures(version.path("failures")), figure(last, "requests"), errorPercent(last), figure(last, "p95"));
        }
        table.print(session.out(), "");
    }

    private static String figure(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isMissingNode() || value.isNull() ? "-" : Json.scalar(value);
    }

    /** The error rate as a percentage with two decimals: 0.0025 → 0.25. */
    private static String errorPercent(JsonNode node) {
        JsonNode rate = node.path("errorRate");
        return rate.isNumber() ? String.format(java.util.Locale.ROOT, "%.2f", 100 * rate.asDouble()) : "-";
    }

    /** The total and the non-zero reasons: "3 (connect 2, reset 1)", or "0". */
    private static String failures(JsonNode byReason) {
        long total = 0;
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> reason : byReason.properties()) {
            long n = reason.getValue().asLong();
            total += n;
            if (n > 0) {
                parts.add(reason.getKey() + " " + n);
            }
        }
        return parts.isEmpty() ? "0" : total + " (" + String.join(", ", parts) + ")";
    }
}

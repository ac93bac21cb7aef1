package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** rollout SVC [start ...|pause|resume|approve|promote|abort]. */
final class RolloutCommands {

    private static final Set<String> CONTROLS = Set.of("pause", "resume", "approve", "promote", "abort");
    private static final Set<String> STRATEGIES = Set.of("canary", "blueGreen");

    private RolloutCommands() {
    }

    static void rollout(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of("--canary", "--baseline", "--strategy", "--plan"));
        String service = args.required(0, "SVC");
        if ((service.equals("start") || CONTROLS.contains(service)) && args.size() > 1) {
            throw new UsageException("rollout: the service comes first: rollout " + args.required(1, "SVC") + " "
                    + service + " ...");
        }
        String path = ServiceCommands.servicePath(service) + "/rollout";
        if (args.size() == 1) {
            requireNoStartOptions(args);
            AdminResponse response = session.client().getIfPresent(path);
            if (response == null) {
                session.client().get(ServiceCommands.servicePath(service)); // refused as "service ... not found"
                throw new RefusedException(service + " has no rollout (start one with: rollout " + service
                        + " start --canary VER --baseline VER)");
            }
            show(service, response, session);
            return;
        }
        String action = args.required(1, "start|pause|resume|approve|promote|abort");
        args.noMoreThan(2);
        if (action.equals("start")) {
            AdminResponse started;
            try {
                started = session.client().post(path, startBody(args));
            } catch (RefusedException e) {
                String plan = args.option("--plan");
                boolean fromPlan = e.getMessage().startsWith("steps") || e.getMessage().startsWith("analysis");
                throw plan != null && fromPlan ? e.about("--plan " + plan) : e;
            }
            show(service, started, session);
        } else if (CONTROLS.contains(action)) {
            requireNoStartOptions(args);
            show(service, session.client().post(path + "/" + action, null), session);
        } else {
            throw new UsageException("rollout: " + action + " (expected: start, pause, resume, approve, promote or abort)");
        }
    }

    private static ObjectNode startBody(Args args) throws UsageException, RefusedException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        String plan = args.option("--plan");
        if (plan != null) {
            // the plan file holds steps and/or analysis, spelled as in the config's rollout section
            JsonNode planNode = JsonInput.readFile(plan, "--plan");
            JsonInput.requireKeys(planNode, "--plan " + plan, List.of("steps", "analysis"),
                    "; the versions come from --canary and --baseline, the strategy from --strategy");
            for (Map.Entry<String, JsonNode> field : planNode.properties()) {
                body.set(field.getKey(), field.getValue());
            }
        }
        String canary = args.option("--canary");
        String baseline = args.option("--baseline");
        if (canary == null || baseline == null) {
            throw new UsageException("rollout start needs --canary VER and --baseline VER");
        }
        body.put("canary", canary).put("baseline", baseline);
        String strategy = args.option("--strategy");
        if (strategy != null) {
            if (!STRATEGIES.contains(strategy)) {
                throw new UsageException("--strategy: " + strategy + " (expected: canary or blueGreen)");
            }
            body.put("strategy", strategy);
        }
        return body;
    }

    private static void requireNoStartOptions(Args args) throws UsageException {
        for (String option : List.of("--canary", "--baseline", "--strategy", "--plan")) {
            if (args.option(option) != null) {
                throw new UsageException(option + " only goes with rollout SVC start");
            }
        }
    }

    private static void show(String service, AdminResponse response, Session session) throws RefusedException {
        if (!session.printedRaw(response)) {
            RolloutView.printFull(service, response.json(), session.out());
        }
    }
}

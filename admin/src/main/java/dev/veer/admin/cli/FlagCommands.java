package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** flags | flags get NAME | flags set NAME --file F | --json '{...}' | flags enable|disable NAME | flags delete NAME. */
final class FlagCommands {

    private FlagCommands() {
    }

    private static String flagPath(String name) {
        return "/api/v1/flags/" + AdminClient.segment(name);
    }

    private static final Set<String> ACTIONS = Set.of("get", "set", "enable", "disable", "delete");

    static void flags(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of("--file", "--json"));
        if (args.size() == 0) {
            requireNoBody(args);
            list(session);
            return;
        }
        String action = args.required(0, "get|set|enable|disable|delete");
        if (!ACTIONS.contains(action)) {
            throw new UsageException("flags: " + action + " (expected: get, set, enable, disable or delete)");
        }
        String name = args.required(1, "NAME");
        args.noMoreThan(2);
        switch (action) {
            case "get" -> {
                requireNoBody(args);
                AdminResponse response = session.client().get(flagPath(name));
                if (!session.printedRaw(response)) {
                    printFlag(response.json(), session);
                }
            }
            case "set" -> {
                AdminResponse response;
                try {
                    response = session.client().put(flagPath(name), body(args));
                } catch (RefusedException e) {
                    // A field of the body was refused: it is the file's, which is named as a config file would be.
                    String file = args.option("--file");
                    throw file != null && e.namesABodyField() ? e.about("--file " + file) : e;
                }
                if (!session.printedRaw(response)) {
                    session.out().println("flag " + name + " saved" + Session.revisionSuffix(response.json()));
                    printFlag(response.json(), session);
                }
            }
            case "enable", "disable" -> {
                requireNoBody(args);
                // The flag as it is, with only "enabled" changed: a PUT replaces the whole flag.
                JsonNode current = session.client().get(flagPath(name)).json();
                ObjectNode body = current.deepCopy();
                body.remove(List.of("name", "revision"));
                body.put("enabled", action.equals("enable"));
                AdminResponse response = session.client().putRead(flagPath(name), body,
                        current.path("revision").asLong());
                if (!session.printedRaw(response)) {
                    session.out().println("flag " + name + " " + action + "d" + Session.revisionSuffix(response.json()));
                }
            }
            case "delete" -> {
                requireNoBody(args);
                AdminResponse response = session.client().delete(flagPath(name));
                if (!session.printedRaw(response)) {
                    session.out().println("flag " + name + " deleted");
                }
            }
            default -> throw new IllegalStateException(action); // checked above
        }
    }

    private static JsonNode body(Args args) throws UsageException, RefusedException {
        String file = args.option("--file");
        String inline = args.option("--json");
        if ((file == null) == (inline == null)) {
            throw new UsageException("flags set needs exactly one of --file FILE.json or --json '{...}'");
        }
        return file != null ? JsonInput.readFile(file, "--file") : JsonInput.parse(inline, "--json");
    }

    private static void requireNoBody(Args args) throws UsageException {
        if (args.option("--file") != null || args.option("--json") != null) {
            throw new UsageException("--file and --json '{...}' only go with flags set");
        }
    }

    private static void list(Session session) throws RefusedException {
        AdminResponse response = session.client().get("/api/v1/flags");
        if (session.printedRaw(response)) {
            return;
        }
        List<JsonNode> flags = Json.list(response.json(), "flags");
        if (flags.isEmpty()) {
            session.out().println("no flags");
            return;
        }
        TextTable table = new TextTable("NAME", "ENABLED", "PERCENT", "STICKINESS", "TARGETING");
        for (JsonNode flag : flags) {
            table.row(Json.text(flag, "name"), Json.text(flag, "enabled"), percent(flag.path("percentage")),
                    Json.text(flag, "stickiness"), targeting(flag.path("targeting")));
        }
        table.print(session.out(), "");
    }

    /** One "key: value" line per field, so fields the server adds later show up too. */
    private static void printFlag(JsonNode flag, Session session) {
        for (Map.Entry<String, JsonNode> field : flag.properties()) {
            String value = switch (field.getKey()) {
                case "targeting" -> targeting(field.getValue());
                case "percentage" -> percent(field.getValue());
                default -> Json.scalar(field.getValue());
            };
            session.out().println("  " + field.getKey() + ": " + value);
        }
    }

    private static String percent(JsonNode percentage) {
        return percentage.isNumber() ? Json.number(percentage.decimalValue()) + "%" : Json.scalar(percentage);
    }

    /** "header x-plan in [premium]; ..." or "everyone" when there are no rules. */
    private static String targeting(JsonNode rules) {
        if (!rules.isArray() || rules.isEmpty()) {
            return "everyone";
        }
        List<String> described = new ArrayList<>();
        for (JsonNode rule : rules) {
            List<String> parts = new ArrayList<>();
            for (Map.Entry<String, JsonNode> field : rule.properties()) {
                JsonNode value = field.getValue();
                if (value.isArray()) {
                    List<String> items = new ArrayList<>();
                    value.forEach(item -> items.add(Json.scalar(item)));
                    parts.add(field.getKey() + " [" + String.join(",", items) + "]");
                } else {
                    parts.add(field.getKey() + " " + Json.scalar(value));
                }
            }
            described.add(String.join(" ", parts));
        }
        return String.join("; ", described);
    }
}

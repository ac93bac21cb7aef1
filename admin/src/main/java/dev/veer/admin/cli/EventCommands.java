package dev.veer.admin.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.audit.AuditLog;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** events [--limit N]: the audit log as a table, in the order the server keeps it. */
final class EventCommands {

    private EventCommands() {
    }

    static void events(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args args = Args.parse(tokens, Set.of("--limit"));
        args.noMoreThan(0);
        String path = "/api/v1/events";
        String limit = args.option("--limit");
        if (limit != null) {
            int count;
            try {
                count = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                count = -1;
            }
            // The server's bound too: a limit it would refuse is a usage error here (exit 2), as 0 is.
            if (count < 1 || count > AuditLog.RECENT_CAPACITY) {
                throw new UsageException("--limit: " + limit + " (expected: 1.." + AuditLog.RECENT_CAPACITY + ")");
            }
            path += "?limit=" + count;
        }
        AdminResponse response = session.client().get(path);
        if (session.printedRaw(response)) {
            return;
        }
        List<JsonNode> events = Json.list(response.json(), "events");
        if (events.isEmpty()) {
            session.out().println("no events");
            return;
        }
        TextTable table = new TextTable("AT", "ACTOR", "ACTION", "TARGET", "REASON");
        for (JsonNode event : events) {
            table.row(Json.text(event, "at"), Json.text(event, "actor"), Json.text(event, "action"),
                    Json.text(event, "target"), Json.text(event, "reason"));
        }
        table.print(session.out(), "");
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(item -> out.add(item.asText()));
        return out;
    }

    private static void line(Session session, String label, List<String> names) {
        if (!names.isEmpty()) {
            session.out().println("  " + label + ": " + TextTable.printable(String.join(", ", names)));
        }
    }

    /** reload: the server re-reads its config file and applies what changed; says what did and what did not. */
    static void reload(List<String> tokens, Session session) throws UsageException, RefusedException {
        Args.parse(tokens, Set.of()).noMoreThan(0);
        AdminResponse response = session.client().post("/api/v1/reload", null);
        if (!session.printedRaw(response)) {
            JsonNode diff = response.json();
            session.out().println("reloaded" + Session.revisionSuffix(diff));
            for (String kind : List.of("services", "flags")) {
                JsonNode part = diff.path(kind);
                // Services: name -> {before, after}; flags: a list of names.
                JsonNode changedNode = part.path("changed");
                List<String> changed = new ArrayList<>();
                if (changedNode.isObject()) {
                    changedNode.fieldNames().forEachRemaining(changed::add);
                } else {
                    changed.addAll(names(changedNode));
                }
                line(session, kind + " added", names(part.path("added")));
                line(session, kind + " removed", names(part.path("removed")));
                line(session, kind + " changed", changed);
            }
            line(session, "kept from runtime changes (the file's change does not apply)",
                    names(diff.path("overriddenAtRuntime")));
            line(session, "needs a restart", names(diff.path("restartRequired")));
            for (String dropped : names(diff.path("dropped"))) {
                line(session, "dropped", List.of(dropped));
            }
        }
    }
}

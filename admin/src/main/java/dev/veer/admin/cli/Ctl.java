package dev.veer.admin.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code veer ctl}: a thin client for the admin HTTP API (CONTRACT §4). Tables for people, {@code --json}
 * for scripts. Exit codes: 0 ok, 1 refused by the server or unreachable, 2 usage.
 */
public final class Ctl {

    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;

    static final String DEFAULT_URL = "http://127.0.0.1:9090";

    static final String USAGE_TEXT = """
            usage: veer ctl [--url URL] [--token TOKEN] [--json] [--if-match REV] [--reason TEXT] VERB ...

            verbs:
              status [SVC]                                  versions, endpoint health, weights, revision, rollout
              weights SVC VER=PERCENT ...                   set the split at once: weights shop blue=90 green=10
              switch SVC VER                                blue-green: all traffic to VER, the others kept warm
              versions SVC                                  versions, weights and endpoints with health
              versions SVC set VER HOST:PORT[,HOST:PORT]    add or replace a version
              versions SVC delete VER                       remove a version (refused while its weight > 0)
              rollout SVC                                   phase, step, weights and the analysis verdicts
              rollout SVC start --canary VER --baseline VER [--strategy canary|blueGreen] [--plan FILE]
              rollout SVC pause|resume|approve|promote|abort
              flags                                         list the feature flags
              flags get NAME
              flags set NAME --file FILE.json | --json '{...}'
              flags enable|disable NAME                     turn a flag on or off, keeping its other fields
              flags delete NAME
              events [--limit N]                            audit log: who changed what, when and why
              stats SVC                                     live per-version requests, error rate, p50/p95/p99
              reload                                        re-read the config file and apply it

            options:
              --url URL        admin API (default: $VEER_ADMIN_URL, else http://127.0.0.1:9090)
              --token TOKEN    bearer token (default: $VEER_ADMIN_TOKEN)
              --json           print the API's raw JSON instead of tables (on a refusal, its error object)
              --if-match REV   on mutating verbs: refused (412) unless the revision is still REV
              --reason TEXT    on mutating verbs: why, recorded in the audit log (printable ASCII)

            exit codes: 0 ok, 1 refused or unreachable, 2 usage
            """;

    /** What --if-match takes: a revision, bare or as the API's entity tag ("7"), or "*" (any revision). */
    private static final Pattern REVISION_CONDITION = Pattern.compile("\\*|[0-9]+|\"[0-9]+\"");

    private static final Map<String, Verb> VERBS = new LinkedHashMap<>();

    static {
        VERBS.put("status", ServiceCommands::status);
        VERBS.put("weights", ServiceCommands::weights);
        VERBS.put("switch", ServiceCommands::switchTo);
        VERBS.put("versions", ServiceCommands::versions);
        VERBS.put("rollout", RolloutCommands::rollout);
        VERBS.put("flags", FlagCommands::flags);
        VERBS.put("events", EventCommands::events);
        VERBS.put("stats", ServiceCommands::stats);
        VERBS.put("reload", EventCommands::reload);
    }

    private Ctl() {
    }

    /** Runs one command; {@code args} are the tokens after {@code ctl}. Never calls System.exit. */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        String url = env.getOrDefault("VEER_ADMIN_URL", "");
        String token = env.getOrDefault("VEER_ADMIN_TOKEN", "");
        String tokenFrom = "VEER_ADMIN_TOKEN";
        String ifMatch = "";
        String reason = "";
        boolean rawJson = false;
        List<String> rest = new ArrayList<>();
        List<String> tokens = Arrays.asList(args);
        try {
            for (int i = 0; i < tokens.size(); i++) {
                String tokenText = tokens.get(i);
                switch (optionName(tokenText)) {
                    case "--url" -> {
                        url = optionValue(tokens, i, "--url");
                        i += tokenText.contains("=") ? 0 : 1;
                    }
                    case "--token" -> {
                        token = optionValue(tokens, i, "--token");
                        tokenFrom = "--token";
                        i += tokenText.contains("=") ? 0 : 1;
                    }
                    case "--if-match" -> {
                        ifMatch = optionValue(tokens, i, "--if-match");
                        i += tokenText.contains("=") ? 0 : 1;
                        if (ifMatch.isBlank()) {
                            // An empty $rev in a script: refused rather than sent as no precondition at all.
                            throw new UsageException("--if-match: empty (expected: a revision, e.g. 7)");
                        }
                        if (!REVISION_CONDITION.matcher(ifMatch.strip()).matches()) {
                            throw new UsageException("--if-match: " + ifMatch.strip()
                                    + " (expected: a revision, e.g. 7, or *)");
                        }
                    }
                    case "--reason" -> {
                        reason = optionValue(tokens, i, "--reason");
                        i += tokenText.contains("=") ? 0 : 1;
                        if (!reason.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                            throw new UsageException("--reason: printable ASCII only (it goes in a header)");
                        }
                    }
                    case "--json" -> {
                        // "--json '{...}'" is a request body (flags set); a bare --json asks for raw output. After
                        // "flags set" the next token is the body unless it is an option, so bad JSON is named as such.
                        boolean bodyFollows = i + 1 < tokens.size() && (looksLikeJson(tokens.get(i + 1))
                                || settingAFlag(rest) && !tokens.get(i + 1).startsWith("--"));
                        if (tokenText.contains("=") || bodyFollows) {
                            rest.add(tokenText);
                            if (!tokenText.contains("=")) {
                                rest.add(tokens.get(++i));
                            }
                        } else {
                            rawJson = true;
                        }
                    }
                    case "-h", "--help", "help" -> {
                        if (tokenText.equals("help") && !rest.isEmpty()) {
                            rest.add(tokenText);
                            continue;
                        }
                        out.print(USAGE_TEXT);
                        return OK;
                    }
                    default -> rest.add(tokenText);
                }
            }
            if (rest.isEmpty()) {
                throw new UsageException("missing verb");
            }
            Verb verb = VERBS.get(rest.get(0));
            if (verb == null) {
                // A misspelt option before the verb (--jsno status) comes first here: named as the option it is.
                throw new UsageException((rest.get(0).startsWith("-") ? "unknown option: " : "unknown verb: ")
                        + rest.get(0));
            }
            checkToken(token.strip(), tokenFrom);
            AdminClient client = new AdminClient(normalizeUrl(url.isBlank() ? DEFAULT_URL : url), token.strip(),
                    ifMatch.strip(), reason.strip());
            verb.run(rest.subList(1, rest.size()), new Session(client, out, rawJson));
            return OK;
        } catch (UsageException e) {
            err.println("error: " + e.getMessage());
            String verb = rest.isEmpty() ? null : rest.get(0);
            err.print(VERBS.containsKey(verb) ? usageOf(verb) : USAGE_TEXT);
            return USAGE;
        } catch (RefusedException e) {
            err.println("error: " + e.getMessage());
            if (rawJson && e.apiError() != null) {
                // A script asked for JSON: it gets the API's error object to parse, as for a success.
                out.println(e.apiError());
            }
            return REFUSED;
        }
    }

    /**
     * A token goes in the Authorization header, which carries printable ASCII only: one with a line break inside (a
     * two-line secret file) stopped the HTTP client with an IllegalArgumentException. Said without printing it.
     */
    private static void checkToken(String token, String from) throws UsageException {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                String kind = c == ' ' ? "a space" : c == '\t' ? "a tab" : c == '\n' || c == '\r' ? "a line break"
                        : c > 0x7e ? "a non-ASCII character" : "a control character";
                throw new UsageException(from + ": character " + (i + 1) + " of the token is " + kind
                        + " (expected: the admin token, printable ASCII)");
            }
        }
    }

    /** The usage lines of one verb: a mistake in its arguments needs those, not the whole help. */
    static String usageOf(String verb) {
        StringBuilder usage = new StringBuilder("usage: veer ctl [options] ...\n");
        USAGE_TEXT.lines().filter(line -> line.startsWith("  " + verb + " ") || line.equals("  " + verb))
                .forEach(line -> usage.append(line).append('\n'));
        return usage.append("(veer ctl --help: every verb and option)\n").toString();
    }

    private static String optionName(String token) {
        int equals = token.indexOf('=');
        return token.startsWith("--") && equals > 0 ? token.substring(0, equals) : token;
    }

    private static String optionValue(List<String> tokens, int index, String name) throws UsageException {
        String token = tokens.get(index);
        int equals = token.indexOf('=');
        if (equals > 0) {
            return token.substring(equals + 1);
        }
        if (index + 1 >= tokens.size()) {
            throw new UsageException(name + " needs a value");
        }
        return tokens.get(index + 1);
    }

    private static boolean settingAFlag(List<String> verbSoFar) {
        return verbSoFar.size() >= 2 && verbSoFar.get(0).equals("flags") && verbSoFar.get(1).equals("set");
    }

    private static boolean looksLikeJson(String token) {
        String trimmed = token.stripLeading();
        return trimmed.startsWith("{") || trimmed.startsWith("[");
    }

    /** "127.0.0.1:9090" → "http://127.0.0.1:9090"; no trailing slash so paths join cleanly. */
    static String normalizeUrl(String url) throws UsageException {
        String normalized = url.strip();
        if (!normalized.contains("://")) {
            normalized = "http://" + normalized;
        }
        while (normalized.endsWith("/")) {
            normalized = normalized.substring(0, normalized.length() - 1);
        }
        try {
            java.net.URI uri = java.net.URI.create(normalized);
            // API paths are appended to it, so a query or fragment would swallow them.
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException e) {
            throw new UsageException("admin URL: " + url + " (expected: http://HOST:PORT)");
        }
        return normalized;
    }
}

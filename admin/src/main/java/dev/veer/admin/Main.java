package dev.veer.admin;

import dev.veer.admin.cli.Ctl;
import dev.veer.admin.demo.Demo;
import dev.veer.config.ConfigError;
import dev.veer.config.ConfigException;
import dev.veer.config.ConfigLoader;
import dev.veer.config.model.TlsSettings;
import dev.veer.config.model.VeerConfig;
import dev.veer.config.tls.TlsMaterial;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;


/** {@code veer run | check | ctl | demo}. Exit codes: 0 ok, 1 bad config or refused, 2 usage. */
public final class Main {

    static final String DEFAULT_CONFIG = "config/veer.yaml";
    static final String USAGE = """
            usage: veer run   [--config FILE] [--set key=value ...]   (default FILE: config/veer.yaml)
                   veer check --config FILE [--set key=value ...]     (what run would load; exit 1 on any error)
                   veer ctl   <verb> ...                             (veer ctl --help)
                   veer demo  [--faulty]                             (built-in backends, load and a live canary)
                   veer test                                         (the launcher: the whole test suite, as CI runs it)
            """;

    private Main() {
    }

    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out, System.err, System.getenv());
        } catch (Throwable t) {
            // Past start-up the process holds non-daemon threads (the admin API's): an error escaping here, such as
            // a class that cannot load while draining because the jar was replaced under the running process, left
            // Veer running after SIGTERM. Exit all the same.
            System.err.println("veer: stopped on an unexpected error: " + t);
            t.printStackTrace();
            status = 1;
        }
        System.exit(status);
    }

    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        if (args.length == 0) {
            err.print(USAGE);
            return 2;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (!args[0].equals("ctl") && Arrays.asList(rest).stream().anyMatch(a -> a.equals("-h") || a.equals("--help"))) {
            out.print(USAGE); // ctl has its own usage, with its verbs
            return 0;
        }
        return switch (args[0]) {
            case "run" -> runCommand(rest, err, env);
            case "check" -> check(rest, out, err, env);
            case "ctl" -> Ctl.run(rest, out, err, env);
            case "demo" -> Demo.run(rest, out, err);
            case "help", "-h", "--help" -> {
                out.print(USAGE);
                yield 0;
            }
            default -> {
                err.println("veer: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield 2;
            }
        };
    }

    /** --config FILE and --set key=value, as given to run and check. */
    record Options(Path config, List<String> sets) {

        /** Null (after printing why) when the arguments do not parse. */
        static Options parse(String[] args, boolean allowSet, PrintStream err) {
            Path config = null;
            List<String> sets = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                String value;
                String name;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    name = arg.substring(0, eq);
                    value = arg.substring(eq + 1);
                } else {
                    name = arg;
                    value = i + 1 < args.length ? args[++i] : null;
                }
                if (name.equals("--config") && value != null && value.isEmpty()) {
                    // Path.of("") is the working directory: the error would say ": is a directory".
                    err.println("veer: --config: empty (expected: a config file path)");
                    return null;
                } else if (name.equals("--config") && value != null && config == null) {
                    config = Path.of(value);
                } else if (name.equals("--set") && allowSet && value != null && value.indexOf('=') > 0) {
                    sets.add(value);
                } else if (name.equals("--set") && allowSet && value != null) {
                    err.println("veer: --set " + value + ": expected key=value, e.g. --set proxy.listen=127.0.0.1:8080");
                    return null;
                } else if (name.equals("--config") && value != null) {
                    err.println("veer: --config given twice");
                    return null;
                } else {
                    err.println("veer: unexpected argument '" + arg + "'"
                            + (value == null && (name.equals("--config") || name.equals("--set"))
                            ? " (missing its value)" : ""));
                    return null;
                }
            }
            return new Options(config, sets);
        }
    }

    /** A warning per VEER_* variable that sets nothing, before run and check read the config. */
    private static void warnUnusedVariables(Map<String, String> env, PrintStream err) {
        for (String name : ConfigLoader.unusedVariables(env)) {
            err.println("veer: warning: " + name + " is not a config variable and is ignored (expected: a key path"
                    + " with _ for dots, e.g. VEER_PROXY_LISTEN, VEER_ADMIN_TOKEN, VEER_STATE_DIR)");
        }
    }

    /**
     * A config without services is valid (every setting has a default) but serves nothing: said once, not an error,
     * as an empty or wrong file would otherwise pass the check and start a proxy that answers every request 404.
     */
    private static void warnNoServices(Path file, VeerConfig config, PrintStream err) {
        if (config.services().isEmpty()) {
            err.println("veer: warning: " + file + " defines no services, so the proxy answers every request with 404"
                    + " (expected: at least one entry under services)");
        }
    }

    /**
     * An empty VEER_ADMIN_TOKEN overrides the file as any set variable does, so it removes a token the file sets
     * (a compose file's {@code VEER_ADMIN_TOKEN=${VEER_ADMIN_TOKEN}} on a host without it): said, since the admin
     * API is then open to every local user.
     */
    private static void warnEmptyToken(Map<String, String> env, VeerConfig config, PrintStream err) {
        if ("".equals(env.get("VEER_ADMIN_TOKEN")) && !config.admin().hasToken()) {
            err.println("veer: warning: VEER_ADMIN_TOKEN is set but empty, so the admin API takes no token and is"
                    + " open to local users (expected: a token, or the variable unset to keep the config file's)");
        }
    }

    /** A certificate clients would refuse (or soon) is valid config, so check says it, as run logs it, and passes. */
    private static void warnCertificateDates(VeerConfig config, PrintStream err) {
        TlsSettings tls = config.proxy().tls();
        if (tls == null) {
            return;
        }
        try {
            String warning = TlsMaterial.load(tls.certificate(), tls.privateKey()).validityWarning(Instant.now());
            if (warning != null) {
                err.println("veer: warning: proxy.tls.certificate: " + warning + " (" + tls.certificate() + ")");
            }
        } catch (TlsMaterial.Invalid e) {
            // changed since the config was read a moment ago: run will say so
        }
    }

    private static int check(String[] args, PrintStream out, PrintStream err, Map<String, String> env) {
        Options options = Options.parse(args, true, err);
        warnUnusedVariables(env, err);
        if (options == null || options.config() == null) {
            if (options != null) {
                err.println("veer check: --config FILE is required");
            }
            err.print(USAGE);
            return 2;
        }
        try {
            VeerConfig config = ConfigLoader.load(options.config(), env, options.sets());
            warnNoServices(options.config(), config, err);
            warnEmptyToken(env, config, err);
            warnCertificateDates(config, err);
            out.println(options.config() + ": ok");
            return 0;
        } catch (ConfigException e) {
            printErrors(options.config(), e, err);
            return 1;
        }
    }

    /**
     * Every error on stderr, one line each, as run prints them: check and run report a bad file the same way (as
     * haproxy -c and promtool check do), and stdout holds only check's verdict {@code FILE: ok}, so a script can
     * keep it apart from the errors and warnings.
     */
    private static void printErrors(Path file, ConfigException e, PrintStream err) {
        for (ConfigError error : e.errors()) {
            err.println(error.in(file.toString()));
        }
    }

    private static int runCommand(String[] args, PrintStream err, Map<String, String> env) {
        Options options = Options.parse(args, true, err);
        warnUnusedVariables(env, err);
        if (options == null) {
            err.print(USAGE);
            return 2;
        }
        Path file = options.config() == null ? Path.of(DEFAULT_CONFIG) : options.config();
        if (options.config() == null && !Files.exists(file)) {
            // The default is relative, as state.dir's is: from another directory, say which one was looked in.
            err.println(DEFAULT_CONFIG + ": no such file in " + Path.of("").toAbsolutePath() + " (expected: a YAML or"
                    + " JSON config file; without --config, veer run reads " + DEFAULT_CONFIG + " in the working"
                    + " directory: run it from Veer's directory, or give --config FILE)");
            return 1;
        }
        VeerConfig config;
        try {
            config = ConfigLoader.load(file, env, options.sets());
        } catch (ConfigException e) {
            printErrors(file, e, err);
            return 1;
        }
        warnNoServices(file, config, err);
        warnEmptyToken(env, config, err);
        // Taken before start-up: the start-up line says the proxy listens, and a SIGTERM sent on reading it must
        // drain as any other. Left to the JVM until start returned, it ended the process at once (exit 143).
        CountDownLatch stop = new CountDownLatch(1);
        Signals.onTerminate(stop::countDown);
        VeerRuntime runtime;
        try {
            runtime = VeerRuntime.start(config, () -> ConfigLoader.load(file, env, options.sets()));
        } catch (StartupException e) {
            err.println("veer: " + e.getMessage());
            return 1;
        }
        Signals.onHangup(() -> runtime.reload("local", "SIGHUP")); // Reload logs what it did or why not
        // Any other exit (System.exit elsewhere, SIGINT without handler) still closes cleanly.
        Thread hook = new Thread(() -> runtime.shutdown(config.proxy().drainTimeout()), "veer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runtime.shutdown(config.proxy().drainTimeout());
        return 0;
    }
}

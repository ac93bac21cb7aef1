package dev.veer.admin.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.veer.admin.control.ControlPlane.Committed;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.rollout.Rollouts;
import dev.veer.config.ConfigException;
import dev.veer.config.ModelJson;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.RouteMatch;
import dev.veer.config.model.RouteSpec;
import dev.veer.config.model.ServiceSpec;
import dev.veer.config.model.VeerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Re-reads the config file and applies it as one change: services and flags from the file, with runtime changes
 * laid over them again. An invalid file changes nothing. Listener, token and state settings only take effect
 * on restart; the answer says which of them differ.
 */
public final class Reload {

    private final ControlPlane control;
    private final ConfigSource source;
    private final ObjectMapper mapper;
    private static final Logger log = LoggerFactory.getLogger(Reload.class);

    private final Runnable rereadFiles;
    private final VersionReplaced versionReplaced;
    /** The listener, token and state settings in force: only a restart changes them. */
    private final VeerConfig running;

    /**
     * @param rereadFiles reopens the log files Veer appends to and reads the TLS certificate files again, on every
     *                    reload whatever the config file says: SIGHUP is what logrotate sends after moving a log away,
     *                    as it does to nginx, and what a certificate renewal hook (certbot's) sends
     */
    public Reload(ControlPlane control, ConfigSource source, ObjectMapper mapper, Runnable rereadFiles) {
        this(control, source, mapper, rereadFiles, VersionReplaced.NONE);
    }

    /** @param versionReplaced told of every running rollout's canary whose endpoints the reload replaces */
    public Reload(ControlPlane control, ConfigSource source, ObjectMapper mapper, Runnable rereadFiles,
                  VersionReplaced versionReplaced) {
        this.versionReplaced = versionReplaced;
        this.control = control;
        this.running = control.view().config();
        this.source = source;
        this.mapper = mapper;
        this.rereadFiles = rereadFiles;
    }

    /**
     * Completes with the diff ({@code {"revision","services":{...},"flags":{...},"restartRequired":[...],
     * "dropped":[...]}}). Logs the outcome, whoever asked (SIGHUP, the API, ctl).
     */
    public CompletableFuture<ObjectNode> reload(String actor, String reason) {
        rereadFiles.run();
        VeerConfig next;
        try {
            next = source.load();
        } catch (ConfigException e) {
            e.lines().forEach(line -> log.error("reload by {} refused, nothing changed: {}", actor, line));
            return CompletableFuture.failedFuture(ApiException.invalid(e));
        }
        return control.<ObjectNode>submit(actor, change -> {
            VeerConfig current = change.before().config();
            change.replaceConfig(next);
            refuseDroppingRunningRollouts(change);
            refuseRoutesToFlagsNotInForce(change);
            redeployedCanaries(change, reason);
            ObjectNode diff = diff(current, next);
            overridden(diff, current, next, change.draft());
            ArrayNode dropped = diff.putArray("dropped");
            change.draftResult().dropped().forEach(d -> dropped.add(d.message()));
            change.audit("config.reload", "config", null, diff, reason);
            return (Committed<ObjectNode>) after -> {
                ObjectNode answer = diff.deepCopy();
                answer.put("revision", after.revision());
                return answer;
            };
        }).whenComplete((answer, failure) -> {
            if (failure == null) {
                log.info("reload by {} applied (revision {}){}", actor, answer.path("revision").asLong(),
                        answer.path("restartRequired").isEmpty() ? ""
                                : "; needs a restart to take effect: " + answer.path("restartRequired"));
            } else {
                Throwable cause = failure.getCause() == null ? failure : failure.getCause();
                log.error("reload by {} refused, nothing changed: {}", actor, cause.getMessage());
            }
        });
    }

    /**
     * A file that gives a running rollout's canary other endpoints redeploys it (GitOps), as a PUT of the version
     * does: judged on the endpoints in force before and after (a version PUT at run time keeps its own).
     */
    private void redeployedCanaries(Change change, String reason) {
        change.before().rollouts().forEach((service, rollout) -> {
            String canary = rollout.path("canary").asText();
            ServiceSpec before = change.before().service(service);
            ServiceSpec after = change.draft().service(service);
            if (!Rollouts.isActive(rollout) || before == null || after == null || before.version(canary) == null
                    || after.version(canary) == null) {
                return;
            }
            if (VersionReplaced.redeployed(before.version(canary), after.version(canary))) {
                versionReplaced.replaced(change, service, canary, reason == null ? "config reloaded" : reason);
            }
        });
    }

    /**
     * A file checks its routes against its own flags, but a flag set or deleted at run time stays in force over the
     * file's: a route naming a flag or variant the flag in force lacks would never match, without a word, and a
     * flag PUT or DELETE that did the same is refused (FlagsApi). Refused here too, naming what to change.
     */
    private static void refuseRoutesToFlagsNotInForce(Change change) {
        RuntimeView draft = change.draft();
        for (ServiceSpec service : draft.services()) {
            for (RouteSpec route : service.routes()) {
                if (!(route.match() instanceof RouteMatch.Flag f)) {
                    continue;
                }
                FlagSpec flag = draft.flag(f.name());
                if (flag == null) {
                    throw new ApiException(409, "a route of service " + service.name() + " names flag " + f.name()
                            + ", deleted at run time; create it again (PUT /api/v1/flags/" + f.name()
                            + ") or drop the route (nothing changed)");
                }
                if (f.variant() != null && flag.variants().stream().noneMatch(v -> v.name().equals(f.variant()))) {
                    throw new ApiException(409, "a route of service " + service.name() + " names variant "
                            + f.variant() + " of flag " + f.name() + ", which the flag set at run time lacks; put it"
                            + " with that variant (PUT /api/v1/flags/" + f.name() + ") or change the route"
                            + " (nothing changed)");
                }
            }
        }
    }

    /**
     * A reload may not end a running rollout: taking its service, canary or baseline away would end it and reset
     * its weights without anyone deciding so, where deleting the version through the API is refused. Judged on the
     * state the reload would bring into force, where versions added at run time stay.
     */
    private static void refuseDroppingRunningRollouts(Change change) {
        Overlay.Result draft = change.draftResult();
        change.before().rollouts().forEach((service, rollout) -> {
            if (Rollouts.isActive(rollout) && !draft.view().rollouts().containsKey(service)) {
                String why = draft.dropped().stream().map(Overlay.Dropped::message)
                        .filter(m -> m.startsWith("rollout of " + service + " ")).findFirst()
                        .orElse("the rollout of " + service + " would end");
                throw new ApiException(409, why + "; abort or finish the running rollout of " + service
                        + " first, or keep its versions in the file (nothing changed)");
            }
        });
    }

    /** What the file changed, service by service and flag by flag (file against file, runtime layer aside). */
    ObjectNode diff(VeerConfig before, VeerConfig after) {
        ObjectNode diff = mapper.createObjectNode();
        ObjectNode services = diff.putObject("services");
        ArrayNode added = services.putArray("added");
        ArrayNode removed = services.putArray("removed");
        ObjectNode changed = services.putObject("changed");
        for (ServiceSpec s : after.services()) {
            ServiceSpec old = before.service(s.name());
            if (old == null) {
                added.add(s.name());
            } else if (!old.equals(s)) {
                changed.putObject(s.name()).<ObjectNode>set("before", ModelJson.render(old))
                        .set("after", ModelJson.render(s));
            }
        }
        before.services().stream().filter(s -> after.service(s.name()) == null).forEach(s -> removed.add(s.name()));

        ObjectNode flags = diff.putObject("flags");
        ArrayNode flagsAdded = flags.putArray("added");
        ArrayNode flagsRemoved = flags.putArray("removed");
        ArrayNode flagsChanged = flags.putArray("changed");
        for (FlagSpec f : after.flags()) {
            FlagSpec old = flag(before, f.name());
            if (old == null) {
                flagsAdded.add(f.name());
            } else if (!old.equals(f)) {
                flagsChanged.add(f.name());
            }
        }
        before.flags().stream().filter(f -> flag(after, f.name()) == null).forEach(f -> flagsRemoved.add(f.name()));

        // Against what runs, not the previous file: a second reload still says a restart is due.
        ArrayNode restart = diff.putArray("restartRequired");
        if (!Objects.equals(running.proxy(), after.proxy())) {
            restart.add("proxy");
        }
        if (!Objects.equals(running.admin(), after.admin())) {
            restart.add("admin");
        }
        if (!Objects.equals(running.state(), after.state())) {
            restart.add("state");
        }
        return diff;
    }

    /**
     * Adds {@code "overriddenAtRuntime"}: the services and flags the file changed whose runtime state stays in
     * force over the file's, so the answer does not claim a change that does not happen. For a service only what
     * the runtime layer sets counts: its weights and its versions' endpoints (a file change to routes or matching
     * always applies), judged version by version: a file that removes a version at weight 0 while runtime weights
     * are in force (a rollout's) changed the weights, and that change applies, although the weights in force are
     * not the file's. A flag set through the API replaces the file's flag whole.
     */
    private static void overridden(ObjectNode diff, VeerConfig before, VeerConfig file, RuntimeView inForce) {
        ArrayNode overridden = diff.putArray("overriddenAtRuntime");
        diff.path("services").path("changed").fieldNames().forEachRemaining(name -> {
            ServiceSpec old = before.service(name);
            ServiceSpec wanted = file.service(name);
            ServiceSpec now = inForce.service(name);
            if (notInForce(old, wanted, now, (spec, version) -> spec.weights().basisPoints().get(version))
                    || notInForce(old, wanted, now, ServiceSpec::version)) {
                overridden.add(name);
            }
        });
        diff.path("flags").path("changed").forEach(name -> {
            if (!Objects.equals(flag(file, name.asText()), inForce.flag(name.asText()))) {
                overridden.add("flag:" + name.asText());
            }
        });
    }

    /**
     * Whether the file changed {@code part} (weight, or version spec) of some version from {@code old} to
     * {@code wanted} and {@code now}, the state in force, does not have the file's.
     */
    private static boolean notInForce(ServiceSpec old, ServiceSpec wanted, ServiceSpec now,
                                      BiFunction<ServiceSpec, String, Object> part) {
        Set<String> versions = new LinkedHashSet<>(old.versionNames());
        versions.addAll(wanted.versionNames());
        for (String version : versions) {
            Object want = part.apply(wanted, version);
            if (!Objects.equals(part.apply(old, version), want) && !Objects.equals(part.apply(now, version), want)) {
                return true;
            }
        }
        return false;
    }

    private static FlagSpec flag(VeerConfig config, String name) {
        return config.flags().stream().filter(f -> f.name().equals(name)).findFirst().orElse(null);
    }
}

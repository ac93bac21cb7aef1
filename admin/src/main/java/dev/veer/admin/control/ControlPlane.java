package dev.veer.admin.control;

import com.fasterxml.jackson.databind.JsonNode;
import dev.veer.admin.audit.AuditEvent;
import dev.veer.admin.audit.AuditLog;
import dev.veer.admin.http.ApiException;
import dev.veer.admin.internal.Text;
import dev.veer.admin.state.StateDoc.FlagState;
import dev.veer.admin.state.StateDoc.ServiceState;
import dev.veer.admin.state.StateDoc;
import dev.veer.admin.state.StateStore;
import dev.veer.config.IoErrors;
import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.ServiceSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The one writer. Every change runs on a single thread: the caller's function edits a {@link Change}
 * (validating as it goes, throwing {@link ApiException} to refuse), then the change is persisted, written to the
 * audit log, published to the proxy, and only then made visible to readers and answered.
 *
 * <p>A change whose state or audit event cannot be written is refused, with two exceptions that take effect all
 * the same (see {@link #mustTakeEffect}): the analyzer's rollback of a canary, and a change that holds nothing but
 * analysis verdicts. The state in force is then saved by the next save that succeeds ({@link #persistIfBehind}).
 */
public final class ControlPlane implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);

    /** The actor of the rollout analyzer's own changes (an operator's command that moves a rollout has its own). */
    public static final String ANALYZER = "analyzer";

    private final StateStore store;
    private final AuditLog audit;
    private final RoutingSink sink;
    private final Overlay.FlagParser flagParser;
    private final InstantSource clock;
    private final ExecutorService writer;
    private volatile Thread writerThread;
    private volatile RuntimeView view;
    /** The runtime layer behind {@link #view}; touched on the writer thread only. */
    private StateDoc doc;
    /** The change being prepared, so that nested callers (the rollout engine) join it. Writer thread only. */
    private Change current;
    /** Told the view still in force when a change is refused; see {@link #onRefused}. */
    private Consumer<RuntimeView> refusedListener = view -> { };
    /** A change took effect that the state on disk lacks. Writer thread only. */
    private boolean stateBehind;
    private final UnpersistedChanges unpersisted = new UnpersistedChanges();

    public ControlPlane(Overlay.Result initial, StateStore store, AuditLog audit, RoutingSink sink,
                        Overlay.FlagParser flagParser, InstantSource clock) {
        this.store = store;
        this.audit = audit;
        this.sink = sink;
        this.flagParser = flagParser;
        this.clock = clock;
        this.view = initial.view();
        this.doc = initial.doc();
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "veer-control");
            t.setDaemon(true);
            writerThread = t;
            return t;
        });
    }

    /**
     * Sets who is told, on the writer thread, that a change was refused after it began (its work threw, or its state
     * could not be persisted), with the view still in force: whoever joined the change and keeps state of its own
     * (the rollout engine) goes back to that view. Set once, before changes are submitted.
     */
    public void onRefused(Consumer<RuntimeView> listener) {
        this.refusedListener = listener;
    }

    /** The state in force; safe from any thread. */
    public RuntimeView view() {
        return view;
    }

    /** The changes that took effect although a write failed; safe from any thread. */
    public UnpersistedChanges unpersisted() {
        return unpersisted;
    }

    /**
     * Runs {@code work} on the writer thread inside a new change by {@code actor}, commits the change if it
     * produced audit events, then completes with the work's answer rendered from the view now in force (so it
     * carries the new revision). An {@link ApiException} thrown by the work refuses the change: nothing happens.
     */
    public <R> CompletableFuture<R> submit(String actor, Function<Change, Committed<R>> work) {
        return CompletableFuture.supplyAsync(() -> execute(actor, work).render(view), writer);
    }

    /** Runs {@code task} on the writer thread (the rollout ticker), outside any change. */
    public CompletableFuture<Void> onWriter(Runnable task) {
        return CompletableFuture.runAsync(task, writer);
    }

    /**
     * On the writer thread: runs {@code work} inside the current change if there is one (a nested call from the
     * rollout engine), else inside a new change by {@code actor} that is committed at once.
     */
    public <T> T joinOrExecute(String actor, Function<Change, T> work) {
        checkWriterThread();
        if (current != null) {
            return work.apply(current);
        }
        return execute(actor, work);
    }

    private <T> T execute(String actor, Function<Change, T> work) {
        checkWriterThread();
        Change change = new Change(view, doc, actor, clock.instant(), flagParser);
        T result;
        try {
            current = change;
            try {
                result = work.apply(change);
            } finally {
                current = null;
            }
            if (!change.events().isEmpty() || change.modified()) {
                commit(change);
            }
        } catch (RuntimeException refused) {
            refusedListener.accept(view);
            throw refused;
        }
        return result;
    }

    /** An answer rendered from the view in force after the commit. */
    @FunctionalInterface
    public interface Committed<R> {
        R render(RuntimeView after);
    }

    private void commit(Change change) {
        RuntimeView before = change.before();
        Overlay.Result draft = change.draftResult();
        StateDoc bumped = bumpRevisions(before, doc, draft, change);
        Overlay.Result result = Overlay.apply(change.config(), bumped, flagParser);
        // The draft is where the runtime layer met the (possibly reloaded) config: report what it dropped.
        for (Overlay.Dropped dropped : draft.dropped()) {
            log.warn("{}: {}", dropped.target(), dropped.message());
            change.audit("system", "state.dropped", dropped.target(), null, null, dropped.message());
        }
        String regardless = mustTakeEffect(change, before, bumped);
        boolean saved = save(result.doc(), regardless);
        // Written before the proxy sees the change: a change the audit log cannot hold is refused (every change is
        // in the log) and the state on disk goes back to what it was, unless it must take effect regardless.
        List<AuditEvent> events = change.events().stream().map(e -> e.inStateRevision(result.doc().revision()))
                .toList();
        try {
            if (!events.isEmpty()) {
                audit.appendAll(events);
            }
        } catch (RuntimeException e) {
            String why = e.getCause() instanceof IOException io ? IoErrors.problem(io) : Text.firstLine(e.getMessage());
            if (regardless == null) {
                log.error("audit: cannot write, change refused: {}", e.toString());
                restoreSavedState();
                throw new ApiException(500, "audit log not written (" + why + "); nothing changed");
            }
            unpersisted.countAuditNotWritten();
            // Logged whole: the application log is then the only place they are kept.
            log.error("audit: cannot write ({}); {} takes effect all the same, missing from the audit log: {}", why,
                    regardless, events.stream().map(audit::toJson).toList());
        }
        RuntimeView after = result.view();
        sink.publish(after.services(), after.flags());
        doc = result.doc();
        view = after;
        if (saved && stateBehind) {
            log.info("state: saved again (revision {}): the state on disk is the state in force", doc.revision());
        }
        stateBehind = !saved;
    }

    /**
     * Saves {@code next}. When that fails, a change that must take effect anyway ({@code regardless} says what it
     * is) goes on and false is returned; any other change is refused.
     */
    private boolean save(StateDoc next, String regardless) {
        try {
            store.save(next);
            return true;
        } catch (IOException e) {
            if (regardless == null) {
                log.error("state: cannot persist, change refused: {}", e.toString());
                throw new ApiException(500, "state not persisted (" + IoErrors.problem(e) + "); nothing changed");
            }
            unpersisted.countStateNotSaved();
            log.error("state: cannot persist ({}); {} takes effect all the same, and the state on disk lags behind"
                    + " the state in force until a later save succeeds (retried every rollout tick)",
                    IoErrors.problem(e), regardless);
            return false;
        }
    }

    /**
     * What {@code change} is if it must take effect even when its state or audit event cannot be written, else null
     * (an operator's change, refused with a 500 so that the caller knows nothing changed).
     *
     * <p>The analyzer's rollback takes traffic off a canary it judged bad; refused for a full disk, it left the
     * canary its traffic. A change that bumps no revision holds nothing but analysis verdicts (see
     * {@link RolloutRevisions}); refused, the engine went back to the rollout in force and forgot them, so with a
     * failureLimit above 1 the Fails never added up to a rollback while the disk stayed full.
     */
    private static String mustTakeEffect(Change change, RuntimeView before, StateDoc bumped) {
        if (change.automaticRollback() != null) {
            return "the analyzer's rollback of " + change.automaticRollback();
        }
        // By actor too: an operator's change that happens to bump nothing must still be refused, not answered 200.
        return ANALYZER.equals(change.actor()) && bumped.revision() == before.revision() ? "an analysis verdict" : null;
    }

    /**
     * On the writer thread: saves the state in force when a change took effect without being saved, so that disk
     * and memory agree again. The rollout ticker calls it every second, and any later change saves it too. Returns
     * false when the state on disk still lags behind.
     */
    public boolean persistIfBehind() {
        checkWriterThread();
        if (!stateBehind) {
            return true;
        }
        try {
            store.save(doc);
            stateBehind = false;
            log.info("state: saved again (revision {}): the state on disk is the state in force", doc.revision());
            return true;
        } catch (IOException e) {
            // Logged at ERROR when the change took effect; the disk is still full or failing.
            log.debug("state: still cannot persist: {}", e.toString());
            return false;
        }
    }

    /** Takes a refused change back off the disk; a failure leaves it there for the next start. */
    private void restoreSavedState() {
        try {
            store.undoLastSave();
        } catch (IOException e) {
            log.error("state: the refused change stays on disk and takes effect at the next start: {}", e.toString());
        }
    }

    /**
     * New revisions for what this change altered. A service's revision bumps when an operator's edit changed its
     * runtime state, when its effective spec (weights, versions, routes, preview) changed, or when its rollout
     * changed (phase, step, weights...; see {@link RolloutRevisions}); a rollout's own revision bumps on the same
     * rollout changes; a flag's when an edit changed it. A verdict alone, or an edit that leaves everything as it
     * was, bumps nothing. The global revision bumps when any of these did or a reload brought a different config.
     */
    private static StateDoc bumpRevisions(RuntimeView before, StateDoc saved, Overlay.Result draft, Change change) {
        RuntimeView next = draft.view();
        StateDoc doc = draft.doc();
        // A reload of an unchanged file reads an equal config (records all the way down): nothing to bump.
        boolean anyBumped = !change.config().equals(before.config());
        Map<String, JsonNode> rollouts = new LinkedHashMap<>();
        // An edit that leaves the service's runtime state as it was (the same weights PUT again, as a reconciling
        // script does every minute) bumps nothing: another client's If-Match must not fail on it.
        Set<String> services = new HashSet<>();
        for (String name : change.touchedServices()) {
            if (!sameIgnoringRevision(saved.services().get(name), doc.services().get(name))) {
                services.add(name);
            }
        }
        for (Map.Entry<String, JsonNode> e : doc.rollouts().entrySet()) {
            JsonNode previous = before.rollouts().get(e.getKey());
            JsonNode stamped = RolloutRevisions.stamp(previous, e.getValue());
            rollouts.put(e.getKey(), stamped);
            if (RolloutRevisions.of(stamped) != RolloutRevisions.of(previous)) {
                services.add(e.getKey());
            }
        }
        for (ServiceSpec s : next.services()) {
            if (!Objects.equals(s, before.service(s.name()))
                    || RolloutRevisions.changed(before.rollouts().get(s.name()), next.rollouts().get(s.name()))) {
                services.add(s.name());
            }
        }
        Map<String, ServiceState> serviceStates = new LinkedHashMap<>(doc.services());
        for (String name : services) {
            if (next.service(name) == null) {
                continue;
            }
            ServiceState s = serviceStates.get(name);
            // A service the config adds may have been there before a reload removed it, its revision then forgotten:
            // counted from 1 again, it would repeat revisions an If-Match read before the removal still holds. The
            // global revision is above every revision any service had.
            long rev = (before.service(name) == null ? before.revision() : before.serviceRevision(name)) + 1;
            anyBumped = true;
            serviceStates.put(name, s == null
                    ? ServiceState.untouched(rev, next.service(name).versionNames())
                    : s.withRevision(rev));
        }
        Set<String> flags = new HashSet<>();
        for (String name : change.touchedFlags()) {
            if (!Objects.equals(saved.flags().put().get(name), doc.flags().put().get(name))
                    || saved.flags().deleted().contains(name) != doc.flags().deleted().contains(name)) {
                flags.add(name);
            }
        }
        for (FlagSpec f : next.flags()) {
            if (!Objects.equals(f, before.flag(f.name()))) {
                flags.add(f.name());
            }
        }
        for (FlagSpec f : before.flags()) {
            if (next.flag(f.name()) == null) {
                flags.add(f.name());
            }
        }
        FlagState flagState = doc.flags();
        // Only flags in force keep a revision: a deleted one's stayed in state.json for ever, one entry per flag name
        // ever created. A flag that comes back counts on from the global revision, above any revision it had, as a
        // service the config adds again does.
        Map<String, Long> flagRevisions = new LinkedHashMap<>();
        for (FlagSpec f : next.flags()) {
            Long kept = flagState.revisions().get(f.name());
            if (kept != null) {
                flagRevisions.put(f.name(), kept);
            }
        }
        for (String name : flags) {
            if (next.flag(name) != null) {
                long base = before.flag(name) == null ? before.revision() : before.flagRevision(name);
                flagRevisions.put(name, base + 1);
            }
            anyBumped = true;
        }
        long revision = anyBumped ? before.revision() + 1 : before.revision();
        return new StateDoc(revision, serviceStates, flagState.withRevisions(flagRevisions), rollouts);
    }

    private static boolean sameIgnoringRevision(ServiceState a, ServiceState b) {
        return a == null ? b == null : b != null && a.withRevision(0).equals(b.withRevision(0));
    }

    private void checkWriterThread() {
        if (Thread.currentThread() != writerThread) {
            throw new IllegalStateException("control-plane changes run on the writer thread only");
        }
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(5, TimeUnit.SECONDS)) {
                writer.shutdownNow();
            }
        } catch (InterruptedException e) {
            writer.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}

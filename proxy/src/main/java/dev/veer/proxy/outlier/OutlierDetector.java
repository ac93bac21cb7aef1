package dev.veer.proxy.outlier;

import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.proxy.stats.FailureReason;
import dev.veer.proxy.upstream.Endpoint;
import dev.veer.proxy.upstream.EndpointEvent;
import dev.veer.proxy.upstream.EndpointEvents;
import dev.veer.proxy.upstream.EndpointGroup;
import dev.veer.proxy.upstream.FailureListener;
import dev.veer.proxy.upstream.Ticker;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passive outlier detection, as Envoy does it: {@code consecutiveFailures} 5xx responses or failed exchanges in a
 * row eject an endpoint for {@code baseEjection} × times ejected (at most {@code maxEjection}). Never more than
 * {@code maxEjectionPercent} of a version's endpoints are ejected at once, and never the last endpoint that takes
 * traffic: ejecting it would turn a partial outage into a total one. An endpoint returns by itself when its time is
 * up ({@link #sweep()}), and each {@code baseEjection} it then stays in forgives one past ejection.
 *
 * <p>Failures arrive on event loops; everything past the threshold check runs under this object's lock, which
 * only failing endpoints ever take. {@code consecutiveFailures} 0 turns detection off (the config requires 1 or
 * more; tests use 0).
 */
public final class OutlierDetector implements FailureListener {

    private final Ticker ticker;
    private final EndpointEvents events;
    /** Endpoints that are ejected or still carry a past ejection; the only ones {@link #sweep()} looks at. */
    private final Set<Endpoint> penalised = ConcurrentHashMap.newKeySet();

    public OutlierDetector(Ticker ticker, EndpointEvents events) {
        this.ticker = ticker;
        this.events = events;
    }

    @Override
    public void onFailure(Endpoint endpoint, int consecutive, int status, FailureReason reason) {
        OutlierDetectionSpec spec = endpoint.group().outlierDetection();
        if (spec.consecutiveFailures() <= 0 || consecutive < spec.consecutiveFailures() || endpoint.isEjected()
                || endpoint.isRetired()) {
            return;
        }
        // Events are queued (in order, to one delivery thread) under the lock that changes the state they tell of:
        // emitted after it, an EJECTED could follow the RETURNED of a reconsider() that ran in between.
        synchronized (this) {
            String ejected = tryEject(endpoint, spec, consecutive);
            if (ejected != null) {
                events.emit(endpoint, EndpointEvent.Kind.EJECTED, consecutive + " consecutive failures (last: "
                        + (reason == null ? Integer.toString(status) : reason.label()) + "), ejected for " + ejected);
            }
        }
    }

    /** Ejects the endpoint if the version can spare it; returns the ejection time as text, or null. */
    private synchronized String tryEject(Endpoint endpoint, OutlierDetectionSpec spec, int consecutive) {
        if (endpoint.isEjected()) {
            return null;
        }
        Endpoint[] members = endpoint.group().members();
        int ejectedNow = 0;
        int othersInRotation = 0;
        boolean member = false;
        for (Endpoint m : members) {
            if (m == endpoint) {
                member = true;
            } else if (m.isEjected()) {
                ejectedNow++;
            } else if (m.isActiveHealthy()) {
                othersInRotation++;
            }
        }
        int maxEjected = members.length * Math.max(0, spec.maxEjectionPercent()) / 100;
        if (!member || ejectedNow + 1 > maxEjected || othersInRotation == 0) {
            // Stays in; its failure count keeps growing, so the next failure asks again.
            return null;
        }
        long now = ticker.nanoTime();
        int times = endpoint.timesEjected() + 1;
        long base = spec.baseEjection().toNanos();
        long max = Math.max(base, spec.maxEjection().toNanos());
        long duration = times > max / Math.max(1, base) ? max : Math.min(max, base * times);
        endpoint.timesEjected(times, now);
        endpoint.eject(now + duration);
        penalised.add(endpoint);
        return format(Duration.ofNanos(duration));
    }

    /**
     * Applies the caps again when a version's endpoints changed or one of them failed its health check. They are
     * checked when an endpoint is ejected, against the members of that moment; a publish that leaves a version only
     * its ejected endpoint (a PUT of its endpoints, a reload), or siblings that went down since, left the version
     * with more than {@code maxEjectionPercent} out or nothing taking traffic: every request answered 503 until the
     * ejection ran out (up to {@code maxEjection}), while the ejected endpoint passed its health checks. Envoy's panic
     * mode would send to it; here ejected endpoints return, the one due back soonest first, until the caps hold.
     */
    @Override
    public void reconsider(EndpointGroup group) {
        if (penalised.isEmpty()) {
            return; // nothing is ejected anywhere: the usual case, and every publish asks
        }
        synchronized (this) {
            Endpoint[] members = group.members();
            int maxEjected = members.length * Math.max(0, group.outlierDetection().maxEjectionPercent()) / 100;
            while (true) {
                int ejected = 0;
                int inRotation = 0;
                Endpoint soonest = null;
                Endpoint soonestPassing = null;
                for (Endpoint m : members) {
                    if (!m.isEjected()) {
                        inRotation += m.isActiveHealthy() ? 1 : 0;
                        continue;
                    }
                    ejected++;
                    if (soonest == null || m.ejectedUntilNanos() - soonest.ejectedUntilNanos() < 0) {
                        soonest = m;
                    }
                    if (m.isActiveHealthy() && (soonestPassing == null
                            || m.ejectedUntilNanos() - soonestPassing.ejectedUntilNanos() < 0)) {
                        soonestPassing = m;
                    }
                }
                Endpoint back;
                String reason;
                if (ejected > maxEjected) {
                    back = soonest;
                    reason = "the version's endpoints changed: " + ejected + " of " + members.length
                            + " ejected is over maxEjectionPercent";
                } else if (inRotation == 0 && soonestPassing != null) {
                    back = soonestPassing;
                    reason = "no other endpoint of the version takes traffic";
                } else {
                    break;
                }
                back.unEject();
                back.timesEjected(back.timesEjected(), ticker.nanoTime());
                events.emit(back, EndpointEvent.Kind.RETURNED, reason);
            }
        }
    }

    /**
     * Returns endpoints whose ejection is over and forgives past ejections of endpoints that stayed in for a
     * {@code baseEjection}. Runs periodically on one event loop; cheap when nothing is penalised.
     */
    public void sweep() {
        if (penalised.isEmpty()) {
            return;
        }
        long now = ticker.nanoTime();
        for (Endpoint endpoint : penalised) {
            synchronized (this) {
                if (endpoint.isRetired()) {
                    penalised.remove(endpoint);
                    continue;
                }
                long base = Math.max(1, endpoint.group().outlierDetection().baseEjection().toNanos());
                if (endpoint.isEjected()) {
                    if (now - endpoint.ejectedUntilNanos() >= 0) {
                        endpoint.unEject();
                        endpoint.timesEjected(endpoint.timesEjected(), now);
                        events.emit(endpoint, EndpointEvent.Kind.RETURNED, "ejection time over");
                    }
                } else if (now - endpoint.penaltySinceNanos() >= base) {
                    int times = endpoint.timesEjected() - 1;
                    endpoint.timesEjected(Math.max(0, times), now);
                    if (times <= 0) {
                        penalised.remove(endpoint);
                    }
                }
            }
        }
    }

    private static String format(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        return millis / 1000 + "s";
    }
}

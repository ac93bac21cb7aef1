package dev.veer.proxy.upstream;

import dev.veer.config.model.OutlierDetectionSpec;
import dev.veer.config.model.RetrySpec;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The endpoints of one (service, version) as last published, with the version's outlier-detection and retry
 * settings and its retry budget. Like {@link Endpoint} it outlives publishes, so the budget and the ejection
 * bookkeeping survive weight changes.
 */
public final class EndpointGroup {

    private static final Endpoint[] NONE = new Endpoint[0];

    private final String service;
    private final String version;
    private final FailureListener failures;
    private final RetryBudget retryBudget;
    private final AtomicInteger turns = new AtomicInteger();
    private final AtomicInteger retryTurns = new AtomicInteger();
    private volatile Endpoint[] members = NONE;
    private volatile OutlierDetectionSpec outlierDetection = OutlierDetectionSpec.DEFAULTS;
    private volatile RetrySpec retry = RetrySpec.DEFAULTS;

    EndpointGroup(String service, String version, Ticker ticker, FailureListener failures) {
        this.service = service;
        this.version = version;
        this.failures = failures;
        this.retryBudget = new RetryBudget(ticker, RetrySpec.DEFAULTS.budgetRatio());
    }

    void configure(List<Endpoint> newMembers, OutlierDetectionSpec outliers, RetrySpec retrySpec) {
        this.outlierDetection = outliers == null ? OutlierDetectionSpec.DEFAULTS : outliers;
        this.retry = retrySpec == null ? RetrySpec.DEFAULTS : retrySpec;
        retryBudget.ratio(retry.budgetRatio());
        this.members = newMembers.toArray(NONE);
    }

    void retire() {
        members = NONE;
    }

    public String service() {
        return service;
    }

    public String version() {
        return version;
    }

    /** The published endpoints of the version; empty once the version is removed. */
    public Endpoint[] members() {
        return members;
    }

    public OutlierDetectionSpec outlierDetection() {
        return outlierDetection;
    }

    public RetrySpec retry() {
        return retry;
    }

    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /**
     * The turns of the version's round robin for first attempts (retries take theirs from another counter, or each
     * retry would shift the rotation back onto the endpoint that failed). Kept here rather than in the published
     * route, which a publish replaces: a counter starting afresh on every change (any weight, version or flag change
     * republishes every service) sent the next request of each version to its first endpoint.
     */
    public AtomicInteger turns() {
        return turns;
    }

    FailureListener failures() {
        return failures;
    }

    /**
     * A usable (healthy, not ejected) published endpoint other than {@code failed}, round robin; null when there is
     * none. Used for a retry, which should not go back to the endpoint that just failed.
     */
    public Endpoint pickOther(Endpoint failed) {
        return UsableRoundRobin.next(members, retryTurns, failed);
    }
}

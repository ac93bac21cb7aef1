package dev.veer.proxy.upstream;

import dev.veer.proxy.stats.FailureReason;

/** Told about every upstream outcome that counts against an endpoint (outlier detection). */
public interface FailureListener {

    FailureListener NONE = (endpoint, consecutive, status, reason) -> { };

    /**
     * Called on an event loop after the endpoint's consecutive-failure count rose to {@code consecutive}.
     * {@code status} is the upstream's 5xx status, or 0 when {@code reason} says why the exchange failed.
     */
    void onFailure(Endpoint endpoint, int consecutive, int status, FailureReason reason);

    /**
     * Called after the version's published endpoints changed (a publish) or one of them failed its health check:
     * what was decided against the endpoints of an earlier moment may no longer hold.
     */
    default void reconsider(EndpointGroup group) {
    }
}

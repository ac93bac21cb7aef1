package dev.veer.proxy.upstream;

/**
 * An exchange that asked {@link UpstreamPools} for a connection and was not given one at once. Called on the
 * event loop the exchange runs on.
 */
public interface ConnectionWaiter {

    /** True while the waiter still wants a connection to {@code endpoint}; one that stopped wanting is passed by. */
    boolean awaits(Endpoint endpoint);

    /** A connection for the waiter's request, attached to no exchange. */
    void onConnection(UpstreamConnection connection);

    /**
     * No connection came. {@code own}: the connect opened for this waiter failed. Otherwise the waiter was queued
     * and fails without a connect of its own: behind a connect that failed (its own would most likely fail too),
     * or after waiting longer than a connect may take. {@code timedOut}: the connect took longer than it may (the
     * endpoint did not answer), rather than being refused or failing at once.
     */
    void onConnectFailure(boolean own, boolean timedOut);
}

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
     * No connection came: a connect to the endpoint failed. {@code own}: the failed connect was opened for this
     * waiter; otherwise the waiter was queued behind it and is failed with it, as it would most likely fail too.
     */
    void onConnectFailure(boolean own);
}

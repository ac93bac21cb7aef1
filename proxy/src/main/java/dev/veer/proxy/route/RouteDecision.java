package dev.veer.proxy.route;

import dev.veer.proxy.flag.FlagEvaluator;
import dev.veer.proxy.flag.FlagResults;
import dev.veer.proxy.hash.Murmur3;
import dev.veer.proxy.upstream.Endpoint;

/**
 * The routing outcome of one request. Mutable and reused per downstream connection so routing allocates
 * nothing; read it before the next request on the same connection starts.
 *
 * <p>Feature flags are evaluated into {@link #flagResults()} (a scratch object kept for the connection's life) by
 * {@link RoutingTable#evaluateFlags} before {@link ServiceRoute#choose} runs; flag route matchers read them back.
 */
public final class RouteDecision {

    /** Why a version was chosen. */
    public enum Reason { ROUTE, COOKIE, HASH, RANDOM }

    private ServiceRoute service;
    private VersionRoute version;
    private Endpoint endpoint;
    private Reason reason;
    private String setCookie;
    private CharSequence flagsHeader;
    private FlagResults flagResults;
    /** Scratch for hashing the sticky key, reused for every request on the connection. */
    final Murmur3 keyHasher = new Murmur3(0);

    /** Clears everything before routing a new request. */
    public void reset() {
        service = null;
        version = null;
        endpoint = null;
        reason = null;
        setCookie = null;
        flagsHeader = null;
    }

    public ServiceRoute service() {
        return service;
    }

    public VersionRoute version() {
        return version;
    }

    /** A healthy endpoint of the version, or null when it has none (503). */
    public Endpoint endpoint() {
        return endpoint;
    }

    public Reason reason() {
        return reason;
    }

    /** The Set-Cookie header value for a new sticky session, or null. */
    public String setCookie() {
        return setCookie;
    }

    /** The {@code x-veer-flags} header value to send upstream, or null when no flags were evaluated. */
    public CharSequence flagsHeader() {
        return flagsHeader;
    }

    void flagsHeader(CharSequence value) {
        this.flagsHeader = value;
    }

    /**
     * This request's flag results; null before the connection's first flag evaluation. Only flag matchers read it,
     * and they exist only in tables with flags, which evaluate before choosing.
     */
    FlagResults flagResults() {
        return flagResults;
    }

    /** The scratch results for {@code evaluator}, created once per connection (rebinding allocates on a new table). */
    FlagResults flagResultsFor(FlagEvaluator evaluator) {
        if (flagResults == null) {
            flagResults = evaluator.newResults();
        }
        return flagResults;
    }

    void service(ServiceRoute service) {
        this.service = service;
    }

    void choose(VersionRoute version, Reason reason, String setCookie) {
        this.version = version;
        this.reason = reason;
        this.setCookie = setCookie;
        this.endpoint = version == null ? null : version.pick();
    }
}

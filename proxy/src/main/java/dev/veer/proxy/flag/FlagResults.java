package dev.veer.proxy.flag;

import dev.veer.proxy.http.AsciiWindow;
import dev.veer.proxy.http.CookieScanner;

import dev.veer.proxy.hash.Murmur3;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * The outcome of {@link FlagEvaluator#evaluate} for one request, indexed like the evaluator's flags (sorted by
 * name). A mutable scratch object: create one per connection (or per event loop) with
 * {@link FlagEvaluator#newResults()} and pass it to every evaluation, so a request allocates nothing, the upstream
 * header value included: it is rendered into an array of these results and read in place until the next
 * evaluation, which comes with the connection's next exchange. Not thread-safe.
 *
 * <p>Passing it to a different evaluator (after a new routing table was published) rebinds it to that evaluator's
 * flags, which allocates once.
 */
public final class FlagResults {

    private static final int NO_VARIANT = -1;

    private FlagEvaluator evaluator;
    private boolean[] targeted;
    private boolean[] on;
    private int[] variant;

    private byte[] headerScratch;
    /** The rendered header value, read in {@link #headerScratch}. */
    private final AsciiWindow renderedHeader = new AsciiWindow();
    private CharSequence headerValue;

    final Murmur3 hasher = new Murmur3(0);

    // The request being evaluated; cleared at the end so a pooled connection does not hold on to old headers.
    private HttpHeaders headers;
    /** Numbers each request; a slot holds this request's value when its generation equals it. */
    private int generation;
    private CharSequence[] headerValues;
    private int[] headerGeneration;
    private long[] cookieRegions;
    private CharSequence[] cookieTexts;
    /** Cookies are found all at once, the first time a request needs one. */
    private int cookieGeneration;

    // Cached per address instance: a connection evaluates many requests from one client address.
    private InetAddress address;
    private byte[] addressBytes;
    private String addressText;

    FlagResults(FlagEvaluator evaluator) {
        bind(evaluator);
    }

    /** Whether flag {@code i} is enabled and all of its targeting rules held. */
    public boolean targeted(int i) {
        return targeted[i];
    }

    /** Whether flag {@code i} is on for this request (targeted and inside its percentage). */
    public boolean on(int i) {
        return on[i];
    }

    /** Index of the variant chosen for flag {@code i}, or -1 when it is off or has no variants. */
    public int variant(int i) {
        return variant[i];
    }

    /** Name of the variant chosen for flag {@code i}, or null. */
    public String variantName(int i) {
        int v = variant[i];
        return v == NO_VARIANT ? null : evaluator.flag(i).variantNames[v];
    }

    /**
     * The {@code x-veer-flags} value for the upstream request, e.g. {@code a=on,b=off,exp=variantB}: every flag in
     * name order; null when there are no flags. Read in place: valid until the next evaluation into these results
     * (take {@code toString()} to keep it longer).
     */
    public CharSequence headerValue() {
        return headerValue;
    }

    /** The evaluator these results are laid out for. */
    public FlagEvaluator evaluator() {
        return evaluator;
    }

    void bind(FlagEvaluator newEvaluator) {
        if (newEvaluator == evaluator) {
            return;
        }
        evaluator = newEvaluator;
        int size = newEvaluator.size();
        targeted = new boolean[size];
        on = new boolean[size];
        variant = new int[size];
        headerScratch = new byte[newEvaluator.maxHeaderLength()];
        headerValues = new CharSequence[newEvaluator.headerSlots()];
        headerGeneration = new int[newEvaluator.headerSlots()];
        cookieRegions = new long[newEvaluator.cookieSlots()];
        cookieTexts = new CharSequence[newEvaluator.cookieSlots()];
        generation = 0;
        cookieGeneration = 0;
        headerValue = null;
    }

    void begin(HttpHeaders requestHeaders, InetAddress clientAddress) {
        headers = requestHeaders;
        if (++generation == 0) {
            // Wrapped after 2^32 requests: forget every slot rather than mistake an old one for this request's.
            Arrays.fill(headerGeneration, 0);
            cookieGeneration = 0;
            generation = 1;
        }
        if (clientAddress == null) {
            address = null;
            addressBytes = null;
            addressText = null;
        } else if (!clientAddress.equals(address)) {
            address = clientAddress;
            addressBytes = clientAddress.getAddress();
            addressText = null;
        }
    }

    void set(int i, boolean isTargeted, boolean isOn, int variantIndex) {
        targeted[i] = isTargeted;
        on[i] = isOn;
        variant[i] = variantIndex;
    }

    /** Appends {@code piece} to the header under construction, with a comma after the first one. */
    int append(int length, byte[] piece) {
        if (length > 0) {
            headerScratch[length++] = ',';
        }
        System.arraycopy(piece, 0, headerScratch, length, piece.length);
        return length + piece.length;
    }

    void end(int headerLength) {
        headers = null;
        Arrays.fill(headerValues, null);
        Arrays.fill(cookieTexts, null);
        if (headerLength == 0) {
            headerValue = null;
            return;
        }
        renderedHeader.show(headerScratch, headerLength);
        headerValue = renderedHeader;
    }

    /** This request's value of header slot {@code slot} (first value when repeated), or null. */
    CharSequence header(int slot) {
        if (headerGeneration[slot] != generation) {
            headerGeneration[slot] = generation;
            headerValues[slot] = headers.get(evaluator.headerName(slot));
        }
        return headerValues[slot];
    }

    /** The region of cookie slot {@code slot} in {@link #cookieText(int)}, or {@link CookieScanner#NOT_FOUND}. */
    long cookie(int slot) {
        if (cookieGeneration != generation) {
            cookieGeneration = generation;
            scanCookies();
        }
        return cookieRegions[slot];
    }

    /** The Cookie header holding cookie slot {@code slot}, when {@link #cookie(int)} found it. */
    CharSequence cookieText(int slot) {
        return cookieTexts[slot];
    }

    /**
     * Finds every cookie the flags read in one pass over the Cookie header. One header holds them all: HTTP/1.1
     * clients send one (RFC 6265 §5.4), and the proxy's request decoder joins repeated Cookie fields into one
     * (as HTTP/2-to-HTTP/1 gateways must), so reading only the first costs no iteration or allocation.
     */
    private void scanCookies() {
        Arrays.fill(cookieRegions, CookieScanner.NOT_FOUND);
        CharSequence cookieHeader = headers.get(HttpHeaderNames.COOKIE);
        if (cookieHeader != null) {
            CookieScanner.scan(cookieHeader, evaluator.cookieNames(), cookieRegions, cookieTexts);
        }
    }

    byte[] addressBytes() {
        return addressBytes;
    }

    String addressText() {
        if (addressText == null && address != null) {
            addressText = NetUtil.toAddressString(address);
        }
        return addressText;
    }
}

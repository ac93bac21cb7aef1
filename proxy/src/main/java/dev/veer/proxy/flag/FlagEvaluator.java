package dev.veer.proxy.flag;

import dev.veer.proxy.http.CookieScanner;

import dev.veer.proxy.hash.Murmur3;

import dev.veer.config.model.FlagSpec;
import dev.veer.config.model.KeySource;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Feature flags compiled for evaluation at the edge on every request. Immutable and shared by all event loops; the
 * per-request outcome goes into a per-connection {@link FlagResults}.
 *
 * <p>A flag is <em>targeted</em> when it is enabled and all its targeting rules hold (no rules: everyone). A
 * disabled flag is off for everyone and counts as not targeted. A targeted request is <em>on</em> when its bucket is below the flag's percentage. The bucket is 0..9999:
 * MurmurHash3 x86_32 (seed 0) of the UTF-8 bytes of {@code name + ":" + key}, read unsigned, modulo 10000, where
 * the key is the stickiness header or cookie as it came on the wire (see {@link dev.veer.proxy.hash.Murmur3#putHeaderChars}), as
 * OpenFeature/flagd and Unleash bucket a user. So a key always gets the same answer, raising the percentage only
 * adds keys, and the flag name as salt keeps two flags independent. With no stickiness, or when the key is absent
 * or empty, the bucket is drawn at random per request. An on request of a flag with variants gets the variant
 * owning a second bucket, from the hash of {@code name + ":variant:" + key}: the split by weight holds for any
 * percentage, and a key keeps its variant while the percentage grows.
 *
 * <p>The upstream {@code x-veer-flags} value lists every flag in name order as {@code name=on},
 * {@code name=off} or {@code name=<variant>}: one not targeted is off, so a service can tell a flag that is off
 * from one it does not know.
 */
public final class FlagEvaluator {

    private static final int NO_VARIANT = -1;
    /** Outcome of the bucket step for a request outside the percentage; otherwise it is the variant (or -1). */
    private static final int OUTSIDE_PERCENTAGE = -2;

    private final CompiledFlag[] flags;
    private final AsciiString[] headerNames;
    private final String[] cookieNames;
    private final int maxHeaderLength;

    private FlagEvaluator(CompiledFlag[] flags, AttributeSlots slots) {
        this.flags = flags;
        this.headerNames = slots.headerNames();
        this.cookieNames = slots.cookieNames();
        int length = 0;
        for (CompiledFlag flag : flags) {
            length += flag.maxRenderedLength() + 1;
        }
        this.maxHeaderLength = length;
    }

    /**
     * Compiles {@code flags}, sorted by name. IllegalArgumentException naming the flag and rule when one cannot be
     * evaluated (duplicate name, bad percentage, unparsable version or address operand, a name that cannot go into
     * a header), so the control plane can use it as a last validation before publishing.
     */
    public static FlagEvaluator compile(List<FlagSpec> flags) {
        List<FlagSpec> sorted = new ArrayList<>(flags);
        sorted.sort(Comparator.comparing(FlagSpec::name));
        CompiledFlag[] compiled = new CompiledFlag[sorted.size()];
        AttributeSlots slots = new AttributeSlots();
        for (int i = 0; i < compiled.length; i++) {
            if (i > 0 && sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException("flag " + sorted.get(i).name() + ": defined twice");
            }
            compiled[i] = CompiledFlag.compile(sorted.get(i), slots);
        }
        return new FlagEvaluator(compiled, slots);
    }

    /** Scratch results laid out for this evaluator; keep one per connection. */
    public FlagResults newResults() {
        return new FlagResults(this);
    }

    /** Number of flags. */
    public int size() {
        return flags.length;
    }

    /** Name of flag {@code i}; flags are sorted by name. */
    public String name(int i) {
        return flags[i].name;
    }

    /** The variant names of flag {@code i}, in config order; empty for an on/off flag. */
    public java.util.List<String> variantNames(int i) {
        return java.util.List.of(flags[i].variantNames);
    }

    /** Index of the flag called {@code name}, or -1 when there is none. For compiling routes, not per request. */
    public int indexOf(String name) {
        int low = 0;
        int high = flags.length - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            int cmp = flags[mid].name.compareTo(name);
            if (cmp == 0) {
                return mid;
            }
            if (cmp < 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return -1;
    }

    /** Index of variant {@code variant} of flag {@code i}, or -1 when it has none of that name. */
    public int variantIndexOf(int i, String variant) {
        String[] names = flags[i].variantNames;
        for (int v = 0; v < names.length; v++) {
            if (names[v].equals(variant)) {
                return v;
            }
        }
        return -1;
    }

    /**
     * Evaluates every flag for one request into {@code out} (rebinding it first if it was made by another
     * evaluator). {@code clientAddress} may be null when unknown: address rules then fail, except notIn.
     */
    public void evaluate(HttpHeaders headers, InetAddress clientAddress, FlagResults out) {
        out.bind(this);
        out.begin(headers, clientAddress);
        int headerLength = 0;
        for (int i = 0; i < flags.length; i++) {
            CompiledFlag flag = flags[i];
            if (!flag.enabled || !flag.matches(out)) {
                out.set(i, false, false, NO_VARIANT);
                headerLength = out.append(headerLength, flag.renderedOff);
                continue;
            }
            boolean on;
            int variant = NO_VARIANT;
            if (flag.percentageBps == 0) {
                on = false;
            } else if (flag.percentageBps == CompiledFlag.BUCKETS && !flag.hasVariants()) {
                on = true;
            } else {
                int outcome = evaluateBuckets(flag, out);
                on = outcome != OUTSIDE_PERCENTAGE;
                variant = on ? outcome : NO_VARIANT;
            }
            out.set(i, true, on, variant);
            byte[] rendered = !on ? flag.renderedOff
                    : variant == NO_VARIANT ? flag.renderedOn : flag.renderedVariants[variant];
            headerLength = out.append(headerLength, rendered);
        }
        out.end(headerLength);
    }

    CompiledFlag flag(int i) {
        return flags[i];
    }

    AsciiString headerName(int slot) {
        return headerNames[slot];
    }

    /** The cookie names by slot; read-only. */
    String[] cookieNames() {
        return cookieNames;
    }

    int headerSlots() {
        return headerNames.length;
    }

    int cookieSlots() {
        return cookieNames.length;
    }

    int maxHeaderLength() {
        return maxHeaderLength;
    }

    /** {@link #OUTSIDE_PERCENTAGE}, or inside it the variant chosen (-1 for a flag without variants). */
    private static int evaluateBuckets(CompiledFlag flag, FlagResults out) {
        CharSequence keyText = null;
        int keyFrom = 0;
        int keyTo = 0;
        if (flag.stickiness == KeySource.Kind.HEADER) {
            keyText = out.header(flag.stickySlot);
            keyTo = keyText == null ? 0 : keyText.length();
        } else if (flag.stickiness == KeySource.Kind.COOKIE) {
            long region = out.cookie(flag.stickySlot);
            if (region != CookieScanner.NOT_FOUND) {
                keyText = out.cookieText(flag.stickySlot);
                keyFrom = CookieScanner.start(region);
                keyTo = CookieScanner.end(region);
            }
        }
        boolean keyed = keyText != null && keyTo > keyFrom;
        int bucket = keyed
                ? CompiledFlag.bucket(out.hasher, flag.bucketHashPrefix, keyText, keyFrom, keyTo)
                : ThreadLocalRandom.current().nextInt(CompiledFlag.BUCKETS);
        if (bucket >= flag.percentageBps) {
            return OUTSIDE_PERCENTAGE;
        }
        if (!flag.hasVariants()) {
            return NO_VARIANT;
        }
        int variantBucket = keyed
                ? CompiledFlag.bucket(out.hasher, flag.variantHashPrefix, keyText, keyFrom, keyTo)
                : ThreadLocalRandom.current().nextInt(CompiledFlag.BUCKETS);
        return flag.variantFor(variantBucket);
    }
}

package dev.veer.proxy.stats;

import java.time.InstantSource;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.Recorder;

/**
 * The live statistics of one (service, version). Event loops call {@link #record} and {@link #failure}
 * without locks (LongAdder cells and a wait-free HdrHistogram {@link Recorder}); the collector thread calls
 * {@link #collect} once per second, which moves the interval into the cumulative totals and into a ring
 * of per-second slices, each stamped with the time it was completed. Readers ({@link #window}, {@link #totals})
 * synchronise with the collector only.
 */
public final class VersionStats {

    /** Latencies above one hour are recorded as one hour. */
    static final long MAX_MICROS = 3_600_000_000L;
    /** Two significant digits (1% precision) keep each histogram small; plenty for latency analysis. */
    static final int SIGNIFICANT_DIGITS = 2;

    private static final FailureReason[] REASONS = FailureReason.values();

    private final StatsKey key;
    private final LongAdder[] responsesByClass = newAdders(6);
    private final LongAdder[] failures = newAdders(REASONS.length);
    private final LongAdder[] retries = newAdders(REASONS.length);
    /** Latency of the responses below 500. */
    private final Recorder recorder = new Recorder(1, MAX_MICROS, SIGNIFICANT_DIGITS);
    /** Latency of the 5xx responses, apart: the analyzer judges latency without them (see WindowStats). */
    private final Recorder errorRecorder = new Recorder(1, MAX_MICROS, SIGNIFICANT_DIGITS);

    // Collector state, guarded by this.
    private final Histogram totalLatency = newHistogram();
    /**
     * What {@link #totals} took from the recorder since the last {@link #collect}: it belongs to the slice being
     * collected. Totals take the recorder's interval so far, so that a scrape counts the same requests in the
     * histogram as in the per-class counters (it lagged up to a second), without a second concurrent histogram on
     * the event loops' path.
     */
    private final Histogram sliceSoFar = newHistogram();
    /** The 5xx part of {@link #sliceSoFar}. */
    private final Histogram errorSliceSoFar = newHistogram();
    private final long[] collectedByClass = new long[6];
    private final Slice[] ring;
    private int ringNext;
    private int ringSize;
    private Histogram recycled;
    private Histogram recycledErrors;

    VersionStats(StatsKey key, int ringSeconds) {
        this.key = key;
        this.ring = new Slice[ringSeconds];
    }

    public StatsKey key() {
        return key;
    }

    /** Records one response sent downstream: its status code and its latency in microseconds. */
    public void record(int status, long latencyMicros) {
        int statusClass = status / 100;
        if (statusClass < 2 || statusClass > 5) {
            // A protocol switch (101, a WebSocket handshake) ends no HTTP exchange: not a request of the version.
            return;
        }
        responsesByClass[statusClass].increment();
        long micros = latencyMicros < 0 ? 0 : Math.min(latencyMicros, MAX_MICROS);
        (statusClass == 5 ? errorRecorder : recorder).recordValue(micros);
    }

    /** Records one upstream failure; the response the client got is recorded separately by {@link #record}. */
    public void failure(FailureReason reason) {
        failures[reason.ordinal()].increment();
    }

    /** Records one failed upstream attempt that is sent again (a retry): the client does not see this failure. */
    public void retry(FailureReason reason) {
        retries[reason.ordinal()].increment();
    }

    /**
     * Moves the interval recorded since the previous call into the totals and the ring, stamped with
     * {@code clock}'s time read under this object's lock: a reader that took its own time before calling
     * {@link #window(long, long)} then sees every slice stamped earlier than that time, and none stamped later.
     */
    synchronized void collect(InstantSource clock) {
        long completedAtMillis = clock.millis();
        drainRecorder();
        long requests = 0;
        long errors = 0;
        for (int c = 1; c <= 5; c++) {
            long now = responsesByClass[c].sum();
            long delta = now - collectedByClass[c];
            collectedByClass[c] = now;
            requests += delta;
            if (c == 5) {
                errors = delta;
            }
        }
        ring[ringNext] = Slice.of(completedAtMillis, requests, errors, sliceSoFar, errorSliceSoFar);
        ringNext = (ringNext + 1) % ring.length;
        ringSize = Math.min(ringSize + 1, ring.length);
        sliceSoFar.reset();
        errorSliceSoFar.reset();
    }

    /** Moves what the recorders hold into the totals and the slice being collected. Under this object's lock. */
    private void drainRecorder() {
        Histogram interval = recorder.getIntervalHistogram(recycled);
        totalLatency.add(interval);
        sliceSoFar.add(interval);
        interval.reset();
        recycled = interval;
        Histogram errorInterval = errorRecorder.getIntervalHistogram(recycledErrors);
        totalLatency.add(errorInterval);
        sliceSoFar.add(errorInterval);
        errorSliceSoFar.add(errorInterval);
        errorInterval.reset();
        recycledErrors = errorInterval;
    }

    /** Sums the last {@code seconds} completed slices (fewer if the proxy has not run that long). */
    synchronized WindowStats window(int seconds) {
        return sum(Math.min(seconds, ringSize), Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /**
     * Sums the slices completed at or after {@code fromMillis} and before {@code toMillis}: windows that share their
     * bounds count every slice exactly once. The whole ring is looked at, not only up to the first older slice: the
     * stamps are wall-clock time, which a clock step can set back, so they need not rise along the ring.
     */
    synchronized WindowStats window(long fromMillis, long toMillis) {
        return sum(ringSize, fromMillis, toMillis);
    }

    /** Sums those of the {@code newest} slices completed in [{@code fromMillis}, {@code toMillis}). Under the lock. */
    private WindowStats sum(int newest, long fromMillis, long toMillis) {
        Histogram latency = newHistogram();
        Histogram errorLatency = newHistogram();
        long requests = 0;
        long errors = 0;
        for (int i = 1; i <= newest; i++) {
            Slice slice = ring[Math.floorMod(ringNext - i, ring.length)];
            if (slice.completedAtMillis >= fromMillis && slice.completedAtMillis < toMillis) {
                requests += slice.requests;
                errors += slice.errors;
                slice.addTo(latency, errorLatency);
            }
        }
        return new WindowStats(requests, errors, latency, errorLatency);
    }

    synchronized TotalStats totals() {
        long[] byClass = new long[6];
        for (int c = 1; c <= 5; c++) {
            byClass[c] = responsesByClass[c].sum();
        }
        drainRecorder(); // after the counters: record() counts a response before it records its latency
        return new TotalStats(byClass, counts(failures), counts(retries), totalLatency.copy());
    }

    private static Map<FailureReason, Long> counts(LongAdder[] byReason) {
        Map<FailureReason, Long> out = new EnumMap<>(FailureReason.class);
        for (FailureReason r : REASONS) {
            out.put(r, byReason[r.ordinal()].sum());
        }
        return out;
    }

    static Histogram newHistogram() {
        return new Histogram(1, MAX_MICROS, SIGNIFICANT_DIGITS);
    }

    static WindowStats emptyWindow() {
        return new WindowStats(0, 0, newHistogram(), newHistogram());
    }

    static TotalStats emptyTotals() {
        LongAdder[] none = newAdders(REASONS.length);
        return new TotalStats(new long[6], counts(none), counts(none), newHistogram());
    }

    private static LongAdder[] newAdders(int n) {
        LongAdder[] adders = new LongAdder[n];
        for (int i = 0; i < n; i++) {
            adders[i] = new LongAdder();
        }
        return adders;
    }

    /**
     * One second of traffic. The histograms are kept sparse (only non-empty buckets) so that fifteen minutes of
     * slices cost kilobytes, not megabytes, per version.
     */
    private static final class Slice {
        final long completedAtMillis;
        final long requests;
        final long errors;
        /** Every response's latency. */
        final Sparse latency;
        /** The 5xx responses' latency (also in {@link #latency}). */
        final Sparse errorLatency;

        private Slice(long completedAtMillis, long requests, long errors, Sparse latency, Sparse errorLatency) {
            this.completedAtMillis = completedAtMillis;
            this.requests = requests;
            this.errors = errors;
            this.latency = latency;
            this.errorLatency = errorLatency;
        }

        static Slice of(long completedAtMillis, long requests, long errors, Histogram latency, Histogram errorLatency) {
            return new Slice(completedAtMillis, requests, errors, Sparse.of(latency), Sparse.of(errorLatency));
        }

        void addTo(Histogram latencyTarget, Histogram errorLatencyTarget) {
            latency.addTo(latencyTarget);
            errorLatency.addTo(errorLatencyTarget);
        }
    }

    /** A histogram's non-empty buckets. */
    private static final class Sparse {
        private static final long[] NONE_RECORDED = new long[0];
        private static final Sparse EMPTY = new Sparse(NONE_RECORDED, NONE_RECORDED);

        final long[] values;
        final long[] counts;

        private Sparse(long[] values, long[] counts) {
            this.values = values;
            this.counts = counts;
        }

        static Sparse of(Histogram interval) {
            if (interval.getTotalCount() == 0) {
                return EMPTY;
            }
            int buckets = 0;
            for (HistogramIterationValue ignored : interval.recordedValues()) {
                buckets++;
            }
            long[] values = new long[buckets];
            long[] counts = new long[buckets];
            int i = 0;
            for (HistogramIterationValue v : interval.recordedValues()) {
                if (i == buckets) {
                    break;
                }
                values[i] = v.getValueIteratedTo();
                counts[i] = v.getCountAtValueIteratedTo();
                i++;
            }
            return new Sparse(values, counts);
        }

        void addTo(Histogram target) {
            for (int i = 0; i < values.length; i++) {
                target.recordValueWithCount(values[i], counts[i]);
            }
        }
    }
}

package dev.veer.analyzer;

import dev.veer.config.model.AnalysisSpec;
import dev.veer.config.model.Weights;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Everything about one rollout, immutable and made only of primitives, strings, lists, maps and nested records
 * (times in epoch millis), so it can be persisted with plain Jackson and handed back to
 * {@link RolloutEngine#restore(RolloutState)} after a restart.
 *
 * @param service                 the service
 * @param strategy                {@code canary} or {@code blueGreen}
 * @param canary                  the new version
 * @param baseline                the version it replaces
 * @param versions                all versions of the service at start, in order (weights keep the others at 0)
 * @param phase                   where it stands
 * @param reason                  why it is in that phase, one human line
 * @param step                    index of the current step; {@code steps.size()} once all steps are done
 * @param steps                   the plan as the engine runs it
 * @param analysis                the analysis settings
 * @param weightsBps              the split the engine last applied (basis points)
 * @param startedAtMillis         when it started
 * @param updatedAtMillis         when it last changed
 * @param stepStartedAtMillis     when the current step began
 * @param stepDeadlineMillis      when the current step's pause ends; -1 when not timing (no pause, or Paused)
 * @param pauseRemainingMillis    while Paused: what is left of the step's pause; -1 otherwise
 * @param nextAnalysisAtMillis    when the next analysis runs
 * @param stepPasses              Pass verdicts in the current step
 * @param stepLastResult          the latest verdict in the current step, null before the first
 * @param stepFails               Fail verdicts among the current step's last {@link RolloutEngine#FAILURE_WINDOW}
 *                                analyses
 * @param consecutiveInconclusive Inconclusive verdicts in a row
 * @param baselineSnapshot        the baseline's last figures, kept once the baseline gets no traffic any more
 *                                (blue-green switch, canary at 100%); null before
 * @param verdictsDropped         the oldest verdicts dropped to keep the most recent {@link RolloutEngine#MAX_VERDICTS}
 * @param verdicts                the analyses, oldest first (the most recent {@link RolloutEngine#MAX_VERDICTS})
 */
public record RolloutState(String service, String strategy, String canary, String baseline, List<String> versions,
                           RolloutPhase phase, String reason, int step, List<Step> steps, Analysis analysis,
                           Map<String, Integer> weightsBps, long startedAtMillis, long updatedAtMillis,
                           long stepStartedAtMillis, long stepDeadlineMillis, long pauseRemainingMillis,
                           long nextAnalysisAtMillis, int stepPasses, Verdict.Result stepLastResult,
                           int stepFails, int consecutiveInconclusive, BaselineSnapshot baselineSnapshot,
                           long verdictsDropped, List<Verdict> verdicts) {

    public RolloutState {
        versions = List.copyOf(versions);
        steps = List.copyOf(steps);
        weightsBps = Collections.unmodifiableMap(new LinkedHashMap<>(weightsBps));
        verdicts = List.copyOf(verdicts);
    }

    /**
     * This rollout without the versions not in {@code kept}: as the control plane holds it once a version the
     * rollout does not split traffic to (weight 0) has left the service.
     */
    public RolloutState keepingVersions(List<String> kept) {
        Draft draft = new Draft(this);
        draft.versions = versions.stream().filter(kept::contains).toList();
        Map<String, Integer> weights = new LinkedHashMap<>(weightsBps);
        weights.keySet().retainAll(kept);
        draft.weightsBps = weights;
        return draft.freeze(updatedAtMillis);
    }

    /** The canary's weight in basis points. */
    public int canaryWeightBps() {
        return weightsBps.getOrDefault(canary, 0);
    }

    /** The step being run, or null once all are done. */
    public Step currentStep() {
        return step < steps.size() ? steps.get(step) : null;
    }

    /** The most recent verdict, or null before the first analysis. */
    public Verdict lastVerdict() {
        return verdicts.isEmpty() ? null : verdicts.get(verdicts.size() - 1);
    }

    /**
     * One step as the engine runs it.
     *
     * @param kind            {@link #WEIGHT} (set the canary weight, then hold for the pause), {@link #APPROVAL}
     *                        (wait for approve), {@link #PREVIEW} (blue-green: the new version gets preview traffic
     *                        only, analysed for the pause), {@link #SWITCH} (blue-green: all traffic to the new
     *                        version, watched for the pause; one Fail switches back)
     * @param canaryWeightBps the canary weight this step sets, or null to keep it
     * @param pauseMillis     how long the step holds (analysis runs meanwhile); 0 = advance at once
     */
    public record Step(String kind, Integer canaryWeightBps, long pauseMillis) {
        public static final String WEIGHT = "weight";
        public static final String APPROVAL = "approval";
        public static final String PREVIEW = "preview";
        public static final String SWITCH = "switch";

        public boolean approval() {
            return APPROVAL.equals(kind);
        }
    }

    /** {@link AnalysisSpec} in persistable units (millis, micros). */
    public record Analysis(long intervalMillis, long minRequests, double maxErrorRate, double maxErrorRateIncrease,
                           double latencyPercentile, long maxLatencyMicros, double maxLatencyIncrease,
                           int failureLimit, int inconclusiveLimit, double confidence) {

        public static Analysis of(AnalysisSpec spec) {
            return new Analysis(spec.interval().toMillis(), spec.minRequests(), spec.maxErrorRate(),
                    spec.maxErrorRateIncrease(), spec.latencyPercentile(), spec.maxLatency().toNanos() / 1000,
                    spec.maxLatencyIncrease(), spec.failureLimit(), spec.inconclusiveLimit(), spec.confidence());
        }
    }

    /**
     * The baseline's figures from its last analysed window with traffic, for judging the new version once the
     * baseline gets none (blue-green post-promotion watch, canary at 100%).
     *
     * @param requests         requests in that window
     * @param errors           errors in that window
     * @param latencyHistogram the latency histogram, HdrHistogram compressed encoding in base64 (null if none)
     * @param takenAtMillis    when it was taken
     */
    public record BaselineSnapshot(long requests, long errors, String latencyHistogram, long takenAtMillis) {

        public static BaselineSnapshot of(WindowStats stats, long takenAtMillis) {
            String encoded = null;
            Histogram h = stats.latencyMicros();
            if (h != null && h.getTotalCount() > 0) {
                ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
                int length = h.encodeIntoCompressedByteBuffer(buffer);
                byte[] bytes = new byte[length];
                buffer.flip();
                buffer.get(bytes);
                encoded = Base64.getEncoder().encodeToString(bytes);
            }
            return new BaselineSnapshot(stats.requests(), stats.errors(), encoded, takenAtMillis);
        }

        public WindowStats toWindowStats() {
            Histogram h = null;
            if (latencyHistogram != null) {
                try {
                    h = Histogram.decodeFromCompressedByteBuffer(
                            ByteBuffer.wrap(Base64.getDecoder().decode(latencyHistogram)), 0);
                } catch (DataFormatException | IllegalArgumentException e) {
                    // A damaged snapshot only costs the latency comparison; error figures stay usable.
                    h = null;
                }
            }
            return new WindowStats(requests, errors, h);
        }
    }
}

package dev.veer.analyzer;

import dev.veer.config.model.Weights;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.HdrHistogram.Histogram;

/**
 * A service under simulated load: requests split by the weights the engine sets (plus preview traffic to the
 * preview version), each request failing and taking time according to its version's behaviour. Seeded, so every
 * run sees the same traffic.
 */
final class SimulatedTraffic implements StatsSource, TrafficControl {

    /** How a version behaves: error rate, lognormal latency around a median, and an optional slow tail. */
    record Behaviour(double errorRate, double medianMillis, double sigma, double slowShare, double slowFactor) {
        static Behaviour healthy() {
            return new Behaviour(0.002, 50, 0.5, 0, 1);
        }

        Behaviour withErrorRate(double rate) {
            return new Behaviour(rate, medianMillis, sigma, slowShare, slowFactor);
        }

        Behaviour slowerBy(double factor) {
            return new Behaviour(errorRate, medianMillis * factor, sigma, slowShare, slowFactor);
        }
    }

    private final Random random;
    private final Map<String, Behaviour> behaviours = new HashMap<>();
    private final Map<String, Behaviour> atFullLoad = new HashMap<>();
    private double requestsPerSecond;
    private double previewPerSecond;
    private Weights weights;
    private String preview;
    final List<Weights> weightChanges = new ArrayList<>();
    final List<String> previewChanges = new ArrayList<>();

    SimulatedTraffic(long seed, Weights initial, double requestsPerSecond) {
        this.random = new Random(seed);
        this.weights = initial;
        this.requestsPerSecond = requestsPerSecond;
    }

    SimulatedTraffic behave(String version, Behaviour behaviour) {
        behaviours.put(version, behaviour);
        return this;
    }

    /** The version behaves differently once it takes all traffic (a bug that shows only at full load). */
    SimulatedTraffic behaveAtFullLoad(String version, Behaviour behaviour) {
        atFullLoad.put(version, behaviour);
        return this;
    }

    SimulatedTraffic previewRate(double perSecond) {
        this.previewPerSecond = perSecond;
        return this;
    }

    void requestRate(double perSecond) {
        this.requestsPerSecond = perSecond;
    }

    Weights weights() {
        return weights;
    }

    String preview() {
        return preview;
    }

    @Override
    public void setWeights(String service, Weights newWeights, String reason) {
        weights = newWeights;
        weightChanges.add(newWeights);
    }

    @Override
    public void setPreview(String service, String version, String reason) {
        preview = version;
        previewChanges.add(version);
    }

    @Override
    public WindowStats window(String service, String version, Instant from, Instant to) {
        double seconds = Duration.between(from, to).toMillis() / 1000.0;
        long requests = Math.round(requestsPerSecond * seconds * weights.of(version) / Weights.TOTAL);
        if (version.equals(preview)) {
            requests += Math.round(previewPerSecond * seconds);
        }
        Behaviour behaviour = weights.of(version) == Weights.TOTAL && atFullLoad.containsKey(version)
                ? atFullLoad.get(version) : behaviours.getOrDefault(version, Behaviour.healthy());
        Histogram latency = new Histogram(3_600_000_000L, 2);
        long errors = 0;
        for (long i = 0; i < requests; i++) {
            if (random.nextDouble() < behaviour.errorRate()) {
                errors++;
            }
            double millis = behaviour.medianMillis() * Math.exp(behaviour.sigma() * random.nextGaussian());
            if (random.nextDouble() < behaviour.slowShare()) {
                millis *= behaviour.slowFactor();
            }
            latency.recordValue(Math.max(1, Math.round(millis * 1000)));
        }
        return new WindowStats(requests, errors, latency);
    }
}

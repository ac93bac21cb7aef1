package dev.veer.benchmarks.analyzer;

import dev.veer.analyzer.StatsSource;
import dev.veer.analyzer.TrafficControl;
import dev.veer.analyzer.WindowStats;
import dev.veer.config.model.Weights;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * One service under steady load, split by the weights the engine sets: each version's window is drawn from its
 * error rate and latency model. Counts the requests the canary served while it was being analysed.
 */
final class SimulatedService implements StatsSource, TrafficControl {

    /** How one version behaves. */
    record Behaviour(double errorRate, LatencyModel latency) {
    }

    private final RandomGenerator random;
    private final double requestsPerSecond;
    private final Map<String, Behaviour> behaviours;
    private final String canary;
    private Weights weights;
    private long canaryRequestsSeen;

    SimulatedService(RandomGenerator random, double requestsPerSecond, Map<String, Behaviour> behaviours,
                     String canary, Weights initial) {
        this.random = random;
        this.requestsPerSecond = requestsPerSecond;
        this.behaviours = behaviours;
        this.canary = canary;
        this.weights = initial;
    }

    @Override
    public WindowStats window(String service, String version, Instant from, Instant to) {
        long requests = Math.round(requestsPerSecond * Duration.between(from, to).toMillis() / 1000.0
                * weights.of(version) / Weights.TOTAL);
        Behaviour behaviour = behaviours.get(version);
        long errors = Binomial.draw(random, requests, behaviour.errorRate());
        if (version.equals(canary)) {
            canaryRequestsSeen += requests;
        }
        return new WindowStats(requests, errors, behaviour.latency().sample(requests, random));
    }

    @Override
    public void setWeights(String service, Weights newWeights, String reason) {
        weights = newWeights;
    }

    @Override
    public void setPreview(String service, String version, String reason) {
        throw new UnsupportedOperationException("the accuracy benchmark runs canary rollouts only");
    }

    long canaryRequestsSeen() {
        return canaryRequestsSeen;
    }
}

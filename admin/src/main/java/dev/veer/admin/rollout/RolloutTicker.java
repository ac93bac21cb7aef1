package dev.veer.admin.rollout;

import dev.veer.admin.control.ControlPlane;
import dev.veer.analyzer.RolloutEngine;
import dev.veer.analyzer.RolloutState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tick of the rollout engine, run every second on the control plane's writer thread. Each running rollout's
 * decisions are a change of their own: a rollback, which takes effect even when it cannot be saved, never carries
 * another rollout's step with it, and one rollout's refused change does not hold back the others. Then the state
 * in force is saved if a change took effect without being saved.
 */
public final class RolloutTicker implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(RolloutTicker.class);

    private final ControlPlane control;
    private final RolloutEngine engine;

    public RolloutTicker(ControlPlane control, RolloutEngine engine) {
        this.control = control;
        this.engine = engine;
    }

    /** On the writer thread. */
    @Override
    public void run() {
        for (RolloutState rollout : engine.all()) {
            if (rollout.phase().terminal()) {
                continue;
            }
            String service = rollout.service();
            try {
                control.joinOrExecute(ControlPlane.ANALYZER, change -> {
                    engine.tick(service);
                    return null;
                });
            } catch (RuntimeException refused) {
                // The engine went back to the rollout in force (RolloutBridge.keepInStep); the next tick decides again.
                log.error("rollout of {}: tick refused: {}", service, refused.getMessage());
            }
        }
        control.persistIfBehind();
    }
}

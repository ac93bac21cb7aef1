package dev.veer.proxy.flag;

import static dev.veer.proxy.flag.Flags.everyone;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Evaluation counters across republishes: kept for flags still bound, dropped for deleted ones after a grace. */
class FlagCountersTest {

    @Test
    void deletedFlagsLeaveTheSnapshotAfterTheGrace() {
        FlagCounters counters = new FlagCounters(Duration.ZERO);
        for (int i = 0; i < 50; i++) {
            // One experiment after another, each flag named anew, as a CI job does; compiled flags sort by name.
            LongAdder[][] slots = counters.bind(FlagEvaluator.compile(List.of(everyone("a_kept"),
                    everyone("z_experiment_" + i))));
            slots[0][1].increment();
        }
        counters.bind(FlagEvaluator.compile(List.of(everyone("a_kept"))));
        assertThat(counters.snapshot()).containsOnlyKeys("a_kept");
        assertThat(counters.snapshot().get("a_kept")).containsEntry("on", 50L);
    }

    @Test
    void aDeletedFlagIsStillCountedWithinTheGraceAndCountsOnWhenPutBack() {
        FlagCounters counters = new FlagCounters();
        LongAdder[][] slots = counters.bind(FlagEvaluator.compile(List.of(everyone("a"), everyone("b"))));
        slots[1][1].increment();
        counters.bind(FlagEvaluator.compile(List.of(everyone("a"))));
        assertThat(counters.snapshot().get("b")).containsEntry("on", 1L);
        LongAdder[][] back = counters.bind(FlagEvaluator.compile(List.of(everyone("a"), everyone("b"))));
        back[1][1].increment();
        assertThat(counters.snapshot().get("b")).containsEntry("on", 2L);
    }
}

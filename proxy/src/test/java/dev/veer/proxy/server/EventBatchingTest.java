package dev.veer.proxy.server;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The decisions of the adaptive wait, driven by a scripted poll. Each poll records how long after the previous
 * decision it came, so "gathered first" is a lower bound on that gap (a spin lasts at least its time; no upper
 * bound is asserted, the machine may be busy).
 */
class EventBatchingTest {

    private static final long GATHER_NANOS = 50_000_000; // 50 ms: far above a poll's own cost, even on a busy CI machine

    /** Answers polls from a script of ready counts, noting the time of each. */
    private static final class ScriptedPoll implements io.netty.util.IntSupplier {
        final ArrayDeque<Integer> ready = new ArrayDeque<>();
        final List<Long> polledAt = new ArrayList<>();

        ScriptedPoll(Integer... counts) {
            ready.addAll(List.of(counts));
        }

        @Override
        public int get() {
            polledAt.add(System.nanoTime());
            return ready.remove();
        }
    }

    private static long decide(EventBatching strategy, ScriptedPoll poll, boolean hasTasks, int[] result)
            throws Exception {
        long start = System.nanoTime();
        result[0] = strategy.calculateStrategy(poll, hasTasks);
        return poll.polledAt.get(poll.polledAt.size() - 1) - start;
    }

    @Test
    void anIdleLoopWokenByTrafficPollsAtOnceAndBlocksWhenNothingFollows() throws Exception {
        EventBatching strategy = new EventBatching(GATHER_NANOS);
        ScriptedPoll poll = new ScriptedPoll(0, 0);
        int[] result = new int[1];

        assertThat(decide(strategy, poll, false, result)).isLessThan(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(SelectStrategy.SELECT);
        // After a blocking wait (the loop was woken from idle) the next poll is immediate again.
        assertThat(decide(strategy, poll, false, result)).isLessThan(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(SelectStrategy.SELECT);
    }

    @Test
    void aBusyLoopWithSmallBatchesGathersBeforeItsNextPoll() throws Exception {
        EventBatching strategy = new EventBatching(GATHER_NANOS);
        ScriptedPoll poll = new ScriptedPoll(2, 3, 0, 1);
        int[] result = new int[1];

        assertThat(decide(strategy, poll, false, result)).isLessThan(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(2);
        assertThat(decide(strategy, poll, false, result)).isGreaterThanOrEqualTo(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(3);
        assertThat(decide(strategy, poll, false, result)).isGreaterThanOrEqualTo(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(SelectStrategy.SELECT);
        // Blocked, so idle: what wakes it is handled without a wait.
        assertThat(decide(strategy, poll, false, result)).isLessThan(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(1);
    }

    @Test
    void aLargeBatchOrPendingTasksMeanPollAtOnce() throws Exception {
        EventBatching strategy = new EventBatching(GATHER_NANOS);
        ScriptedPoll poll = new ScriptedPoll(1, EventBatching.LARGE_BATCH, 1, 0);
        int[] result = new int[1];

        decide(strategy, poll, false, result);
        assertThat(decide(strategy, poll, false, result)).isGreaterThanOrEqualTo(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(EventBatching.LARGE_BATCH);
        assertThat(decide(strategy, poll, false, result)).isLessThan(GATHER_NANOS);
        assertThat(result[0]).isEqualTo(1);
        // Tasks are waiting: poll without blocking and without gathering, and report 0 ready rather than SELECT.
        assertThat(decide(strategy, poll, true, result)).isLessThan(GATHER_NANOS);
        assertThat(result[0]).isZero();
    }

    @Test
    void zeroMeansNettysDefaultStrategy() {
        assertThat(EventBatching.factory(0)).isSameAs(DefaultSelectStrategyFactory.INSTANCE);
        assertThat(EventBatching.factory(20).newSelectStrategy()).isInstanceOf(EventBatching.class);
    }
}

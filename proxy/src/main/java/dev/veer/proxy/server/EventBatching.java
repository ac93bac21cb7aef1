package dev.veer.proxy.server;

import io.netty.channel.DefaultSelectStrategyFactory;
import io.netty.channel.SelectStrategy;
import io.netty.channel.SelectStrategyFactory;
import io.netty.util.IntSupplier;

/**
 * How an event loop waits for its sockets: adaptive batching, as a NIC moderates interrupts.
 *
 * <p>Why: a busy loop that polls the moment it finishes a pass finds one or two sockets ready, so every response
 * it writes wakes its client and every request it forwards wakes its backend, one at a time, and every write from
 * them has to wake the loop. On a shared core each of those wake-ups is a context switch, and in a VM an
 * inter-processor interrupt. Letting the ready sockets gather for a few microseconds first means one pass handles
 * several, and the peers are woken once for all of them (measured on 2 cores at 50 connections: +4-6% req/s,
 * 1.2 µs less CPU per request on the client's core, p99 unchanged).
 *
 * <p>When it waits: only when the loop is busy with small batches, i.e. the previous non-blocking poll found
 * something and found fewer than {@value #LARGE_BATCH} sockets. After a blocking wait (an idle loop woken by
 * traffic) it polls at once, so a lightly loaded proxy adds no latency; after a large batch it polls at once, so
 * a saturated loop wastes no time. Pending tasks always poll at once. The wait is a spin, not a sleep: a timed
 * sleep this short costs a wake-up of its own.
 */
public final class EventBatching implements SelectStrategy {

    /** A batch this large already amortises the wake-ups; waiting would only add latency. */
    static final int LARGE_BATCH = 16;

    private final long gatherNanos;
    private boolean pollAtOnce = true;

    EventBatching(long gatherNanos) {
        this.gatherNanos = gatherNanos;
    }

    /** The loop's strategy for a gathering time of {@code micros}; Netty's default (poll at once) for 0. */
    public static SelectStrategyFactory factory(int micros) {
        if (micros <= 0) {
            return DefaultSelectStrategyFactory.INSTANCE;
        }
        long nanos = micros * 1_000L;
        return () -> new EventBatching(nanos);
    }

    @Override
    public int calculateStrategy(IntSupplier pollNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return pollNow.get();
        }
        if (!pollAtOnce) {
            gather();
        }
        int ready = pollNow.get();
        if (ready == 0) {
            pollAtOnce = true; // the loop blocks next; whatever wakes it is handled at once
            return SelectStrategy.SELECT;
        }
        pollAtOnce = ready >= LARGE_BATCH;
        return ready;
    }

    private void gather() {
        long until = System.nanoTime() + gatherNanos;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }
}

package dev.veer.proxy.support;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition the proxy reaches on its own time (a close handled, a check run), instead of sleeping. */
public final class Await {

    private Await() {
    }

    /** Polls {@code condition} until it holds; AssertionError naming {@code what} after {@code limit}. */
    public static void until(BooleanSupplier condition, String what, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }
}

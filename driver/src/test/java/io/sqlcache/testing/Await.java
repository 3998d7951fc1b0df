package io.sqlcache.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Bounded polling for a condition that another thread or process makes true. */
public final class Await {

    /** How long {@link #until} waits before it fails. */
    public static final long WAIT_MS = 10_000;

    private Await() {
    }

    /**
     * Returns once {@code condition} holds; fails (AssertionError naming {@code what}) after
     * {@link #WAIT_MS}.
     */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not within " + WAIT_MS + " ms");
            }
            Thread.sleep(5); // polling for a condition, bounded by the deadline
        }
    }
}

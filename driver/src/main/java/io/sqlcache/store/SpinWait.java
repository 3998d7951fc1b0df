package io.sqlcache.store;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How a thread waits for a Redis reply it needs before it can go on (a read's lookup or
 * versions): it spins for a short budget, then parks as before. Thread-safe.
 *
 * <p>Use: {@link #waiting()}, then {@link #spin}, then park on the future (or block on the
 * socket), then {@link #done()} in a finally block: the count of callers waiting is one of the
 * spin's limits.
 *
 * <p>A write's bump does not spin: it follows its statement, by when Redis and the I/O thread
 * have gone idle, and their reply comes after the budget (an MSET after an UPDATE: 117 µs,
 * {@code ColdRoundTrip}); the spin would burn its budget on every write for nothing (an UPDATE
 * with its bump measured the same spinning or parked, within the ±20 µs between runs), and its
 * fruitless spins would pause the reads' spinning.
 *
 * <p>Why: a parked caller costs a futex wait, and Lettuce's I/O thread a futex wake to unpark
 * it; on a virtual machine the wake-up of an idle vCPU adds tens of microseconds more. A local
 * Redis answers a hit's MGET in less time than that hand-off (a point hit went from 84 to
 * 65 µs on 2 vCPUs, benchmarks/DECISIONS.md). The cost is CPU: the spinning thread burns
 * its core for up to the budget. So the spin is bounded four ways:
 * <ul>
 *   <li>by its budget ({@code sqlcache.spinMicros}; 0 turns it off);</li>
 *   <li>by the number of threads spinning at once, half the cores (none on one core): the
 *       I/O thread and Redis must keep a core to answer on, and a busy application keeps the
 *       rest;</li>
 *   <li>by the number of callers waiting for a reply, the spinning ones included: no more than
 *       may spin. More waiting than that means an application busy on many threads, where a
 *       spin takes a core from the threads that do its work, from Lettuce's I/O thread and
 *       from a local Redis, which must run for the reply to come at all; and where the
 *       hand-off it saves is cheaper, the cores being awake. Measured on 2 cores
 *       ({@code ConcurrentSplit hits}, threads each with 0 to 200 µs of work per hit): spinning
 *       whenever a spinner's place was free cost 6 to 16 % of the requests per second with 4
 *       and 8 threads; with this limit the ratios scatter around 1 from 4 threads on, and one thread
 *       alone still gains 10 to 95 %;</li>
 *   <li>by its fruit: after {@link #FRUITLESS_LIMIT} spins in a row that ran out before the
 *       reply, nobody spins for a while, {@link #MIN_QUIET} at first, twice as long each time
 *       the next spins bear no fruit either, up to {@link #MAX_QUIET}; a spin that gets its
 *       reply starts over. A remote Redis, whose round trip is longer than the budget, so
 *       costs a few spins a second; a local one that is slow for a moment (its core taken by
 *       another process, measured in bursts of up to ~1 700 replies) soon spins again.</li>
 * </ul>
 */
final class SpinWait {

    /** What one call did. */
    enum Outcome {
        /** The future completed while spinning: no park needed. */
        DONE,
        /** The budget ran out first: the caller parks. */
        EXPIRED,
        /** No spin: off, too many spinning, or quiet after fruitless spins. */
        SKIPPED
    }

    /** Fruitless spins in a row after which nobody spins for a while. */
    static final int FRUITLESS_LIMIT = 8;
    /** The first pause of the spinning after fruitless spins; each next one is twice as long. */
    static final Duration MIN_QUIET = Duration.ofMillis(10);
    /** The longest pause of the spinning. */
    static final Duration MAX_QUIET = Duration.ofSeconds(1);

    private final long budgetNanos;
    private final int maxSpinners;
    private final LongSupplier nanoClock;
    private final AtomicInteger spinners = new AtomicInteger();
    /** Callers between {@link #waiting()} and {@link #done()}. */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Fruitless spins in a row (races lose a count at worst: a hint, not an invariant). */
    private volatile int fruitless;
    /** Until when (nano clock) nobody spins; in the past at first. */
    private volatile long quietUntil;
    /** How long the next pause lasts: {@link #MIN_QUIET} after a fruitful spin, doubling up to {@link #MAX_QUIET}. */
    private volatile long quietNanos = MIN_QUIET.toNanos();

    /**
     * @param budget      the longest one spin lasts; zero: never spin
     * @param maxSpinners the most threads spinning at once; zero: never spin
     * @param nanoClock   {@link System#nanoTime} (tests move it)
     */
    SpinWait(Duration budget, int maxSpinners, LongSupplier nanoClock) {
        if (budget.isNegative() || maxSpinners < 0) {
            throw new IllegalArgumentException("spin budget and spinners must not be negative");
        }
        this.budgetNanos = budget.toNanos();
        this.maxSpinners = maxSpinners;
        this.nanoClock = nanoClock;
        this.quietUntil = nanoClock.getAsLong();
    }

    /** A spin of {@code budget} for at most half this machine's cores. */
    static SpinWait of(Duration budget) {
        return new SpinWait(budget, Runtime.getRuntime().availableProcessors() / 2, System::nanoTime);
    }

    /** Counts the caller as waiting for a reply, until its {@link #done()}. */
    void waiting() {
        waiting.incrementAndGet();
    }

    /** Ends the caller's {@link #waiting()}, once its reply came or its wait failed. */
    void done() {
        waiting.decrementAndGet();
    }

    /**
     * Spins until {@code f} is done or the budget runs out, whichever comes first; the caller
     * then waits on {@code f} as it would have anyway. Never throws, never blocks beyond the budget.
     */
    Outcome spin(Future<?> f) {
        return spin(f::isDone);
    }

    /** {@link #spin(Future)} until {@code done} says so: a reply readable on a socket ({@link ThreadLanes}). */
    Outcome spin(BooleanSupplier done) {
        if (done.getAsBoolean()) {
            return Outcome.DONE;
        }
        if (budgetNanos == 0) {
            return Outcome.SKIPPED;
        }
        long start = nanoClock.getAsLong();
        if (start - quietUntil < 0 || waiting.get() > maxSpinners) {
            return Outcome.SKIPPED;
        }
        if (spinners.incrementAndGet() > maxSpinners) {
            spinners.decrementAndGet();
            return Outcome.SKIPPED;
        }
        try {
            while (!done.getAsBoolean()) {
                long now = nanoClock.getAsLong();
                if (now - start >= budgetNanos) {
                    if (++fruitless >= FRUITLESS_LIMIT) {
                        long quiet = quietNanos;
                        quietUntil = now + quiet;
                        quietNanos = Math.min(2 * quiet, MAX_QUIET.toNanos());
                        fruitless = 0;
                    }
                    return Outcome.EXPIRED;
                }
                Thread.onSpinWait();
            }
            if (fruitless != 0) {
                fruitless = 0;
            }
            if (quietNanos != MIN_QUIET.toNanos()) {
                quietNanos = MIN_QUIET.toNanos();
            }
            return Outcome.DONE;
        } finally {
            spinners.decrementAndGet();
        }
    }

    /** Callers waiting now (tests). */
    int waiters() {
        return waiting.get();
    }

    /** Threads spinning now (tests). */
    int spinners() {
        return spinners.get();
    }
}

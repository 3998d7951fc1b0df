package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.store.SpinWait.Outcome;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A caller spins for its reply within its budget, with few others spinning or waiting, and stops where spinning bears no fruit. */
@org.junit.jupiter.api.Timeout(60)
class SpinWaitTest {

    private static final Duration BUDGET = Duration.ofNanos(100_000);

    /** A nano clock that moves only when told to, or by {@code step} on every read. */
    private static final class Clock {
        final AtomicLong now = new AtomicLong(1_000_000_000L);
        volatile long step;

        long read() {
            return now.addAndGet(step);
        }
    }

    /** Spins on a future that never completes, the clock moving 1 µs a read: the budget runs out. */
    private static Outcome fruitless(SpinWait spin, Clock clock) {
        clock.step = 1_000;
        try {
            return spin.spin(new CompletableFuture<>());
        } finally {
            clock.step = 0;
        }
    }

    /** Has {@code caller} spin for {@code reply}; returns once it is spinning. */
    private static Future<Outcome> spinning(ExecutorService caller, SpinWait spin, CompletableFuture<String> reply) {
        Future<Outcome> outcome = caller.submit(() -> spin.spin(reply));
        while (spin.spinners() == 0) {
            Thread.onSpinWait();
        }
        return outcome;
    }

    @Test
    void aReplyThatComesWhileSpinningIsTakenWithoutParking() throws Exception {
        // the real clock and a budget no test run reaches: the spin ends when the reply comes
        SpinWait spin = new SpinWait(Duration.ofMinutes(5), 1, System::nanoTime);
        CompletableFuture<String> reply = new CompletableFuture<>();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> outcome = spinning(caller, spin, reply);
            assertThat(outcome).isNotDone();
            reply.complete("OK");
            assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
            assertThat(spin.spinners()).isZero();
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void theSpinEndsAtItsBudget() {
        Clock clock = new Clock();
        SpinWait spin = new SpinWait(BUDGET, 1, clock::read);
        long start = clock.now.get();
        assertThat(fruitless(spin, clock)).isEqualTo(Outcome.EXPIRED);
        // the budget, and not much more: one clock step of 1 µs past it
        assertThat(clock.now.get() - start).isBetween(BUDGET.toNanos(), BUDGET.toNanos() + 3_000);
        assertThat(spin.spinners()).isZero();
    }

    @Test
    void aDoneFutureNeedsNoSpin() {
        SpinWait spin = new SpinWait(Duration.ZERO, 0, System::nanoTime);
        assertThat(spin.spin(CompletableFuture.completedFuture(1))).isEqualTo(Outcome.DONE);
        assertThat(spin.spin(CompletableFuture.failedFuture(new RuntimeException()))).isEqualTo(Outcome.DONE);
    }

    @Test
    void noBudgetOrNoSpinnerAllowedMeansNoSpin() {
        Clock clock = new Clock();
        assertThat(fruitless(new SpinWait(Duration.ZERO, 4, clock::read), clock)).isEqualTo(Outcome.SKIPPED);
        assertThat(fruitless(new SpinWait(BUDGET, 0, clock::read), clock)).isEqualTo(Outcome.SKIPPED);
        assertThatThrownBy(() -> new SpinWait(Duration.ofNanos(-1), 1, clock::read))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new SpinWait(BUDGET, -1, clock::read)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void atMostTheAllowedThreadsSpinAtOnce() throws Exception {
        SpinWait spin = new SpinWait(Duration.ofMinutes(5), 1, System::nanoTime);
        CompletableFuture<String> first = new CompletableFuture<>();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> firstOutcome = spinning(caller, spin, first);
            // the one allowed spinner is busy: this caller parks at once rather than spin too
            assertThat(spin.spin(new CompletableFuture<>())).isEqualTo(Outcome.SKIPPED);
            first.complete("OK");
            assertThat(firstOutcome.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
            // the place is free again
            CompletableFuture<String> second = new CompletableFuture<>();
            Future<Outcome> next = spinning(caller, spin, second);
            second.complete("OK");
            assertThat(next.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.DONE);
        } finally {
            caller.shutdownNow();
        }
    }

    @Test
    void noSpinWhileMoreCallersWaitThanMaySpin() {
        Clock clock = new Clock();
        SpinWait spin = new SpinWait(BUDGET, 1, clock::read);
        spin.waiting(); // another caller, parked for its reply
        spin.waiting(); // this one
        assertThat(fruitless(spin, clock)).isEqualTo(Outcome.SKIPPED);
        spin.done(); // the other's reply came
        assertThat(fruitless(spin, clock)).isEqualTo(Outcome.EXPIRED);
        spin.done();
        assertThat(spin.waiters()).isZero();

        // where two may spin, two waiting spin, a third does not
        SpinWait two = new SpinWait(BUDGET, 2, clock::read);
        two.waiting();
        two.waiting();
        assertThat(fruitless(two, clock)).isEqualTo(Outcome.EXPIRED);
        two.waiting();
        assertThat(fruitless(two, clock)).isEqualTo(Outcome.SKIPPED);
    }

    /** Spins on futures that never complete until the spinning pauses; asserts it took exactly the limit. */
    private static void untilQuiet(SpinWait spin, Clock clock) {
        for (int i = 0; i < SpinWait.FRUITLESS_LIMIT; i++) {
            assertThat(fruitless(spin, clock)).as("spin %d", i).isEqualTo(Outcome.EXPIRED);
        }
        assertThat(fruitless(spin, clock)).as("quiet after %d", SpinWait.FRUITLESS_LIMIT).isEqualTo(Outcome.SKIPPED);
    }

    /** Moves the clock to just before and just after a pause of {@code quiet} that began about now. */
    private static void pauseLasts(SpinWait spin, Clock clock, Duration quiet) {
        clock.now.addAndGet(quiet.toNanos() - 20_000);
        assertThat(fruitless(spin, clock)).as("still quiet within %s", quiet).isEqualTo(Outcome.SKIPPED);
        clock.now.addAndGet(40_000);
    }

    @Test
    void fruitlessSpinsInARowPauseEveryoneSpinningLongerEachTime() {
        Clock clock = new Clock();
        SpinWait spin = new SpinWait(BUDGET, 1, clock::read);
        untilQuiet(spin, clock);
        pauseLasts(spin, clock, SpinWait.MIN_QUIET);
        // tried again, and fruitless again: the next pause is twice as long
        untilQuiet(spin, clock);
        pauseLasts(spin, clock, SpinWait.MIN_QUIET.multipliedBy(2));
        for (int i = 0; i < 20; i++) {
            untilQuiet(spin, clock);
            clock.now.addAndGet(SpinWait.MAX_QUIET.toNanos() + 40_000);
        }
        untilQuiet(spin, clock);
        pauseLasts(spin, clock, SpinWait.MAX_QUIET);
        assertThat(fruitless(spin, clock)).as("tried again after the longest pause").isEqualTo(Outcome.EXPIRED);
    }

    @Test
    void aFruitfulSpinMakesTheNextPauseShortAgain() {
        Clock clock = new Clock();
        SpinWait spin = new SpinWait(BUDGET, 1, clock::read);
        for (int i = 0; i < 3; i++) {
            untilQuiet(spin, clock);
            clock.now.addAndGet(SpinWait.MAX_QUIET.toNanos() + 40_000);
        }
        assertThat(spin.spin(answeredOnSecondLook())).isEqualTo(Outcome.DONE);
        untilQuiet(spin, clock);
        pauseLasts(spin, clock, SpinWait.MIN_QUIET);
        assertThat(fruitless(spin, clock)).isEqualTo(Outcome.EXPIRED);
    }

    /** A reply that comes on a spin's first look (the look before the spin finds it pending). */
    private static CompletableFuture<String> answeredOnSecondLook() {
        return new CompletableFuture<>() {
            private int looks;

            @Override
            public boolean isDone() {
                return ++looks > 1;
            }
        };
    }

    @Test
    void aFruitfulSpinStartsTheCountAgain() {
        Clock clock = new Clock();
        SpinWait spin = new SpinWait(BUDGET, 1, clock::read);
        for (int i = 0; i < SpinWait.FRUITLESS_LIMIT - 1; i++) {
            assertThat(fruitless(spin, clock)).isEqualTo(Outcome.EXPIRED);
        }
        assertThat(spin.spin(answeredOnSecondLook())).isEqualTo(Outcome.DONE);
        for (int i = 0; i < SpinWait.FRUITLESS_LIMIT - 1; i++) {
            assertThat(fruitless(spin, clock)).as("spin %d after the fruitful one", i).isEqualTo(Outcome.EXPIRED);
        }
    }
}

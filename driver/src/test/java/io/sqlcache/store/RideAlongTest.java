package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Commands wait for company, leave with it or alone, and none is lost or sent twice. */
class RideAlongTest {

    /** A tick no test waits for: a command then leaves only when taken or at close. */
    private static final Duration NEVER = Duration.ofHours(1);
    private static final Duration TICK = Duration.ofMillis(1);

    private final BlockingQueue<List<String>> sentAlone = new LinkedBlockingQueue<>();

    private List<String> nextSentAlone() throws InterruptedException {
        List<String> batch = sentAlone.poll(10, TimeUnit.SECONDS);
        assertThat(batch).as("a batch sent alone within 10 s").isNotNull();
        return batch;
    }

    @Test
    void takeAllHandsOverWhatWaitsOldestFirstAndLeavesNothing() {
        try (RideAlong<String> r = new RideAlong<>("test-ride", NEVER, sentAlone::add)) {
            assertThat(r.takeAll()).isEmpty();
            r.add("a");
            r.add("b");
            r.add("c");
            assertThat(r.takeAll()).containsExactly("a", "b", "c");
            assertThat(r.takeAll()).isEmpty();
        }
        // close found nothing left to send
        assertThat(sentAlone).isEmpty();
    }

    @Test
    void aCommandNobodyTakesLeavesAloneOnTheThread() throws Exception {
        try (RideAlong<String> r = new RideAlong<>("test-ride", TICK, sentAlone::add)) {
            r.add("a");
            assertThat(nextSentAlone()).containsExactly("a");
            assertThat(r.takeAll()).isEmpty();
        }
    }

    @Test
    void closeSendsWhatWaitsAndAnAddAfterCloseLeavesAtOnce() {
        RideAlong<String> r = new RideAlong<>("test-ride", NEVER, sentAlone::add);
        r.add("a");
        r.add("b");
        r.close();
        assertThat(sentAlone.poll()).containsExactly("a", "b");
        r.add("c");
        assertThat(sentAlone.poll()).containsExactly("c");
        r.close();
        assertThat(sentAlone).isEmpty();
    }

    @Test
    void theThreadStopsTickingWhenIdleAndAnAddWakesIt() throws Exception {
        try (RideAlong<String> r = new RideAlong<>("test-ride", TICK, sentAlone::add)) {
            assertThat(r.ticking()).as("no thread before the first command").isFalse();
            r.add("a");
            assertThat(nextSentAlone()).containsExactly("a");
            // IDLE_TICKS empty ticks of 1 ms, then it sleeps; bounded generously for a loaded machine
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (r.ticking() && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling for a condition, bounded by the deadline
            }
            assertThat(r.ticking()).as("asleep after " + RideAlong.IDLE_TICKS + " empty ticks").isFalse();
            r.add("b");
            assertThat(nextSentAlone()).containsExactly("b");
        }
    }

    @Test
    void underConcurrentAddsAndTakesEveryCommandLeavesExactlyOnce() throws Exception {
        List<String> delivered = Collections.synchronizedList(new ArrayList<>());
        int adders = 4;
        int each = 20_000;
        RideAlong<String> r = new RideAlong<>("test-ride", TICK, delivered::addAll);
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean adding = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        for (int a = 0; a < adders; a++) {
            int id = a;
            threads.add(new Thread(() -> {
                await(start);
                for (int i = 0; i < each; i++) {
                    r.add(id + ":" + i);
                }
            }));
        }
        Thread taker = new Thread(() -> {
            await(start);
            while (adding.get()) {
                delivered.addAll(r.takeAll());
            }
        });
        threads.forEach(Thread::start);
        taker.start();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        adding.set(false);
        taker.join();
        r.close();

        // none lost, none sent twice: the thread and the taker never hold the same command
        assertThat(delivered).hasSize(adders * each);
        assertThat(new HashSet<>(delivered)).hasSize(adders * each);
    }

    @Test
    void aCommandSentWithWhatWaitsNeverOvertakesWhatTheThreadIsSending() throws Exception {
        List<String> wire = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch threadSending = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (RideAlong<String> r = new RideAlong<>("test-ride", TICK, batch -> {
            threadSending.countDown();
            await(release); // the thread has taken the SET and not written it yet
            wire.addAll(batch);
        })) {
            r.add("set");
            assertThat(threadSending.await(10, TimeUnit.SECONDS)).as("the thread took the SET").isTrue();
            Thread caller = new Thread(() -> r.sendWith(batch -> {
                wire.addAll(batch);
                wire.add("lookup");
            }));
            caller.start();
            // the race made on purpose: the caller's lookup is ready while the SET is not written
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (caller.getState() != Thread.State.BLOCKED && caller.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            release.countDown();
            caller.join(10_000);
            assertThat(wire).as("the SET leaves first").containsExactly("set", "lookup");
        }
    }

    @Test
    void rejectsANonPositiveTickAndNullArguments() {
        assertThatThrownBy(() -> new RideAlong<String>("t", Duration.ZERO, b -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tick");
        assertThatThrownBy(() -> new RideAlong<String>(null, TICK, b -> { })).isInstanceOf(NullPointerException.class);
        try (RideAlong<String> r = new RideAlong<>("t", NEVER, b -> { })) {
            assertThatThrownBy(() -> r.add(null)).isInstanceOf(NullPointerException.class);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

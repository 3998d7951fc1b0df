package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.testing.RedisServerProcess;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A private Redis that dies, restarts and freezes: every call fails fast with StoreException,
 * never hangs, and the store comes back by itself (I4).
 */
class RedisStoreFailureIT {

    /** Where a hang would be the 60 s of a default socket timeout, a failure must take less. */
    private static final long FAST_MS = 3_000;
    private static final long RECOVERY_MS = 15_000;

    private final String prefix = "sqlcache-test-" + UUID.randomUUID() + ":";
    private final List<String> versions = List.of(prefix + "t:a");
    private final RedisServerProcess redis = RedisServerProcess.start();

    @AfterEach
    void stop() {
        redis.close();
    }

    @FunctionalInterface
    private interface StoreCall {
        void run() throws StoreException;
    }

    /** Asserts that the call throws StoreException within {@link #FAST_MS}; returns it. */
    private static StoreException failsFast(StoreCall call) {
        long start = System.nanoTime();
        StoreException thrown = null;
        try {
            call.run();
        } catch (StoreException e) {
            thrown = e;
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(thrown).as("a StoreException").isNotNull();
        assertThat(ms).as("milliseconds until the failure").isLessThan(FAST_MS);
        return thrown;
    }

    /** Polls until the call succeeds, failing after {@link #RECOVERY_MS}. */
    private static void eventuallySucceeds(StoreCall call) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RECOVERY_MS);
        StoreException last = null;
        while (System.nanoTime() < deadline) {
            try {
                call.run();
                return;
            } catch (StoreException e) {
                last = e;
            }
            Thread.sleep(50); // polling for a condition, bounded by the deadline
        }
        throw new AssertionError("store did not recover within " + RECOVERY_MS + " ms", last);
    }

    private void roundTrip(CacheStore store) throws StoreException {
        store.put(prefix + "q", new byte[] {42}, 60);
        CacheStore.Lookup l = store.lookup(prefix + "q", versions);
        assertThat(l.entry()).containsExactly(42);
    }

    @Test
    void constructedWhileDownThenWorksOnceTheServerIsUp() throws Exception {
        redis.kill();
        try (RedisStore store = new RedisStore(redis.uri(), prefix)) {
            StoreException e = failsFast(() -> store.lookup(prefix + "q", versions));
            assertThat(e.getMessage()).contains("127.0.0.1:" + redis.port());
            failsFast(() -> store.put(prefix + "q", new byte[] {1}, 60));
            failsFast(() -> store.bump(versions));
            redis.restart();
            eventuallySucceeds(() -> roundTrip(store));
        }
    }

    @Test
    void killedMidUseFailsFastThenReconnects() throws Exception {
        try (RedisStore store = new RedisStore(redis.uri(), prefix)) {
            roundTrip(store);
            long before = store.lookup(prefix + "q", versions).versions()[0];
            redis.kill();
            failsFast(() -> store.lookup(prefix + "q", versions));
            failsFast(() -> store.lookup(prefix + "q", versions));
            redis.restart();
            eventuallySucceeds(() -> roundTrip(store));
            // the restarted server lost everything: the version is a new random one, not 0
            assertThat(store.lookup(prefix + "q", versions).versions()[0]).isNotEqualTo(before).isNotZero();
        }
    }

    @Test
    void pausedServerTimesOutEachCallThenWorksAfterResume() throws Exception {
        try (RedisStore store = new RedisStore(redis.uri(), prefix)) {
            roundTrip(store);
            redis.pause();
            for (int i = 0; i < 3; i++) {
                StoreException e = failsFast(() -> store.lookup(prefix + "q", versions));
                assertThat(e.getMessage()).contains("timed out");
            }
            failsFast(() -> store.put(prefix + "q", new byte[] {1}, 60));
            failsFast(() -> store.bump(versions));
            // a wait that timed out no longer counts against the spin (SpinWait)
            assertThat(store.waiters()).as("callers counted as waiting").isZero();
            redis.resume();
            eventuallySucceeds(() -> roundTrip(store));
            assertThat(store.waiters()).as("callers counted as waiting").isZero();
        }
    }

    @Test
    void lookupAsyncOfAPausedOrDeadServerFailsWithStoreExceptionInBoundedTime() throws Exception {
        pausedThenDeadFailsFast(store -> () -> asyncLookup(store));
    }

    @Test
    void asyncPutOfAPausedOrDeadServerFailsWithStoreExceptionInBoundedTime() throws Exception {
        // connected first (roundTrip): the put then waits to leave with a later command, or alone
        pausedThenDeadFailsFast(store -> () -> asyncPut(store));
    }

    /** An asynchronous call times out on a paused server, works after it resumes, fails fast on a dead one. */
    private void pausedThenDeadFailsFast(java.util.function.Function<RedisStore, StoreCall> asyncCall) throws Exception {
        try (RedisStore store = new RedisStore(redis.uri(), prefix)) {
            StoreCall call = asyncCall.apply(store);
            roundTrip(store);
            redis.pause();
            StoreException e = failsFast(call);
            assertThat(e.getMessage()).contains("timed out");
            redis.resume();
            eventuallySucceeds(call);
            redis.kill();
            failsFast(call);
        }
    }

    /** An async put awaited by the test: its failure as the StoreException it carries. */
    private void asyncPut(RedisStore store) throws StoreException {
        await(store.putAsync(prefix + "q", new byte[] {1}, 60));
    }

    /** The async lookup awaited by the test (never by the store): its failure as the StoreException it carries. */
    private void asyncLookup(RedisStore store) throws StoreException {
        await(store.lookupAsync(prefix + "q", versions));
    }

    /** Waits for a store's stage; its failure is the StoreException it carries. */
    private static void await(java.util.concurrent.CompletionStage<?> stage) throws StoreException {
        try {
            stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StoreException.class);
            throw (StoreException) e.getCause();
        } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the stage was never completed", e);
        }
    }

    @Test
    void interruptedCallerGetsStoreExceptionAndKeepsItsInterruptFlag() throws Exception {
        try (RedisStore store = new RedisStore(redis.uri(), prefix)) {
            roundTrip(store);
            redis.pause();
            Thread.currentThread().interrupt();
            try {
                StoreException e = failsFast(() -> store.lookup(prefix + "q", versions));
                assertThat(e.getMessage()).contains("interrupted");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            redis.resume();
            eventuallySucceeds(() -> roundTrip(store));
        }
    }

    @Test
    void throughStoresTheBreakerSkipsADeadServerAndRecoversByItself() throws Exception {
        Duration open = Duration.ofMillis(500);
        try (CacheStore store = Stores.open(redis.uri(), prefix, Duration.ofMillis(200), open)) {
            roundTrip(store);
            assertThat(store.describe()).contains("circuit closed");
            redis.kill();
            StoreException first = failsFast(() -> store.lookup(prefix + "q", versions));
            assertThat(first.getMessage()).doesNotContain("circuit open");
            // now skipped without a network call: the breaker's own message, at once
            for (int i = 0; i < 100; i++) {
                StoreException skipped = failsFast(() -> store.lookup(prefix + "q", versions));
                assertThat(skipped.getMessage()).isEqualTo("store unavailable (circuit open)");
            }
            assertThat(store.describe()).contains("circuit open");
            redis.restart();
            eventuallySucceeds(() -> roundTrip(store));
            assertThat(store.describe()).contains("circuit closed");
        }
    }

    @Test
    void storesSharesOneStorePerConfigurationUntilTheLastHandleCloses() throws Exception {
        Duration t = Duration.ofMillis(200);
        Duration open = Duration.ofSeconds(30);
        CacheStore a = Stores.open(redis.uri(), prefix, t, open);
        CacheStore b = Stores.open(redis.uri(), prefix, t, open);
        try {
            roundTrip(a);
            redis.kill();
            failsFast(() -> a.lookup(prefix + "q", versions));
            // one breaker for both handles: b is skipped because a failed
            StoreException e = failsFast(() -> b.lookup(prefix + "q", versions));
            assertThat(e.getMessage()).isEqualTo("store unavailable (circuit open)");
            a.close();
            a.close();
            assertThatThrownBy(() -> a.lookup(prefix + "q", versions)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("closed");
            // b still holds the shared store, breaker and all
            assertThat(b.describe()).contains("circuit open");
        } finally {
            a.close();
            b.close();
        }
        redis.restart();
        // the last close released the shared store: a new open starts afresh, breaker closed
        try (CacheStore c = Stores.open(redis.uri(), prefix, t, open)) {
            assertThat(c.describe()).contains("circuit closed");
            roundTrip(c);
        }
    }

    @Test
    void withoutAUriStoresGivesTheSharedInProcessStore() {
        assertThat(Stores.open(null, prefix, Duration.ofMillis(200), Duration.ofSeconds(1)))
                .isSameAs(InProcessStore.shared());
        assertThat(Stores.open("  ", prefix, Duration.ofMillis(200), Duration.ofSeconds(1)))
                .isSameAs(InProcessStore.shared());
    }
}

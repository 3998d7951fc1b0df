package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sqlcache.testing.LogRecorder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CircuitBreakerStoreTest {

    private static final Duration OPEN = Duration.ofSeconds(1);

    /** The one fake allowed: a delegate whose failure and blocking the test controls. */
    private static final class FakeStore implements CacheStore {
        final AtomicInteger calls = new AtomicInteger();
        volatile boolean failing;
        volatile RuntimeException unchecked;
        volatile CountDownLatch entered;
        volatile CountDownLatch release;
        boolean closed;

        @Override
        public long[] versions(List<String> versionKeys) throws StoreException {
            return lookup("", versionKeys).versions();
        }

        @Override
        public Lookup lookup(String entryKey, List<String> versionKeys) throws StoreException {
            calls.incrementAndGet();
            if (unchecked != null) {
                throw unchecked;
            }
            CountDownLatch r = release;
            if (r != null) {
                entered.countDown();
                try {
                    if (!r.await(10, TimeUnit.SECONDS)) {
                        throw new StoreException("test never released the trial");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StoreException("interrupted", e);
                }
            }
            if (failing) {
                throw new StoreException("fake failure");
            }
            return new Lookup(null, new long[versionKeys.size()]);
        }

        @Override
        public void put(String entryKey, byte[] value, int ttlSeconds) throws StoreException {
            lookup(entryKey, List.of());
        }

        @Override
        public void mark(List<String> versionKeys, String sequenceKey, String writer, long leaseMillis)
                throws StoreException {
            lookup("", versionKeys);
        }

        @Override
        public void settle(List<String> versionKeys, String sequenceKey, String writer) throws StoreException {
            lookup("", List.of());
        }

        @Override
        public void flushAll() throws StoreException {
            lookup("", List.of());
        }

        @Override
        public Usage usage() throws StoreException {
            lookup("", List.of());
            return new Usage(0, 0, true);
        }

        @Override
        public String describe() {
            return "fake";
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private final AtomicLong clock = new AtomicLong(123_456_789L);
    private final FakeStore fake = new FakeStore();
    private final CircuitBreakerStore breaker = new CircuitBreakerStore(fake, OPEN, clock::get);
    private ExecutorService pool;
    /** Every test here fails the store on purpose: what the breaker logs is recorded, not printed. */
    private final LogRecorder log = LogRecorder.of(CircuitBreakerStore.class);

    @AfterEach
    void stopPool() {
        if (pool != null) {
            pool.shutdownNow();
        }
        log.close();
    }

    private void advance(Duration d) {
        clock.addAndGet(d.toNanos());
    }

    private void openIt() {
        fake.failing = true;
        assertThatThrownBy(() -> breaker.lookup("q", List.of())).hasMessage("fake failure");
    }

    @Test
    void closedPassesCallsThrough() throws Exception {
        breaker.lookup("q", List.of("a"));
        breaker.put("q", new byte[0], 1);
        breaker.bump(List.of("a"));
        breaker.flushAll();
        assertThat(fake.calls).hasValue(4);
        assertThat(breaker.isOpen()).isFalse();
        assertThat(breaker.state()).isEqualTo("closed");
    }

    @Test
    void lookupAsyncFollowsTheSameBreaker() throws Exception {
        fake.failing = true;
        assertThat(breaker.lookupAsync("q", List.of()).toCompletableFuture())
                .failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(StoreException.class);
        assertThat(breaker.isOpen()).as("an async failure opens").isTrue();
        fake.failing = false;
        int before = fake.calls.get();
        assertThat(breaker.lookupAsync("q", List.of()).toCompletableFuture())
                .failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withMessageContaining("circuit open");
        assertThat(fake.calls.get()).as("open: the delegate is not asked").isEqualTo(before);
        advance(OPEN);
        assertThat(breaker.lookupAsync("q", List.of("a")).toCompletableFuture().get().versions()).hasSize(1);
        assertThat(breaker.isOpen()).as("the trial's success closes").isFalse();
    }

    @Test
    void failureOpensAndOpenFailsFastWithoutCallingTheDelegate() {
        openIt();
        assertThat(breaker.isOpen()).isTrue();
        assertThat(breaker.state()).isEqualTo("open");
        fake.failing = false;
        int before = fake.calls.get();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> breaker.lookup("q", List.of())).isInstanceOf(StoreException.class)
                    .hasMessage("store unavailable (circuit open)");
            assertThatThrownBy(() -> breaker.bump(List.of("a"))).hasMessage("store unavailable (circuit open)");
        }
        advance(OPEN.minusMillis(1));
        assertThatThrownBy(() -> breaker.put("q", new byte[0], 1)).hasMessage("store unavailable (circuit open)");
        assertThat(fake.calls).hasValue(before);
    }

    @Test
    void successfulTrialAfterTheOpenPeriodCloses() throws Exception {
        openIt();
        fake.failing = false;
        advance(OPEN);
        assertThat(breaker.state()).startsWith("open (next call is a trial)");
        breaker.lookup("q", List.of());
        assertThat(breaker.isOpen()).isFalse();
        breaker.lookup("q", List.of());
        assertThat(fake.calls).hasValue(3);
    }

    @Test
    void anOutageLogsOneWarningWhenItOpensAndOneInfoWhenItCloses() throws Exception {
        openIt();
        List<LogRecord> warnings = log.at(Level.WARNING);
        assertThat(warnings).hasSize(1);
        assertThat(warnings.get(0).getMessage()).contains("fake", "circuit open", "fake failure");
        assertThat(warnings.get(0).getThrown()).as("one readable line: the trace is at DEBUG").isNull();
        assertThat(log.at(Level.FINE)).anySatisfy(r -> assertThat(r.getThrown()).hasMessage("fake failure"));

        for (int i = 0; i < 3; i++) {
            // skipped while open, then a failed trial: the same outage, so nothing above DEBUG
            assertThatThrownBy(() -> breaker.lookup("q", List.of())).hasMessage("store unavailable (circuit open)");
            advance(OPEN);
            assertThatThrownBy(() -> breaker.lookup("q", List.of())).hasMessage("fake failure");
        }
        fake.unchecked = new IllegalStateException("a bug in the store");
        advance(OPEN);
        assertThatThrownBy(() -> breaker.lookup("q", List.of())).isInstanceOf(StoreException.class);
        fake.unchecked = null;
        assertThat(log.at(Level.WARNING)).as("one warning per opening, not per failure").hasSize(1);
        assertThat(log.at(Level.INFO)).isEmpty();

        fake.failing = false;
        advance(OPEN);
        breaker.lookup("q", List.of());
        assertThat(log.at(Level.INFO)).singleElement()
                .satisfies(r -> assertThat(r.getMessage()).contains("answers again", "circuit closed"));
        breaker.lookup("q", List.of());
        assertThat(log.at(Level.INFO)).as("closed stays closed without another line").hasSize(1);

        // the next outage is news again
        fake.failing = true;
        assertThatThrownBy(() -> breaker.lookupAsync("q", List.of()).toCompletableFuture().join())
                .hasRootCauseMessage("fake failure");
        assertThat(log.at(Level.WARNING)).hasSize(2);
    }

    @Test
    void failedTrialReopensForAFullPeriod() {
        openIt();
        advance(OPEN);
        assertThatThrownBy(() -> breaker.lookup("q", List.of())).hasMessage("fake failure");
        assertThat(breaker.isOpen()).isTrue();
        int calls = fake.calls.get();
        advance(OPEN.minusMillis(1));
        assertThatThrownBy(() -> breaker.lookup("q", List.of())).hasMessage("store unavailable (circuit open)");
        assertThat(fake.calls).hasValue(calls);
        advance(Duration.ofMillis(1));
        fake.failing = false;
        assertThat(breaker.isOpen()).isTrue();
        try {
            breaker.lookup("q", List.of());
        } catch (StoreException e) {
            throw new AssertionError("the second trial should have passed", e);
        }
        assertThat(breaker.isOpen()).isFalse();
    }

    @Test
    void halfOpenAdmitsExactlyOneTrialAmongConcurrentCallers() throws Exception {
        openIt();
        fake.failing = false;
        advance(OPEN);
        fake.entered = new CountDownLatch(1);
        fake.release = new CountDownLatch(1);
        int callsBefore = fake.calls.get();
        int threads = 16;
        pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            results.add(pool.submit(() -> {
                go.await();
                try {
                    breaker.lookup("q", List.of());
                    return "passed";
                } catch (StoreException e) {
                    return e.getMessage();
                }
            }));
        }
        go.countDown();
        assertThat(fake.entered.await(10, TimeUnit.SECONDS)).as("one trial reached the delegate").isTrue();
        // every caller but the trial finishes while the trial is still held inside the delegate
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (results.stream().filter(Future::isDone).count() < threads - 1 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        List<Future<String>> pending = results.stream().filter(f -> !f.isDone()).toList();
        assertThat(pending).hasSize(1);
        for (Future<String> f : results) {
            if (f.isDone()) {
                assertThat(f.get()).isEqualTo("store unavailable (circuit open)");
            }
        }
        assertThat(breaker.state()).isEqualTo("half-open");
        assertThat(fake.calls.get() - callsBefore).isEqualTo(1);
        fake.release.countDown();
        assertThat(pending.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("passed");
        assertThat(breaker.isOpen()).isFalse();
    }

    @Test
    void runtimeExceptionFromTheDelegateBecomesStoreExceptionAndOpens() {
        fake.unchecked = new IllegalStateException("boom");
        assertThatThrownBy(() -> breaker.lookup("q", List.of())).isInstanceOf(StoreException.class)
                .hasMessageContaining("boom");
        assertThat(breaker.isOpen()).isTrue();
    }

    @Test
    void describeShowsStateAndCloseClosesTheDelegate() {
        openIt();
        assertThat(breaker.describe()).isEqualTo("fake (circuit open)");
        breaker.close();
        assertThat(fake.closed).isTrue();
    }

    @Test
    void rejectsNonPositiveOpenDuration() {
        assertThatThrownBy(() -> new CircuitBreakerStore(fake, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("openDuration");
    }
}

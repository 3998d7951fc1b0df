package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.testing.LogRecorder;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SpareThreadTest {

    /** Offers {@code task} until the thread takes it (it may not be waiting yet; the tests' timeout bounds this). */
    private static void handOver(SpareThread spare, Runnable task) {
        while (!spare.offer(task)) {
            Thread.onSpinWait();
        }
    }

    @Test
    void anIdleThreadRunsTheTaskABusyOneRefusesIt() throws Exception {
        SpareThread spare = new SpareThread("spare-test");
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<String> ranOn = new CompletableFuture<>();
        handOver(spare, () -> {
            ranOn.complete(Thread.currentThread().getName());
            started.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ranOn.get()).isEqualTo("spare-test");

        // busy: refused at once, the caller keeps the task
        boolean[] ran = {false};
        assertThat(spare.offer(() -> ran[0] = true)).isFalse();

        release.countDown();
        CompletableFuture<Boolean> second = new CompletableFuture<>();
        handOver(spare, () -> second.complete(true));
        assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ran[0]).as("a refused task is never run by the spare thread").isFalse();
    }

    @Test
    void aTaskThatThrowsDoesNotEndTheThreadAndIsLoggedWithItsTrace() throws Exception {
        try (LogRecorder log = LogRecorder.of(SpareThread.class)) {
            SpareThread spare = new SpareThread("spare-test-throws");
            handOver(spare, () -> {
                throw new IllegalStateException("on purpose");
            });
            CompletableFuture<String> next = new CompletableFuture<>();
            handOver(spare, () -> next.complete(Thread.currentThread().getName()));
            assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo("spare-test-throws");
            // the thread takes the next task only after logging the failed one
            assertThat(log.at(Level.WARNING)).singleElement()
                    .satisfies(r -> assertThat(r.getThrown()).hasMessage("on purpose"));
        }
    }
}

package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InProcessStoreTest {

    private final AtomicLong now = new AtomicLong();
    private final InProcessStore store = new InProcessStore(1 << 20, now::get, Runnable::run);

    @Test
    void usageCountsEntriesAndAtLeastTheirBytes() {
        assertThat(store.usage().entries()).isZero();
        store.put("q:1", new byte[100], 60);
        store.put("q:2", new byte[300], 60);
        store.lookup("q:1", List.of("t:a"));
        CacheStore.Usage usage = store.usage();
        assertThat(usage.entries()).as("versions are not entries").isEqualTo(2);
        assertThat(usage.bytes()).isGreaterThanOrEqualTo(400);
        assertThat(usage.complete()).isTrue();
    }

    @Test
    void missingVersionIsCreatedOnceAndStaysStable() {
        long first = store.lookup("q:1", List.of("t:a")).versions()[0];
        long again = store.lookup("q:2", List.of("t:a")).versions()[0];
        assertThat(again).isEqualTo(first);
    }

    @Test
    void distinctTablesGetDistinctRandomVersions() {
        long[] v = store.lookup("q:1", List.of("t:a", "t:b", "t:a")).versions();
        assertThat(v[0]).isNotEqualTo(v[1]);
        assertThat(v[2]).isEqualTo(v[0]);
    }

    @Test
    void bumpReplacesTheVersion() {
        long before = store.lookup("q:1", List.of("t:a", "t:b")).versions()[0];
        long untouched = store.lookup("q:1", List.of("t:b")).versions()[0];
        store.bump(List.of("t:a"));
        long[] after = store.lookup("q:1", List.of("t:a", "t:b")).versions();
        assertThat(after[0]).isNotEqualTo(before);
        assertThat(after[1]).isEqualTo(untouched);
    }

    @Test
    void bumpOfAnUnknownKeyCreatesIt() {
        store.bump(List.of("t:new"));
        long v = store.lookup("q", List.of("t:new")).versions()[0];
        assertThat(store.lookup("q", List.of("t:new")).versions()[0]).isEqualTo(v);
    }

    @Test
    void entryRoundTripsAndMissingEntryIsNull() {
        assertThat(store.lookup("q:1", List.of()).entry()).isNull();
        store.put("q:1", new byte[] {1, 2, 3}, 60);
        CacheStore.Lookup l = store.lookup("q:1", List.of());
        assertThat(l.entry()).containsExactly(1, 2, 3);
        assertThat(l.versions()).isEmpty();
    }

    @Test
    void entryExpiresAfterItsOwnTtlAndReadsDoNotExtendIt() {
        store.put("short", new byte[] {1}, 10);
        store.put("long", new byte[] {2}, 100);
        now.addAndGet(TimeUnit.SECONDS.toNanos(9));
        assertThat(store.lookup("short", List.of()).entry()).isNotNull();
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(store.lookup("short", List.of()).entry()).isNull();
        assertThat(store.lookup("long", List.of()).entry()).containsExactly(2);
        now.addAndGet(TimeUnit.SECONDS.toNanos(90));
        assertThat(store.lookup("long", List.of()).entry()).isNull();
    }

    @Test
    void overwriteRestartsTheTtl() {
        store.put("q", new byte[] {1}, 10);
        now.addAndGet(TimeUnit.SECONDS.toNanos(8));
        store.put("q", new byte[] {2}, 10);
        now.addAndGet(TimeUnit.SECONDS.toNanos(8));
        assertThat(store.lookup("q", List.of()).entry()).containsExactly(2);
    }

    @Test
    void totalBytesAreBounded() {
        int size = 10_000;
        long max = 100_000;
        InProcessStore small = new InProcessStore(max, now::get, Runnable::run);
        for (int i = 0; i < 50; i++) {
            small.put("q:" + i, new byte[size], 60);
        }
        small.cleanUp();
        long held = 0;
        for (int i = 0; i < 50; i++) {
            if (small.lookup("q:" + i, List.of()).entry() != null) {
                held++;
            }
        }
        long perEntry = InProcessStore.weight("q:10", new byte[size]);
        assertThat(held).isGreaterThan(0).isLessThanOrEqualTo(max / perEntry);
    }

    @Test
    void anEntryLargerThanTheWholeBudgetIsNotKept() {
        InProcessStore small = new InProcessStore(1000, now::get, Runnable::run);
        small.put("big", new byte[2000], 60);
        small.cleanUp();
        assertThat(small.lookup("big", List.of()).entry()).isNull();
    }

    @Test
    void flushAllDropsEntriesAndVersions() {
        long v = store.lookup("q", List.of("t:a")).versions()[0];
        store.put("q", new byte[] {1}, 60);
        store.flushAll();
        CacheStore.Lookup l = store.lookup("q", List.of("t:a"));
        assertThat(l.entry()).isNull();
        assertThat(l.versions()[0]).isNotEqualTo(v);
    }

    @Test
    void sharedIsOneInstanceThatSurvivesClose() {
        InProcessStore shared = InProcessStore.shared();
        assertThat(InProcessStore.shared()).isSameAs(shared);
        String key = "sqlcache-test-" + System.nanoTime() + ":q";
        shared.put(key, new byte[] {7}, 60);
        shared.close();
        assertThat(InProcessStore.shared().lookup(key, List.of()).entry()).containsExactly(7);
    }
}

package io.sqlcache.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.sqlcache.testing.Await;
import io.sqlcache.testing.RedisServerProcess;
import io.sqlcache.testing.TestEnv;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RedisStore against the shared test Redis (unique prefix per run) and, for command counts, a private one. */
class RedisStoreIT {

    private static RedisClient rawClient;
    private static StatefulRedisConnection<String, String> rawConnection;
    private static RedisCommands<String, String> raw;

    private final String prefix = "sqlcache-test-" + UUID.randomUUID() + ":";
    private final RedisStore store = new RedisStore(TestEnv.REDIS_URL, prefix);

    @BeforeAll
    static void connectRaw() {
        TestEnv.requireRedis();
        rawClient = RedisClient.create(TestEnv.REDIS_URL);
        rawConnection = rawClient.connect();
        raw = rawConnection.sync();
    }

    @AfterAll
    static void closeRaw() {
        rawConnection.close();
        rawClient.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    }

    @AfterEach
    void cleanUp() throws StoreException {
        store.flushAll();
        store.close();
    }

    @Test
    void usageCountsOnlyThisPrefixsEntriesAndTheirBytes() throws StoreException {
        assertThat(store.usage()).isEqualTo(new CacheStore.Usage(0, 0, true));
        for (int i = 0; i < 250; i++) {
            store.put(prefix + "q:u" + i, new byte[i % 7 + 1], 60);
        }
        store.lookup(prefix + "q:u0", List.of(prefix + "v:s.t"));
        long bytes = 0;
        for (int i = 0; i < 250; i++) {
            bytes += i % 7 + 1;
        }
        // the version key made by the lookup is not an entry
        assertThat(store.usage()).isEqualTo(new CacheStore.Usage(250, bytes, true));
    }

    @Test
    void putThenLookupReturnsTheBytesAndTheVersions() throws Exception {
        String entry = prefix + "q:1";
        assertThat(store.lookup(entry, List.of()).entry()).isNull();
        byte[] value = {0, 1, 2, (byte) 0xff, 127, -128};
        store.put(entry, value, 60);
        CacheStore.Lookup l = store.lookup(entry, List.of(prefix + "t:a", prefix + "t:b"));
        assertThat(l.entry()).containsExactly(value);
        assertThat(l.versions()).hasSize(2);
        assertThat(l.versions()[0]).isNotEqualTo(l.versions()[1]);
    }

    @Test
    void lookupAsyncAnswersAsLookupAndCreatesMissingVersionsOnce() throws Exception {
        String entry = prefix + "q:async";
        byte[] value = {9, 8, 7};
        store.put(entry, value, 60);
        List<String> keys = List.of(prefix + "t:x", prefix + "t:y");
        // both version keys are missing: the chained second round trip creates them
        CacheStore.Lookup async = store.lookupAsync(entry, keys).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(async.entry()).containsExactly(value);
        assertThat(raw.get(prefix + "t:x")).isEqualTo(Long.toString(async.versions()[0]));
        assertThat(raw.get(prefix + "t:y")).isEqualTo(Long.toString(async.versions()[1]));
        CacheStore.Lookup blocking = store.lookup(entry, keys);
        assertThat(blocking.versions()).containsExactly(async.versions());
        assertThat(store.lookupAsync(prefix + "q:absent", keys).toCompletableFuture().get(10, TimeUnit.SECONDS).entry())
                .isNull();
    }

    @Test
    void putSetsTheTtl() throws Exception {
        String entry = prefix + "q:ttl";
        store.put(entry, new byte[] {1}, 37);
        long pttl = raw.pttl(entry);
        assertThat(pttl).isPositive().isLessThanOrEqualTo(37_000);
        assertThat(raw.ttl(prefix + "missing")).isEqualTo(-2);
    }

    @Test
    void versionKeysHaveNoTtlAndHoldDecimalStrings() throws Exception {
        String key = prefix + "t:a";
        long v = store.lookup(prefix + "q", List.of(key)).versions()[0];
        assertThat(raw.get(key)).isEqualTo(Long.toString(v));
        assertThat(raw.ttl(key)).isEqualTo(-1);
        store.bump(List.of(key));
        assertThat(raw.ttl(key)).isEqualTo(-1);
    }

    @Test
    void missingVersionIsCreatedOnceAndConcurrentLookupsAgree() throws Exception {
        String key = prefix + "t:contended";
        int threads = 32;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        // two stores: two connections, so creators really race in Redis, not only in one pipeline
        try (RedisStore other = new RedisStore(TestEnv.REDIS_URL, prefix)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> results = new java.util.ArrayList<>();
            for (int i = 0; i < threads; i++) {
                RedisStore s = i % 2 == 0 ? store : other;
                results.add(pool.submit(() -> {
                    go.await();
                    return s.lookup(prefix + "q", List.of(key)).versions()[0];
                }));
            }
            go.countDown();
            Set<Long> seen = new HashSet<>();
            for (Future<Long> f : results) {
                seen.add(f.get(10, TimeUnit.SECONDS));
            }
            assertThat(seen).hasSize(1);
            assertThat(raw.get(key)).isEqualTo(Long.toString(seen.iterator().next()));
            assertThat(store.lookup(prefix + "q", List.of(key)).versions()[0]).isEqualTo(seen.iterator().next());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void bumpChangesOnlyTheBumpedVersions() throws Exception {
        List<String> keys = List.of(prefix + "t:a", prefix + "t:b", prefix + "t:c");
        long[] before = store.lookup(prefix + "q", keys).versions();
        store.bump(List.of(keys.get(0), keys.get(2)));
        long[] after = store.lookup(prefix + "q", keys).versions();
        assertThat(after[0]).isNotEqualTo(before[0]);
        assertThat(after[1]).isEqualTo(before[1]);
        assertThat(after[2]).isNotEqualTo(before[2]);
    }

    @Test
    void evictedVersionComesBackAsANewRandomValue() throws Exception {
        String key = prefix + "t:evicted";
        long old = store.lookup(prefix + "q", List.of(key)).versions()[0];
        raw.del(key);
        long fresh = store.lookup(prefix + "q", List.of(key)).versions()[0];
        assertThat(fresh).isNotEqualTo(old).isNotZero();
        assertThat(store.lookup(prefix + "q", List.of(key)).versions()[0]).isEqualTo(fresh);
    }

    @Test
    void corruptVersionIsAStoreExceptionNotAnArbitraryNumber() {
        String key = prefix + "t:corrupt";
        raw.set(key, "not a number");
        assertThatThrownBy(() -> store.lookup(prefix + "q", List.of(key)))
                .isInstanceOf(StoreException.class).hasMessageContaining(key);
    }

    @Test
    void flushAllRemovesOnlyKeysUnderThePrefix() throws Exception {
        // a prefix with glob characters: unescaped, "x*:" would also match "xANYTHING:"
        String globby = prefix + "g*[1]?:";
        String lookalike = prefix + "gXX[1]?:keep";
        String outside = "sqlcache-test-outside-" + UUID.randomUUID();
        try (RedisStore g = new RedisStore(TestEnv.REDIS_URL, globby)) {
            for (int i = 0; i < 1200; i++) { // more than one SCAN/UNLINK batch
                g.put(globby + "q:" + i, new byte[] {1}, 60);
            }
            g.lookup(globby + "q:0", List.of(globby + "t:a"));
            raw.set(lookalike, "x");
            raw.set(outside, "x");
            try {
                g.flushAll();
                assertThat(raw.keys(escape(globby) + "*")).isEmpty();
                assertThat(raw.get(lookalike)).isEqualTo("x");
                assertThat(raw.get(outside)).isEqualTo("x");
            } finally {
                raw.del(outside, lookalike);
            }
        }
    }

    private static String escape(String s) {
        return RedisStore.escapeGlob(s);
    }

    @Test
    void emptyPrefixRefusesToFlushEverything() {
        try (RedisStore noPrefix = new RedisStore(TestEnv.REDIS_URL, "")) {
            assertThatThrownBy(noPrefix::flushAll).isInstanceOf(StoreException.class).hasMessageContaining("prefix");
        }
    }

    @Test
    void emptyVersionListAndEmptyBumpWork() throws Exception {
        store.bump(List.of());
        assertThat(store.lookup(prefix + "q", List.of()).versions()).isEmpty();
    }

    @Test
    void malformedUriIsRejectedWithoutShowingThePassword() {
        assertThatThrownBy(() -> new RedisStore("redis://user:s3cret@host:notaport", prefix))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid Redis URI")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> new RedisStore("http://host:6379", prefix))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http");
        assertThatThrownBy(() -> new RedisStore("", prefix)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void describeNeverShowsThePassword() {
        try (RedisStore s = new RedisStore("redis://default:s3cret@127.0.0.1:1/0", prefix)) {
            assertThat(s.describe()).doesNotContain("s3cret").contains("127.0.0.1:1").contains(prefix);
        }
    }

    @Test
    void closedStoreFailsWithStoreException() throws Exception {
        RedisStore s = new RedisStore(TestEnv.REDIS_URL, prefix);
        s.lookup(prefix + "q", List.of());
        s.close();
        s.close();
        assertThatThrownBy(() -> s.lookup(prefix + "q", List.of())).isInstanceOf(StoreException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aLookupIsOneMgetOnTheCommonPath() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RedisStore s = new RedisStore(redis.uri(), prefix)) {
            List<String> keys = List.of(prefix + "t:a", prefix + "t:b", prefix + "t:c");
            s.put(prefix + "q", new byte[] {1}, 60);
            s.lookup(prefix + "q", keys); // creates the versions: the uncommon path
            assertThat(calls(redis, "set")).isEqualTo(1 + 3);
            redis.command("CONFIG", "RESETSTAT");

            CacheStore.Lookup l = s.lookup(prefix + "q", keys);

            assertThat(l.entry()).containsExactly(1);
            // the entry and the versions in one command: one reply, one wake-up of the caller
            assertThat(calls(redis, "get")).isZero();
            assertThat(calls(redis, "mget")).isEqualTo(1);
            assertThat(calls(redis, "set")).isZero();
        }
    }

    @Test
    void versionsAloneAgreeWithALookupAndCreateMissingKeys() throws Exception {
        List<String> keys = List.of(prefix + "t:x", prefix + "t:y");
        long[] created = store.versions(keys);
        assertThat(raw.get(keys.get(0))).isEqualTo(Long.toString(created[0]));
        assertThat(raw.get(keys.get(1))).isEqualTo(Long.toString(created[1]));
        assertThat(store.lookup(prefix + "q", keys).versions()).containsExactly(created);
        store.bump(List.of(keys.get(1)));
        long[] after = store.versions(keys);
        assertThat(after[0]).isEqualTo(created[0]);
        assertThat(after[1]).isNotEqualTo(created[1]);
    }

    @Test
    void versionsAloneAreOneMgetWithoutTheEntry() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RedisStore s = new RedisStore(redis.uri(), prefix)) {
            List<String> keys = List.of(prefix + "t:a", prefix + "t:b");
            s.versions(keys);
            redis.command("CONFIG", "RESETSTAT");
            s.versions(keys);
            assertThat(calls(redis, "mget")).isEqualTo(1);
            assertThat(calls(redis, "get")).isZero();
            assertThat(calls(redis, "set")).isZero();
        }
    }

    @Test
    void anAsyncPutLeavesWithTheNextLookupInOneWriteAndRedisRunsItFirst() throws Exception {
        try (RedisServerProcess redis = RedisServerProcess.start();
             RedisStore s = new RedisStore(redis.uri(), prefix)) {
            List<String> keys = List.of(prefix + "t:a");
            s.lookup(prefix + "q:0", keys); // connects and creates the version
            // this thread's own connection connects in the background: not during a count
            Await.until(() -> s.threadLanes().connected() == s.threadLanes().size(), "this thread's lane connected");
            long alone = readsDuring(redis, () -> s.lookup(prefix + "q:0", keys));

            redis.command("CONFIG", "RESETSTAT");
            long withPut = readsDuring(redis, () -> {
                CompletableFuture<Void> put = s.putAsync(prefix + "q:1", new byte[] {7}, 60).toCompletableFuture();
                CacheStore.Lookup l = s.lookup(prefix + "q:1", keys);
                // Redis ran the SET before the MGET that carried it
                assertThat(l.entry()).containsExactly(7);
                put.get(10, TimeUnit.SECONDS);
            });

            // the SET cost Redis no read of its own: it came in the lookup's write
            assertThat(withPut).isEqualTo(alone);
            assertThat(calls(redis, "set")).isEqualTo(1);
            assertThat(calls(redis, "mget")).isEqualTo(1);
        }
    }

    @Test
    void anAsyncPutThatNoCommandFollowsIsStoredAlone() throws Exception {
        store.lookup(prefix + "q:0", List.of()); // connected: the put waits for company
        store.putAsync(prefix + "q:1", new byte[] {9}, 60).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(raw.get(prefix + "q:1")).isEqualTo("\t");
        assertThat(raw.ttl(prefix + "q:1")).isBetween(1L, 60L);
    }

    @Test
    void everyLaterCommandRunsAfterAWaitingPut() throws Exception {
        store.lookup(prefix + "q:0", List.of());
        // a blocking put of the same key after it: Redis must keep the order of the two SETs
        store.putAsync(prefix + "q:1", new byte[] {1}, 60);
        store.put(prefix + "q:1", new byte[] {2}, 60);
        assertThat(store.lookup(prefix + "q:1", List.of()).entry()).containsExactly(2);
        // a flush after it: the SET must not come back after the flush
        store.putAsync(prefix + "q:2", new byte[] {3}, 60);
        store.flushAll();
        assertThat(store.lookup(prefix + "q:2", List.of()).entry()).isNull();
        // a bump after it, then the async lookup
        store.putAsync(prefix + "q:3", new byte[] {4}, 60);
        store.bump(List.of(prefix + "t:b"));
        assertThat(raw.exists(prefix + "q:3")).isEqualTo(1L);
        store.putAsync(prefix + "q:4", new byte[] {5}, 60);
        assertThat(store.lookupAsync(prefix + "q:4", List.of()).toCompletableFuture().get(10, TimeUnit.SECONDS).entry())
                .containsExactly(5);
    }

    @Test
    void closeSendsTheWaitingPutsBeforeClosing() throws Exception {
        RedisStore s = new RedisStore(TestEnv.REDIS_URL, prefix);
        s.lookup(prefix + "q:0", List.of());
        CompletableFuture<Void> put = s.putAsync(prefix + "q:1", new byte[] {6}, 60).toCompletableFuture();
        s.close();
        // the reply may be cut off by the close; the SET itself left first
        try {
            put.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(StoreException.class);
        }
        assertThat(raw.exists(prefix + "q:1")).isEqualTo(1L);
    }

    /** Reads of client data Redis did while {@code body} ran, from INFO stats. */
    private static long readsDuring(RedisServerProcess redis, StoreBody body) throws Exception {
        long before = stat(redis, "total_reads_processed");
        body.run();
        long after = stat(redis, "total_reads_processed");
        return after - before;
    }

    @FunctionalInterface
    private interface StoreBody {
        void run() throws Exception;
    }

    private static long stat(RedisServerProcess redis, String name) {
        Matcher m = Pattern.compile(name + ":(\\d+)").matcher(redis.command("INFO", "stats"));
        assertThat(m.find()).as(name + " in INFO stats").isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Calls of one command since the last reset, from INFO commandstats. */
    private static long calls(RedisServerProcess redis, String command) {
        String info = redis.command("INFO", "commandstats");
        Matcher m = Pattern.compile("cmdstat_" + command + ":calls=(\\d+)").matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }
}

package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.sqlcache.CacheConfig;
import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.key.ParamValue;
import io.sqlcache.sql.TableName;
import io.sqlcache.store.RedisStore;
import io.sqlcache.testing.TestEnv;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Redis hit served from this process's decoded copy after a versions-only round trip
 * ({@link CacheRuntime#read}): it must answer exactly what a full lookup would, against a real
 * Redis. Two runtimes on one prefix stand for two JVMs.
 */
class LocalCopyIT {

    private static final Set<TableName> TABLES = Set.of(TableName.of("test", "t"));
    private static final KeyMaterial KEY = KeyMaterial.of("SELECT a FROM t WHERE id = ?",
            new ParamValue[] {ParamValue.ofLong('J', 1)}, "test", "root@%");

    private final AtomicLong clock = new AtomicLong(1_000_000_000_000L);
    private String prefix;
    private final List<CacheRuntime> runtimes = new ArrayList<>();
    private RedisClient client;
    private StatefulRedisConnection<String, String> raw;

    @BeforeEach
    void setUp() {
        TestEnv.requireRedis();
        prefix = "sqlcache-test:" + UUID.randomUUID() + ":";
        client = RedisClient.create(TestEnv.REDIS_URL);
        raw = client.connect();
    }

    @AfterEach
    void tearDown() {
        runtimes.forEach(r -> r.store().close());
        List<String> keys = raw.sync().keys(prefix + "*");
        if (!keys.isEmpty()) {
            raw.sync().del(keys.toArray(new String[0]));
        }
        raw.close();
        client.shutdown();
    }

    private CacheRuntime runtime() {
        return runtime(CacheConfig.DEFAULT_LOCAL_COPY_BYTES);
    }

    private CacheRuntime runtime(long localCopyBytes) {
        CacheConfig config = new CacheConfig(TestEnv.REDIS_URL, 300, 10_000, 1 << 20, true, prefix, 2000, 1000,
                localCopyBytes, CacheConfig.DEFAULT_SPIN_MICROS, CacheConfig.DEFAULT_REDIS_LANES);
        CacheRuntime r = new CacheRuntime(config,
                new RedisStore(TestEnv.REDIS_URL, prefix, Duration.ofSeconds(2), Duration.ofSeconds(2)), clock::get);
        runtimes.add(r);
        return r;
    }

    private static CachedRows rows(String value) {
        ColumnMeta a = new ColumnMeta("def", "test", "t", "a", "a", Types.VARCHAR, "VARCHAR", "java.lang.String",
                10, 0, 0, true, 10, false, true, false, true, false, true, false);
        List<Object[]> values = new ArrayList<>();
        values.add(new Object[] {value});
        List<String[]> strings = new ArrayList<>();
        strings.add(null);
        return new CachedRows(List.of(a), values, strings);
    }

    /** Stores {@code value} as a miss does, then reads it once as a hit does: the hit keeps the local copy. */
    private static void store(CacheRuntime r, String value) {
        storeOnly(r, value);
        CacheRuntime.Lookup hit = r.read(KEY, TABLES);
        assertThat(hit.hit()).as("a hit after storing").isTrue();
        assertThat(value(hit)).isEqualTo(value);
    }

    private static void storeOnly(CacheRuntime r, String value) {
        CacheRuntime.Lookup miss = r.read(KEY, TABLES);
        assertThat(miss.hit()).as("a miss before storing").isFalse();
        r.write(miss, KEY, rows(value), 300);
        r.awaitStores(); // the store's reply is not awaited by write (a miss returns first)
    }

    private static Object value(CacheRuntime.Lookup hit) {
        return hit.rows().values().get(0)[0];
    }

    @Test
    void aHitIsServedFromTheLocalCopyWithoutMovingTheEntry() {
        CacheRuntime r = runtime();
        store(r, "one");
        // remove the stored bytes: only a local copy can answer now, and it may, because the
        // versions it was computed under are still current
        raw.sync().del(r.keys().entryKey(KEY.hash()));
        CacheRuntime.Lookup hit = r.read(KEY, TABLES);
        assertThat(hit.hit()).isTrue();
        assertThat(value(hit)).isEqualTo("one");
        assertThat(r.localCopyHits()).isEqualTo(1);
    }

    @Test
    void aMissKeepsNoCopyOfItsRowsTheFirstHitDoes() {
        CacheRuntime r = runtime();
        storeOnly(r, "one");
        String entryKey = r.keys().entryKey(KEY.hash());
        raw.sync().del(entryKey);
        assertThat(r.read(KEY, TABLES).hit()).as("no copy from the miss: the entry is gone").isFalse();
        storeOnly(r, "two");
        assertThat(value(r.read(KEY, TABLES))).isEqualTo("two");
        assertThat(r.localCopyHits()).as("that hit fetched the entry").isZero();
        raw.sync().del(entryKey);
        CacheRuntime.Lookup hit = r.read(KEY, TABLES);
        assertThat(hit.hit()).as("the hit's copy").isTrue();
        assertThat(value(hit)).isEqualTo("two");
        assertThat(r.localCopyHits()).isEqualTo(1);
    }

    @Test
    void aWriteInAnotherProcessMakesTheLocalCopyAMiss() {
        CacheRuntime reader = runtime();
        CacheRuntime writer = runtime();
        store(reader, "old");
        assertThat(reader.read(KEY, TABLES).hit()).isTrue();
        writer.invalidate(TABLES, false);
        CacheRuntime.Lookup after = reader.read(KEY, TABLES);
        assertThat(after.hit()).as("the copy's versions are no longer current").isFalse();
        assertThat(reader.localCopyHits()).isEqualTo(1);
    }

    @Test
    void anEntryStoredByAnotherProcessForNewVersionsReplacesTheCopy() {
        CacheRuntime reader = runtime();
        CacheRuntime other = runtime();
        store(reader, "old");
        other.invalidate(TABLES, false);
        store(other, "new");
        CacheRuntime.Lookup hit = reader.read(KEY, TABLES);
        assertThat(hit.hit()).isTrue();
        assertThat(value(hit)).isEqualTo("new");
        // and from now on the new copy is the local one
        raw.sync().del(reader.keys().entryKey(KEY.hash()));
        assertThat(value(reader.read(KEY, TABLES))).isEqualTo("new");
    }

    @Test
    void theGlobalEpochInvalidatesTheCopy() {
        CacheRuntime r = runtime();
        store(r, "one");
        runtime().invalidate(Set.of(), true);
        assertThat(r.read(KEY, TABLES).hit()).isFalse();
    }

    @Test
    void aFlushInvalidatesTheCopy() throws Exception {
        CacheRuntime r = runtime();
        store(r, "one");
        runtime().store().flushAll();
        assertThat(r.read(KEY, TABLES).hit()).isFalse();
    }

    @Test
    void anExpiredCopyIsNotServedEvenIfTheVersionsMatch() {
        CacheRuntime r = runtime();
        store(r, "one");
        clock.addAndGet(299_999);
        assertThat(r.read(KEY, TABLES).hit()).as("one ms before the TTL").isTrue();
        clock.addAndGet(1);
        // Redis still holds the bytes (its own clock has not moved): the entry's expiry says no
        assertThat(raw.sync().exists(r.keys().entryKey(KEY.hash()))).isEqualTo(1L);
        assertThat(r.read(KEY, TABLES).hit()).isFalse();
    }

    @Test
    void anExpiredEntryFromTheStoreIsAMissToo() {
        CacheRuntime writer = runtime();
        store(writer, "one");
        clock.addAndGet(300_000);
        CacheRuntime fresh = runtime();
        assertThat(fresh.read(KEY, TABLES).hit()).isFalse();
    }

    @Test
    void withoutLocalCopiesEveryHitFetchesTheEntry() {
        CacheRuntime r = runtime(0);
        store(r, "one");
        assertThat(value(r.read(KEY, TABLES))).isEqualTo("one");
        raw.sync().del(r.keys().entryKey(KEY.hash()));
        assertThat(r.read(KEY, TABLES).hit()).isFalse();
        assertThat(r.localCopyHits()).isZero();
    }

    @Test
    void aDifferentKeyIsNotServedTheCopy() {
        CacheRuntime r = runtime();
        store(r, "one");
        KeyMaterial other = KeyMaterial.of("SELECT a FROM t WHERE id = ?", new ParamValue[] {ParamValue.ofLong('J', 2)},
                "test", "root@%");
        assertThat(r.read(other, TABLES).hit()).isFalse();
    }
}

package io.sqlcache.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.sqlcache.CacheConfig;
import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.key.ParamValue;
import io.sqlcache.sql.TableName;
import io.sqlcache.store.RedisStore;
import io.sqlcache.testing.LogRecorder;
import io.sqlcache.testing.RedisServerProcess;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A miss hands its entry to the store without waiting for the reply ({@link CacheRuntime#write}),
 * proven against a private redis-server frozen (SIGSTOP) between the lookup and the store: the
 * write returns while the SET is still outstanding, the backlog is bounded, and once Redis runs
 * again the entries are there for another process.
 */
class AsyncStoreIT {

    private static final Set<TableName> TABLES = Set.of(TableName.of("test", "t"));

    private RedisServerProcess redis;
    private final List<CacheRuntime> runtimes = new ArrayList<>();

    @BeforeEach
    void setUp() {
        redis = RedisServerProcess.start();
    }

    @AfterEach
    void tearDown() {
        redis.resume();
        runtimes.forEach(r -> r.store().close());
        redis.close();
    }

    private CacheRuntime runtime() {
        // a long timeout: a put that waited for its reply would wait for as long as Redis is frozen
        CacheConfig config = new CacheConfig(redis.uri(), 300, 10_000, 1 << 20, true, "t:", 60_000, 1000,
                CacheConfig.DEFAULT_LOCAL_COPY_BYTES, CacheConfig.DEFAULT_SPIN_MICROS, CacheConfig.DEFAULT_REDIS_LANES);
        CacheRuntime r = new CacheRuntime(config, new RedisStore(redis.uri(), "t:", Duration.ofSeconds(60),
                Duration.ofSeconds(5)));
        runtimes.add(r);
        return r;
    }

    private static KeyMaterial key(int i) {
        return KeyMaterial.of("SELECT a FROM t WHERE id = ?", new ParamValue[] {ParamValue.ofLong('J', i)}, "test");
    }

    private static CachedRows rows(int i) {
        ColumnMeta a = new ColumnMeta("def", "test", "t", "a", "a", Types.INTEGER, "INT", "java.lang.Integer",
                11, 0, 0, true, 11, false, true, false, true, false, true, false);
        List<Object[]> values = new ArrayList<>();
        values.add(new Object[] {i});
        List<String[]> strings = new ArrayList<>();
        strings.add(null);
        return new CachedRows(List.of(a), values, strings);
    }

    @Test
    void aMissReturnsBeforeRedisRepliesAndTheEntryLandsAfterwards() {
        CacheRuntime writer = runtime();
        CacheRuntime.Lookup miss = writer.read(key(1), TABLES);
        assertThat(miss.available()).isTrue();

        redis.pause();
        writer.write(miss, key(1), rows(1), 300);
        // returned although Redis cannot have answered: the SET is still outstanding
        assertThat(writer.pendingPutCount()).isEqualTo(1);
        assertThat(writer.stats().stores()).isZero();

        redis.resume();
        writer.awaitStores();
        assertThat(writer.pendingPutCount()).isZero();
        assertThat(writer.stats().stores()).isEqualTo(1);
        // another process (another runtime, another connection) finds it in Redis
        CacheRuntime.Lookup other = runtime().read(key(1), TABLES);
        assertThat(other.hit()).isTrue();
        assertThat(other.rows().values().get(0)[0]).isEqualTo(1);
    }

    @Test
    void theBacklogIsBoundedAndWhatIsBeyondItIsCountedNotQueued() {
        CacheRuntime writer = runtime();
        int n = CacheRuntime.MAX_PENDING_PUTS + 10;
        List<CacheRuntime.Lookup> misses = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            misses.add(writer.read(key(i), TABLES));
        }
        redis.pause();
        for (int i = 0; i < n; i++) {
            writer.write(misses.get(i), key(i), rows(i), 300);
        }
        assertThat(writer.pendingPutCount()).isEqualTo(CacheRuntime.MAX_PENDING_PUTS);
        assertThat(writer.stats().bypasses()).containsEntry("store backlog: entry not stored", 10L);

        redis.resume();
        writer.awaitStores();
        assertThat(writer.pendingPutCount()).isZero();
        assertThat(writer.stats().stores()).isEqualTo(CacheRuntime.MAX_PENDING_PUTS);
        CacheRuntime reader = runtime();
        assertThat(reader.read(key(0), TABLES).hit()).isTrue();
        assertThat(reader.read(key(n - 1), TABLES).hit()).as("dropped, not queued").isFalse();
    }

    /** {@code rowCount} rows of {@code cells / rowCount} VARCHAR cells, the first holding {@code i}. */
    private static CachedRows wide(int i, int rowCount, Object cell) {
        ColumnMeta c = new ColumnMeta("def", "test", "t", "c", "c", Types.VARCHAR, "VARCHAR", "java.lang.String",
                64, 0, 0, true, 64, false, true, false, true, false, true, false);
        int columns = 8;
        List<Object[]> values = new ArrayList<>();
        List<String[]> strings = new ArrayList<>();
        for (int r = 0; r < rowCount; r++) {
            Object[] row = new Object[columns];
            for (int k = 0; k < columns; k++) {
                row[k] = r == 0 && k == 0 ? cell : "row " + r + " of entry " + i + ", column " + k;
            }
            values.add(row);
            strings.add(null);
        }
        return new CachedRows(java.util.Collections.nCopies(columns, c), values, strings);
    }

    @Test
    void aLargeMissEncodedOffTheCallersThreadIsFoundByThatThreadsNextLookup() {
        CacheRuntime r = runtime();
        CacheRuntime other = runtime(); // another process: its own connection
        int n = 200;
        for (int i = 0; i < n; i++) {
            CacheRuntime.Lookup miss = r.read(key(i), TABLES);
            assertThat(miss.hit()).isFalse();
            // 2 000 cells: encoding takes far longer than sending the next lookup, which without
            // waiting for the entry's hand-over would reach Redis before the SET
            r.write(miss, key(i), wide(i, 250, "first of " + i), 300);
            CacheRuntime.Lookup next = i % 2 == 0 ? r.read(key(i), TABLES) : r.read(key(n + i), TABLES);
            if (i % 2 == 0) {
                assertThat(next.hit()).as("lookup %d right after its own miss", i).isTrue();
                assertThat(next.rows().values().get(0)[0]).isEqualTo("first of " + i);
                // that lookup took the SET along: Redis holds the entry
                CacheRuntime.Lookup elsewhere = other.read(key(i), TABLES);
                assertThat(elsewhere.hit()).as("entry %d in Redis after its thread's lookup of it", i).isTrue();
            }
            // a lookup of another key may overtake the SET, which follows within a tick
        }
        assertThat(r.offloadedCount()).as("entries encoded on the encoder thread").isPositive();
        r.awaitStores();
        assertThat(r.pendingPutCount()).isZero();
        assertThat(r.stats().stores()).isEqualTo(n);
        for (int i = 0; i < n; i++) {
            assertThat(other.read(key(i), TABLES).hit()).as("entry %d in Redis once stored", i).isTrue();
        }
    }

    @Test
    void anEntryTheCodecRefusesIsCountedNotThrownAndFreesItsSlot() {
        CacheRuntime r = runtime();
        Object notACell = new Object(); // no supported cell type: the codec throws
        try (LogRecorder log = LogRecorder.of(EntryWriter.class)) {
            for (int rows : new int[] {1, 250}) { // on the caller's thread, and (when idle) on the encoder's
                for (int i = 0; i < 20; i++) {
                    int k = rows * 1000 + i;
                    CacheRuntime.Lookup miss = r.read(key(k), TABLES);
                    r.write(miss, key(k), wide(k, rows, notACell), 300);
                    assertThat(r.read(key(k), TABLES).hit()).isFalse();
                }
            }
            r.awaitStores();
            assertThat(r.pendingPutCount()).isZero();
            assertThat(r.stats().storeErrors()).isEqualTo(40);
            assertThat(r.stats().stores()).isZero();
            // the same bug on every run of a query: its trace once, the rest at DEBUG
            assertThat(log.at(Level.WARNING)).singleElement().satisfies(w -> {
                assertThat(w.getMessage()).contains("not encodable");
                assertThat(w.getThrown()).hasMessageContaining("unsupported value type");
            });
            assertThat(log.at(Level.FINE).stream().filter(d -> d.getMessage().contains("not encodable"))).hasSize(39);
        }
    }
}

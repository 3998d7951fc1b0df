package io.sqlcache.core;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.sqlcache.CacheConfig;
import io.sqlcache.codec.CacheEntry;
import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.CodecException;
import io.sqlcache.codec.EntryCodec;
import io.sqlcache.codec.RawEntry;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.invalidate.VersionKeys;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.metrics.CacheMetrics;
import io.sqlcache.metrics.CacheStats;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.SqlAnalyzer;
import io.sqlcache.sql.TableName;
import io.sqlcache.store.CacheStore;
import io.sqlcache.store.StoreException;
import io.sqlcache.store.Stores;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * One cache: a store, the SQL analyzer, the codec and the counters, shared by every connection
 * and data source with the same {@link CacheConfig} in this JVM. Thread-safe.
 *
 * <p>Every method here is fail-open (I4): a store failure is logged and counted and answered as
 * "not cached", never thrown.
 */
public final class CacheRuntime {

    private static final System.Logger LOG = System.getLogger(CacheRuntime.class.getName());
    private static final ConcurrentHashMap<CacheConfig, CacheRuntime> RUNTIMES = new ConcurrentHashMap<>();

    private final CacheConfig config;
    private final CacheStore store;
    private final SqlAnalyzer analyzer;
    private final EntryCodec codec = new EntryCodec();
    private final CacheMetrics metrics = new CacheMetrics();
    private final VersionKeys keys;
    /** Marks, settles and bumps, and the ones that failed: retried before this process trusts the store again. */
    private final Invalidator invalidator;
    /** Encodes and stores misses without making their caller wait for the store. */
    private final EntryWriter writer;
    /**
     * Recently decoded entries by key, bounded by their encoded size (decoded rows take a few
     * times more). With a remote store they are also local copies: see {@link #read}.
     */
    private final Cache<String, Decoded> decoded; // null: sqlcache.localCopyBytes=0
    /** Keys whose results were over the limits: for a TTL they go straight to the database, read once. */
    private final Cache<String, Boolean> uncacheable;
    /** Views, triggers and cascades: trusted at most the TTL (or a minute), see {@link Dependencies}. */
    private final Dependencies dependencies;
    private final ReadPolicy readPolicy;
    /** True when the store is remote (Redis): a hit may then be served from a local copy. */
    private final boolean localCopies;
    /** Wall clock in ms, for entry expiry (tests move it). */
    private final LongSupplier clock;
    private final LongAdder localCopyHits = new LongAdder();
    /**
     * How long a write's mark holds when its writer never settles it (it died): longer than any
     * statement or commit should take, short enough that a table left in flight is cached again soon.
     */
    static final long WRITE_LEASE_MILLIS = 30_000;
    /** Bound of the entries handed to the store and not yet answered ({@link EntryWriter}). */
    static final int MAX_PENDING_PUTS = EntryWriter.MAX_PENDING_PUTS;
    CacheRuntime(CacheConfig config, CacheStore store) {
        this(config, store, System::currentTimeMillis);
    }

    CacheRuntime(CacheConfig config, CacheStore store, LongSupplier clock) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        // 0 bytes: no copies at all (a Caffeine cache of weight 0 would still hold an entry
        // until its asynchronous maintenance runs)
        // maintenance on the calling thread (amortized, a few reads' worth): the default hands
        // it to ForkJoinPool.commonPool, a thread wake-up that competes with the hit for a core
        this.decoded = config.localCopyBytes() == 0 ? null : Caffeine.newBuilder()
                .executor(Runnable::run)
                .maximumWeight(config.localCopyBytes())
                .weigher((String k, Decoded d) -> d.bytes().length + 64)
                .build();
        this.localCopies = config.redis() != null && decoded != null;
        this.analyzer = new SqlAnalyzer(10_000);
        this.keys = new VersionKeys(config.prefix());
        this.invalidator = new Invalidator(store, keys, metrics, WRITE_LEASE_MILLIS, config.breakerMillis());
        this.writer = new EntryWriter(store, codec, metrics, config.maxBytes(), config.timeoutMillis());
        this.uncacheable = Caffeine.newBuilder().maximumSize(10_000).executor(Runnable::run)
                .expireAfterWrite(Duration.ofSeconds(config.ttlSeconds())).build();
        this.dependencies = new Dependencies(analyzer::analyze, Duration.ofSeconds(config.ttlSeconds()));
        this.readPolicy = new ReadPolicy(dependencies);
    }

    /** The runtime for {@code config}, created on first use and kept for the JVM's life. */
    public static CacheRuntime forConfig(CacheConfig config) {
        return RUNTIMES.computeIfAbsent(config, c -> new CacheRuntime(c, Stores.open(c.redis(), c.prefix(),
                Duration.ofMillis(c.timeoutMillis()), Duration.ofMillis(c.breakerMillis()),
                Duration.ofNanos(c.spinMicros() * 1000L), c.redisLanes())));
    }

    public CacheConfig config() {
        return config;
    }

    public CacheMetrics metrics() {
        return metrics;
    }

    public CacheStats stats() {
        return metrics.snapshot();
    }

    public VersionKeys keys() {
        return keys;
    }

    /** The store, for administration (flush) and tests. */
    public CacheStore store() {
        return store;
    }

    /** What reads and writes depend on beyond the tables they name: views, triggers, cascades. */
    public Dependencies dependencies() {
        return dependencies;
    }

    /** The read rules, over this runtime's catalog models. */
    public ReadPolicy readPolicy() {
        return readPolicy;
    }

    /** True when the result for this key hash was recently found to be over the limits. */
    public boolean knownUncacheable(String hash) {
        return uncacheable.getIfPresent(hash) != null;
    }

    /** Remembers that the result for this key hash is over the limits. */
    public void rememberUncacheable(String hash) {
        uncacheable.put(hash, Boolean.TRUE);
    }

    /** Analysis of {@code sql}, cached by text. */
    public SqlAnalysis analyze(String sql) {
        return analyzer.analyze(sql);
    }

    /** The TTL for a statement: its hint if any, else the configured one. */
    public int ttlFor(SqlAnalysis analysis) {
        Integer hint = analysis.ttlSeconds();
        return hint == null ? config.ttlSeconds() : hint;
    }

    /**
     * Looks up the entry for {@code key} and the versions of {@code tables} (resolved) in one
     * round trip. Never throws.
     *
     * <p>With a remote store, when this process holds a decoded copy of the entry, the round trip
     * asks for the versions only, and the copy is served if they still equal the versions it was
     * stored under and it has not expired. That is exactly the condition under which the stored
     * entry would be served (an entry is valid for as long as the versions it was computed under
     * are current, whoever holds its bytes), so the answer is the same as a full lookup's, without
     * moving and decoding the entry on every hit. If the versions moved, the full lookup follows
     * (another process may have stored the entry for the new versions): a second round trip,
     * only on the first read after a write.
     */
    public Lookup read(KeyMaterial key, Collection<TableName> tables) {
        return read(key, tables, Map.of());
    }

    /**
     * Like {@link #read(KeyMaterial, Collection)}, for a read restricted to primary-key buckets
     * of some tables ({@link io.sqlcache.invalidate.RowScopes}). Never throws.
     */
    public Lookup read(KeyMaterial key, Collection<TableName> tables, Map<TableName, long[]> buckets) {
        return read(key, tables, buckets, Freshness.ANY);
    }

    /**
     * Like {@link #read(KeyMaterial, Collection, Map)}, for a reader in a REPEATABLE READ
     * transaction whose snapshot was taken after it read the write sequence {@code snapshot}
     * ({@link #sequence}): a hit holds exactly that snapshot's rows, and a miss is storable only
     * when nothing was written since. {@link Long#MAX_VALUE}: not in such a transaction.
     */
    public Lookup read(KeyMaterial key, Collection<TableName> tables, Map<TableName, long[]> buckets, long snapshot) {
        writer.awaitOwnEncoding();
        String entryKey = keys.entryKey(key.hash());
        long now = clock.getAsLong();
        if (localCopies) {
            Decoded copy = decoded.getIfPresent(entryKey);
            if (copy != null && now < copy.entry().expiresAtMillis()
                    && KeyMaterial.matches(key, copy.entry().keyMaterial())) {
                long[] current = currentVersions(tables, buckets);
                if (current == null) {
                    return Lookup.UNAVAILABLE;
                }
                if (Freshness.servable(copy.entry().versions(), current, snapshot)) {
                    localCopyHits.increment();
                    return new Lookup(copy.entry().rows(), entryKey, current, false);
                }
            }
        }
        CacheStore.Lookup found = fetch(entryKey, tables, buckets);
        if (found == null) {
            return Lookup.UNAVAILABLE;
        }
        if (found.entry() != null) {
            try {
                CacheEntry entry = decode(entryKey, found.entry());
                if (KeyMaterial.matches(key, entry.keyMaterial())
                        && Freshness.servable(entry.versions(), found.versions(), snapshot)
                        && now < entry.expiresAtMillis()) {
                    return new Lookup(entry.rows(), entryKey, found.versions(), false);
                }
            } catch (CodecException e) {
                // I5: a corrupt or forged entry is a miss and a counted error; the next store overwrites it
                metrics.storeError();
                LOG.log(Level.WARNING, "sqlcache: undecodable entry " + entryKey + " treated as a miss: " + e.getMessage());
            }
        }
        RaceHooks.run(RaceHooks.afterSnapshot);
        return new Lookup(null, entryKey, found.versions(), storable(tables, buckets, found.versions(), snapshot));
    }

    /**
     * Decodes an entry, reusing the last decoding of the same key when the store returned the
     * very same bytes: a hot entry is decoded once, not on every hit. Equal bytes are the same
     * entry (the codec is deterministic), and decoded rows are never mutated, so sharing them
     * between result sets is safe. What a hit must still check (key material, versions) is
     * checked by the caller every time.
     */
    private CacheEntry decode(String entryKey, byte[] bytes) throws CodecException {
        if (decoded == null) {
            return codec.decode(bytes);
        }
        Decoded last = decoded.getIfPresent(entryKey);
        if (last != null && (last.bytes() == bytes || Arrays.equals(last.bytes(), bytes))) {
            return last.entry();
        }
        CacheEntry entry = codec.decode(bytes);
        decoded.put(entryKey, new Decoded(bytes, entry));
        return entry;
    }

    /** Bytes as the store returned them, and what they decode to. */
    private record Decoded(byte[] bytes, CacheEntry entry) {
    }

    /**
     * Stores a miss's rows under the versions read before the query ran (never the current
     * ones: a write that committed while the query ran has bumped them, so the entry will
     * simply not match). A result of {@link #OFFLOAD_CELLS} cells or more is encoded on the
     * spare encoder thread when it is idle, so the caller returns to its rows at once; the
     * calling thread's next lookup waits until the entry's SET is handed to the store, so it
     * still finds every entry the thread stored. Never throws.
     *
     * @param rows captured rows; nobody mutates them (they may be encoded while being read)
     */
    public void write(Lookup miss, KeyMaterial key, CachedRows rows, int ttlSeconds) {
        RaceHooks.run(RaceHooks.beforeStore);
        if (!miss.storable()) {
            return; // a write was in flight, or the transaction's snapshot is older than the versions
        }
        writer.write(miss.entryKey(),
                new CacheEntry(key.bytes(), miss.versions(), clock.getAsLong() + ttlSeconds * 1000L, rows), ttlSeconds);
    }

    /**
     * Whether decoded rows are kept for later hits (sqlcache.localCopyBytes above 0): if not,
     * the rows a read returns are read by one result set and dropped.
     */
    public boolean keepsDecodedRows() {
        return decoded != null;
    }

    /** Entries encoded on the encoder thread so far (tests). */
    long offloadedCount() {
        return writer.offloadedCount();
    }

    /** Entries handed to the store whose reply has not come yet (tests). */
    int pendingPutCount() {
        return writer.pendingPutCount();
    }

    /** Waits until the entries this runtime has handed to the store so far are stored or failed (tests). */
    void awaitStores() {
        writer.awaitStores();
    }

    /** Hits served from a local copy of the entry after a versions-only round trip (see {@link #read}). */
    public long localCopyHits() {
        return localCopyHits.sum();
    }

    /**
     * The entry and the versions of {@code tables}, in one round trip, after any remembered
     * bumps have landed; {@code null} when the store cannot be asked (counted and logged).
     */
    private CacheStore.Lookup fetch(String entryKey, Collection<TableName> tables, Map<TableName, long[]> buckets) {
        return ask(() -> store.lookup(entryKey, keys.forRead(tables, buckets)));
    }
    /** Like {@link #fetch}, for the versions only. */
    private long[] currentVersions(Collection<TableName> tables, Map<TableName, long[]> buckets) {
        return ask(() -> store.versions(keys.forRead(tables, buckets)));
    }

    /** A read of the store, after any remembered bumps have landed; {@code null} when it cannot be asked. */
    private <T> T ask(StoreRead<T> read) {
        if (invalidator.hasPending() && !invalidator.flushPending()) {
            return null;
        }
        try {
            return read.run();
        } catch (StoreException e) {
            storeFailed("lookup", e);
            return null;
        }
    }

    private interface StoreRead<T> {
        T run() throws StoreException;
    }
    /**
     * Bumps the versions of {@code tables} (resolved), or the global epoch when {@code unknown}.
     * Must be called after the write is durable (after the statement in autocommit, after the
     * commit in a transaction) and before the write's success reaches the application. Never
     * throws: a failed bump is remembered and retried before this process reads the store again.
     */
    public void invalidate(Collection<TableName> tables, boolean unknown) {
        invalidate(tables, unknown, Map.of());
    }

    /**
     * Like {@link #invalidate(Collection, boolean)}, for a write known to change only rows in the
     * given primary-key buckets of some tables ({@link io.sqlcache.invalidate.RowScopes}).
     */
    public void invalidate(Collection<TableName> tables, boolean unknown, Map<TableName, long[]> buckets) {
        invalidator.invalidate(tables, unknown, buckets);
    }

    /**
     * Marks a write in flight: call it before the write's statement runs (autocommit) or before
     * its commit, and {@link #settle} after, before the write's success reaches the application.
     * Never throws.
     */
    public Object mark(WriteTarget write) {
        return invalidator.mark(write);
    }

    /**
     * Settles what {@link #mark} returned ({@code null}: nothing marked) and bumps {@code also}.
     * Never throws: a failed settle is remembered and retried.
     */
    public void settle(Object marks, WriteTarget also) {
        invalidator.settle(marks == null ? Invalidator.Marks.NONE : (Invalidator.Marks) marks, also);
    }

    /**
     * The write sequence now, for a transaction about to take its snapshot, or {@code -1} when
     * the store cannot tell (then no read of that transaction may be proven, and none is served).
     */
    public long sequence() {
        if (!store.ordersSequence()) {
            return -1;
        }
        long[] v = ask(() -> store.versions(List.of(keys.sequenceKey())));
        return v == null ? -1 : v[0];
    }

    /** Whether the store can prove reads of REPEATABLE READ transactions ({@link CacheStore#ordersSequence}). */
    public boolean servesSnapshots() {
        return store.ordersSequence();
    }

    /** Whether a miss may store its rows, asking for the repair of keys left in flight. */
    private boolean storable(Collection<TableName> tables, Map<TableName, long[]> buckets, long[] current,
                             long snapshot) {
        if (Freshness.anyInFlight(current)) {
            invalidator.repair(keys.forRead(tables, buckets), current);
            return false;
        }
        return Freshness.storable(current, snapshot);
    }

    /**
     * The proxy's read path: like {@link #read}, for an entry of raw result packets. Same key
     * space, same version keys, so a write through the driver invalidates what the proxy
     * cached and the other way round. Never throws.
     */
    public RawLookup readRaw(KeyMaterial key, Collection<TableName> tables) {
        return readRaw(key, tables, Map.of());
    }


    /** Like {@link #readRaw(KeyMaterial, Collection)}, for a read restricted to primary-key buckets. */
    public RawLookup readRaw(KeyMaterial key, Collection<TableName> tables, Map<TableName, long[]> buckets) {
        String entryKey = keys.entryKey(key.hash());
        CacheStore.Lookup found = fetch(entryKey, tables, buckets);
        if (found == null) {
            return RawLookup.UNAVAILABLE;
        }
        return rawAnswer(key, entryKey, found, tables, buckets, Freshness.ANY);
    }

    /**
     * {@link #readRaw} without blocking the caller, for the proxy's event loops: the same single
     * store round trip, asked with {@link CacheStore#lookupAsync}, and the same checks (key
     * material, versions). The stage never fails and completes within about the store's
     * timeout; the answer (decoding included) is computed on {@code executor}, so the caller's
     * continuation runs there too, never on a store thread.
     *
     * <p>While failed bumps wait to be retried, the answer is {@link RawLookup#UNAVAILABLE}
     * without asking the store: landing them would block, and until they land this process
     * must not trust the store (see {@link #read}). The background retry lands them.
     *
     * @param executor where to decode and complete, such as the channel's event loop; not null
     */
    public CompletionStage<RawLookup> readRawAsync(KeyMaterial key, Collection<TableName> tables, Executor executor) {
        return readRawAsync(key, tables, Map.of(), Freshness.ANY, executor);
    }

    /**
     * Like {@link #readRawAsync(KeyMaterial, Collection, Executor)}, for a read restricted to
     * primary-key buckets, by a reader whose REPEATABLE READ snapshot follows the write sequence
     * {@code snapshot} ({@link Long#MAX_VALUE}: none, see {@link #read(KeyMaterial, Collection, Map, long)}).
     */
    public CompletionStage<RawLookup> readRawAsync(KeyMaterial key, Collection<TableName> tables,
                                                   Map<TableName, long[]> buckets, long snapshot, Executor executor) {
        Objects.requireNonNull(executor, "executor");
        if (invalidator.hasPending()) {
            invalidator.scheduleRetry();
            return CompletableFuture.completedFuture(RawLookup.UNAVAILABLE);
        }
        String entryKey = keys.entryKey(key.hash());
        CompletionStage<CacheStore.Lookup> stage;
        try {
            stage = store.lookupAsync(entryKey, keys.forRead(tables, buckets));
        } catch (RuntimeException e) {
            // the contract says the stage fails instead; I4 all the same
            stage = CompletableFuture.failedFuture(new StoreException("lookup failed: " + e, e));
        }
        return stage.handleAsync((found, e) -> {
            if (e != null) {
                storeFailed("lookup", StoreException.of(e));
                return RawLookup.UNAVAILABLE;
            }
            return rawAnswer(key, entryKey, found, tables, buckets, snapshot);
        }, executor);
    }

    /** A hit when the entry's key material and versions match the current ones, else a miss under them. */
    private RawLookup rawAnswer(KeyMaterial key, String entryKey, CacheStore.Lookup found,
                                Collection<TableName> tables, Map<TableName, long[]> buckets, long snapshot) {
        if (found.entry() != null) {
            try {
                RawEntry entry = codec.decodeRaw(found.entry());
                if (KeyMaterial.matches(key, entry.keyMaterial())
                        && Freshness.servable(entry.versions(), found.versions(), snapshot)) {
                    return new RawLookup(entry.packets(), entryKey, found.versions(), false);
                }
            } catch (CodecException e) {
                metrics.storeError();
                LOG.log(Level.WARNING, "sqlcache: undecodable raw entry " + entryKey + " treated as a miss: " + e.getMessage());
            }
        }
        return new RawLookup(null, entryKey, found.versions(),
                storable(tables, buckets, found.versions(), snapshot));
    }

    /**
     * Stores a miss's raw packets under the versions read before the command was forwarded,
     * without waiting for the store (as {@link #write} does): it copies the packets into one
     * array and queues it, so an event loop may call it. Never throws; an entry over
     * {@code maxBytes} is not stored.
     */
    public void writeRaw(RawLookup miss, KeyMaterial key, List<byte[]> packets, int ttlSeconds) {
        if (!miss.storable()) {
            return;
        }
        byte[] bytes;
        try {
            bytes = codec.encodeRaw(new RawEntry(key.bytes(), miss.versions(), packets));
        } catch (IllegalArgumentException e) {
            metrics.bypass("result over " + config.maxBytes() + " bytes");
            return;
        }
        if (bytes.length > config.maxBytes()) {
            metrics.bypass("result over " + config.maxBytes() + " bytes");
            return;
        }
        writer.writeRaw(miss.entryKey(), bytes, ttlSeconds);
    }

    /** When this JVM's remembered bumps last all landed, in wall-clock ms; 0 if none ever failed. */
    long pendingClearedAtMillis() {
        return invalidator.pendingClearedAtMillis();
    }

    /** How many failed bumps wait to be sent (tests: has this process healed after an outage). */
    int pendingBumpCount() {
        return invalidator.pendingCount();
    }

    private void storeFailed(String op, StoreException e) {
        metrics.storeError();
        LOG.log(Level.DEBUG, () -> "sqlcache: store " + op + " failed on " + store.describe() + ": " + e.getMessage());
    }

    /**
     * The answer of {@link #read}: a hit ({@code rows} non-null), a miss with the versions to
     * store under, or {@link #UNAVAILABLE} when the store could not be asked. {@code storable}
     * is false when the miss's rows must not be stored: a write was in flight, or a transaction's
     * snapshot is older than the versions ({@link #write} then stores nothing).
     */
    public record Lookup(CachedRows rows, String entryKey, long[] versions, boolean storable) {

        public static final Lookup UNAVAILABLE = new Lookup(null, null, null, false);

        public boolean hit() {
            return rows != null;
        }

        public boolean available() {
            return versions != null;
        }
    }

    /**
     * The answer of {@link #readRaw}: a hit ({@code packets} non-null), a miss with the versions
     * to store under, or {@link #UNAVAILABLE} when the store could not be asked; {@code storable}
     * as in {@link Lookup}.
     */
    public record RawLookup(List<byte[]> packets, String entryKey, long[] versions, boolean storable) {

        public static final RawLookup UNAVAILABLE = new RawLookup(null, null, null, false);

        public boolean hit() {
            return packets != null;
        }

        public boolean available() {
            return versions != null;
        }
    }
}

package io.sqlcache.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default store: entries in a Caffeine cache bounded by total bytes, each
 * expiring after the TTL of its {@code put}; versions in a map that is never evicted.
 *
 * <p>Keys arrive complete (the caller adds its prefix); {@link #flushAll} clears everything.
 * Every connection of a JVM must use {@link #shared()}: versions live in the instance, so two
 * instances would not see each other's bumps and a write through one would leave stale
 * entries in the other (I1).
 *
 * <p>Thread-safe. Never throws {@link StoreException}: memory does not fail. {@link #close}
 * does nothing, because the shared instance outlives every connection that uses it.
 */
public final class InProcessStore implements CacheStore {

    /** Capacity of {@link #shared()}: 256 MiB of entry bytes. */
    public static final long DEFAULT_MAX_BYTES = 256L * 1024 * 1024;

    /**
     * Approximate bytes an entry costs besides its value and key characters (node, record,
     * array headers), so that many tiny entries are still bounded.
     */
    static final int ENTRY_OVERHEAD_BYTES = 96;

    private static final class Holder {
        static final InProcessStore SHARED = new InProcessStore(DEFAULT_MAX_BYTES);
    }

    private final Cache<String, Stored> entries;
    private final ConcurrentMap<String, Long> versions = new ConcurrentHashMap<>();
    /** Per version key, the writers that marked it and when their lease ends (epoch millis). */
    private final ConcurrentMap<String, Map<String, Long>> writers = new ConcurrentHashMap<>();
    private final long maxBytes;

    /**
     * A private store, for tests and embedders that really want one; the driver uses
     * {@link #shared()}.
     *
     * @param maxBytes bound of the total weight of entries (value bytes, key characters, and
     *                 {@value #ENTRY_OVERHEAD_BYTES} bytes of overhead each); at least 1
     * @throws IllegalArgumentException when {@code maxBytes} is less than 1
     */
    public InProcessStore(long maxBytes) {
        this(maxBytes, Ticker.systemTicker(), ForkJoinPool.commonPool());
    }

    /** For tests: a controllable clock and, with {@code Runnable::run}, eviction in the caller. */
    InProcessStore(long maxBytes, Ticker ticker, Executor executor) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be at least 1, was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.entries = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumWeight(maxBytes)
                .weigher((String key, Stored s) -> weight(key, s.bytes))
                .expireAfter(new TtlExpiry())
                .build();
    }

    /** The one store every connection of this JVM (class loader) shares; never {@code null}. */
    public static InProcessStore shared() {
        return Holder.SHARED;
    }

    static int weight(String key, byte[] value) {
        long w = (long) value.length + 2L * key.length() + ENTRY_OVERHEAD_BYTES;
        return (int) Math.min(Integer.MAX_VALUE, w);
    }

    @Override
    public Lookup lookup(String entryKey, List<String> versionKeys) {
        Stored s = entries.getIfPresent(entryKey);
        return new Lookup(s == null ? null : s.bytes, versions(versionKeys));
    }

    @Override
    public long[] versions(List<String> versionKeys) {
        long[] v = new long[versionKeys.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = versions.computeIfAbsent(versionKeys.get(i), Versions::initial);
        }
        return v;
    }

    @Override
    public void put(String entryKey, byte[] value, int ttlSeconds) {
        Objects.requireNonNull(value, "value");
        // The contract says at least 1; clamp instead of failing so a caller's 0 still expires.
        entries.put(entryKey, new Stored(value, TimeUnit.SECONDS.toNanos(Math.max(1, ttlSeconds))));
    }

    @Override
    public void mark(List<String> versionKeys, String sequenceKey, String writer, long leaseMillis) {
        if (leaseMillis < 1) {
            throw new IllegalArgumentException("lease must be at least 1 ms, was " + leaseMillis);
        }
        advance(sequenceKey);
        long expires = System.currentTimeMillis() + leaseMillis;
        for (String key : versionKeys) {
            // the writers first, then the version: a reader that sees the odd version is in flight anyway
            writers.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(writer, expires);
            versions.put(key, Versions.randomInFlight());
        }
    }

    @Override
    public void settle(List<String> versionKeys, String sequenceKey, String writer) {
        advance(sequenceKey);
        long now = System.currentTimeMillis();
        for (String key : versionKeys) {
            // per key atomically, as the script does in Redis
            versions.compute(key, (k, old) -> {
                Map<String, Long> w = writers.get(k);
                if (w != null) {
                    if (writer != null) {
                        w.remove(writer);
                    }
                    w.values().removeIf(expires -> expires <= now);
                    if (!w.isEmpty()) {
                        return Versions.randomInFlight();
                    }
                    writers.remove(k, w);
                }
                return Versions.randomOtherThan(old);
            });
        }
    }

    @Override
    public void bump(List<String> versionKeys) {
        settle(versionKeys, null, null);
    }

    /** Advances a write sequence to at least the clock in microseconds, as the scripts in Redis do. */
    private void advance(String sequenceKey) {
        if (sequenceKey != null) {
            long now = System.currentTimeMillis() * 1000L;
            versions.merge(sequenceKey, now, (old, clock) -> Math.max(old + 1, clock));
        }
    }

    @Override
    public void flushAll() {
        entries.invalidateAll();
        versions.clear();
        writers.clear();
    }

    /** Runs pending evictions and expirations now; for tests. */
    void cleanUp() {
        entries.cleanUp();
    }

    /** Entries currently held (after {@link #cleanUp()}, an exact count); for tests and status. */
    long entryCount() {
        return entries.estimatedSize();
    }

    /** Every entry of this JVM's store (it is shared by every prefix), after pending evictions. */
    @Override
    public Usage usage() {
        entries.cleanUp();
        long bytes = entries.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
        return new Usage(entries.estimatedSize(), bytes, true);
    }

    @Override
    public String describe() {
        return "in-process (max " + maxBytes + " bytes)";
    }

    @Override
    public void close() {
        // Nothing to release, and the shared instance must survive any one user closing it.
    }

    @Override
    public String toString() {
        return "InProcessStore[" + describe() + "]";
    }

    /** An entry's bytes and the TTL it was put with. */
    private record Stored(byte[] bytes, long ttlNanos) {
    }

    /** Each entry lives for the TTL of the put that wrote it; reads do not extend it. */
    private static final class TtlExpiry implements Expiry<String, Stored> {
        @Override
        public long expireAfterCreate(String key, Stored value, long currentTime) {
            return value.ttlNanos;
        }

        @Override
        public long expireAfterUpdate(String key, Stored value, long currentTime, long currentDuration) {
            return value.ttlNanos;
        }

        @Override
        public long expireAfterRead(String key, Stored value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}

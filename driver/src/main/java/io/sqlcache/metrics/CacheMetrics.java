package io.sqlcache.metrics;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Lock-free counters. Thread-safe; every method is cheap enough for the hit path (LongAdder,
 * and for bypasses one map lookup of an interned reason string).
 */
public final class CacheMetrics {

    /** More distinct bypass reasons than this are folded into one bucket (reasons can name functions). */
    static final int MAX_REASONS = 256;
    static final String OTHER_REASONS = "other";

    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder stores = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder storeErrors = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> bypasses = new ConcurrentHashMap<>();

    public void hit() {
        hits.increment();
    }

    public void miss() {
        misses.increment();
    }

    public void stored() {
        stores.increment();
    }

    public void invalidated(int keys) {
        invalidations.add(keys);
    }

    public void storeError() {
        storeErrors.increment();
    }

    /** Counts a bypass; {@code reason} must not be null. */
    public void bypass(String reason) {
        LongAdder adder = bypasses.get(reason);
        if (adder == null) {
            String key = bypasses.size() >= MAX_REASONS ? OTHER_REASONS : reason;
            adder = bypasses.computeIfAbsent(key, k -> new LongAdder());
        }
        adder.increment();
    }

    /** A consistent-enough snapshot (each counter is read once; they are not read atomically together). */
    public CacheStats snapshot() {
        Map<String, Long> by = new TreeMap<>();
        bypasses.forEach((k, v) -> by.put(k, v.sum()));
        return new CacheStats(hits.sum(), misses.sum(), by, stores.sum(), invalidations.sum(), storeErrors.sum());
    }
}

package io.sqlcache.metrics;

import java.util.Map;

/**
 * A snapshot of the counters of one cache runtime (all connections and data sources that share
 * one configuration). Immutable.
 *
 * @param hits          reads served from the cache
 * @param misses        cacheable reads that went to the database (and were stored if they fit)
 * @param bypasses      reads not served from the cache, by reason (the same strings that
 *                      {@code SqlCacheStatement.lastCacheOutcome()} reports)
 * @param stores        entries written to the store
 * @param invalidations version bumps sent (one per written table, or one for "everything")
 * @param storeErrors   store failures: timeouts, refused connections, corrupt entries; each one
 *                      was answered by going to the database instead
 */
public record CacheStats(long hits, long misses, Map<String, Long> bypasses, long stores,
        long invalidations, long storeErrors) {

    public CacheStats {
        bypasses = Map.copyOf(bypasses);
    }

    /** Sum of every bypass reason. */
    public long totalBypasses() {
        return bypasses.values().stream().mapToLong(Long::longValue).sum();
    }
}

package io.sqlcache;

import io.sqlcache.metrics.CacheStats;
import java.sql.Connection;

/**
 * What a sqlcache connection adds to {@link Connection}; reach it with
 * {@code connection.unwrap(SqlCacheConnection.class)} (also through a pool's proxy).
 * Thread-safety as for the connection itself.
 */
public interface SqlCacheConnection extends Connection {

    /** The counters of the cache this connection uses (shared with every connection of the same configuration). */
    CacheStats cacheStats();

    /**
     * Why {@code sql} would not be served from the cache on this connection right now, or
     * {@code null} if it would be. Looks only at the statement and the connection's state
     * (transaction, temporary tables); does not run anything.
     */
    String whyNotCached(String sql);

    /** The cache's settings for this connection. */
    CacheConfig cacheConfig();
}

/**
 * The public surface of sqlcache: the JDBC driver ({@link io.sqlcache.SqlCacheDriver}), a
 * {@link javax.sql.DataSource} ({@link io.sqlcache.SqlCacheDataSource}) and the cache
 * configuration ({@link io.sqlcache.CacheConfig}). Everything else is internal.
 */
package io.sqlcache;

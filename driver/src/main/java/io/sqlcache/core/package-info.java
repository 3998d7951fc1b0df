/**
 * The cache's rules and its read and write paths, shared by the JDBC driver and the proxy, which
 * only translate JDBC calls or protocol packets into them: {@link io.sqlcache.core.ReadPolicy}
 * decides whether a read may use the cache over a {@link io.sqlcache.core.SessionView},
 * {@link io.sqlcache.core.WriteTarget} and {@link io.sqlcache.core.TransactionWrites} decide what a
 * write bumps and when, and {@link io.sqlcache.core.CacheRuntime} looks entries up with the
 * versions of the tables they read, stores misses under the versions read before the query, bumps
 * after writes, and is the one place that turns a store failure into "go to the database, count it".
 */
package io.sqlcache.core;

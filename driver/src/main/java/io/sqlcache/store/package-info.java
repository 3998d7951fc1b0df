/**
 * Where entries and table versions live: {@code CacheStore} and its tiers, the in-process
 * store and Redis through Lettuce, behind a circuit breaker. Lettuce is used only here.
 */
package io.sqlcache.store;

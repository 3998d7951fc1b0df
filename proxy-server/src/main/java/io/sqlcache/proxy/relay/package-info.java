/**
 * The relay: one {@link io.sqlcache.proxy.relay.ClientConnection} per client, with its
 * backend connection on the same event loop, its {@link io.sqlcache.proxy.relay.Session}
 * (schema, user, settings, transaction, prepared statements), and the cache decisions made
 * with the driver's {@link io.sqlcache.core.CacheRuntime}.
 */
package io.sqlcache.proxy.relay;

/**
 * The sqlcache proxy: a MySQL-wire relay in front of MySQL or MariaDB that answers cacheable
 * queries from the same cache, keys and versions as the driver. {@link io.sqlcache.proxy.ProxyMain}
 * is the command line, {@link io.sqlcache.proxy.ProxyServer} the embeddable server.
 */
package io.sqlcache.proxy;

/**
 * Wrappers of the real driver's Connection, Statement and PreparedStatement, and the
 * result set served from the cache. They are the front door only: what may be cached is
 * decided in {@code io.sqlcache.sql}, and the read and write paths live in {@code QueryCache}.
 */
package io.sqlcache.jdbc;

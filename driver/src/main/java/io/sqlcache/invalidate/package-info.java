/**
 * Table versions and transactions' write sets: which version keys a read checks and which
 * keys a write bumps, including what the server's catalog adds (views read their base tables;
 * triggers and cascading foreign keys write more tables): {@link io.sqlcache.invalidate.Dependencies};
 * and, for tables with an integer primary key, which key buckets a read depends on and a write
 * changes: {@link io.sqlcache.invalidate.RowScopes}.
 */
package io.sqlcache.invalidate;

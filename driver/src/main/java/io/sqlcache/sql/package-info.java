/**
 * SQL analysis: what a statement reads, writes, and whether its result may be cached.
 * JSqlParser is used only inside this package.
 */
package io.sqlcache.sql;

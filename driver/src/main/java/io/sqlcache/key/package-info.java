/**
 * Key material (normalized SQL, parameters, schema, user, session settings) and its
 * 128-bit hash, which names the cache entry.
 */
package io.sqlcache.key;

package io.sqlcache.codec;

/**
 * What one cache entry holds: the full key material (compared on a hit, so a hash collision
 * can never serve the wrong rows), the table versions it was computed under, and the rows.
 *
 * @param keyMaterial the bytes the key hash was computed from
 * @param versions    the versions of the read tables (and epochs) read before the query ran,
 *                    in the order of the version keys the reader checked
 * @param rows        the result
 */
public record CacheEntry(byte[] keyMaterial, long[] versions, CachedRows rows) {
}

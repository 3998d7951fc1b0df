package io.sqlcache.codec;

/**
 * What one cache entry holds: the full key material (compared on a hit, so a hash collision
 * can never serve the wrong rows), the table versions it was computed under, and the rows.
 *
 * @param keyMaterial the bytes the key hash was computed from
 * @param versions    the versions of the read tables (and epochs) read before the query ran,
 *                    in the order of the version keys the reader checked
 * @param expiresAtMillis when the entry stops being served, in wall-clock milliseconds (the
 *                    writer's clock): the store's own TTL says the same for the stored bytes,
 *                    and this lets a reader that keeps a decoded copy honour it too
 * @param rows        the result
 */
public record CacheEntry(byte[] keyMaterial, long[] versions, long expiresAtMillis, CachedRows rows) {
}

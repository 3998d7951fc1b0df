package io.sqlcache.store;

import java.util.List;

/**
 * Where entries and table versions live.
 *
 * <p>Versions are opaque {@code long}s compared only for equality. A version key that does not
 * exist is created with a fresh random value (never read as 0), and a bump replaces the value
 * with a fresh random one, so a counter lost to eviction or a restart can never make an old
 * entry match again.
 *
 * <p>Implementations are thread-safe. Keys and values passed in are never {@code null}; a
 * method either succeeds or throws {@link StoreException}, never anything else.
 */
public interface CacheStore extends AutoCloseable {

    /**
     * Reads an entry and the current versions of {@code versionKeys} in one round trip.
     * Missing version keys are created with random values (which may cost a second round
     * trip, only when a key was missing).
     *
     * @return the entry bytes ({@code null} when absent) and the versions, in key order
     */
    Lookup lookup(String entryKey, List<String> versionKeys) throws StoreException;

    /**
     * The current versions of {@code versionKeys}, without any entry: what a reader that already
     * holds an entry needs to know whether it still matches. Missing keys are created as in
     * {@link #lookup}.
     *
     * @return the versions, in key order
     */
    long[] versions(List<String> versionKeys) throws StoreException;

    /** Stores an entry that expires after {@code ttlSeconds} (at least 1). */
    void put(String entryKey, byte[] value, int ttlSeconds) throws StoreException;

    /** Gives every key in {@code versionKeys} a fresh random version, atomically per key. */
    void bump(List<String> versionKeys) throws StoreException;

    /** Removes every entry and version under this store's prefix (tests and admin). */
    void flushAll() throws StoreException;

    /**
     * How many entries this store holds and their encoded size, for status displays. May scan
     * (Redis: SCAN of the entry keys, pipelined STRLEN per page), so call it off latency-critical
     * threads; counts stop at {@link #USAGE_SCAN_LIMIT} keys and say so.
     */
    Usage usage() throws StoreException;

    /** Where {@link #usage()} stops counting. */
    int USAGE_SCAN_LIMIT = 1_000_000;

    /** A short description for logs and status, such as {@code redis://127.0.0.1:6379}. */
    String describe();

    @Override
    void close();

    /**
     * The answer of {@link #lookup}.
     *
     * @param entry    the entry bytes, or {@code null} when there is none
     * @param versions the current version of each key asked for, in order
     */
    record Lookup(byte[] entry, long[] versions) {
    }

    /**
     * The answer of {@link #usage}.
     *
     * @param entries  entries counted
     * @param bytes    their encoded size in bytes
     * @param complete false when counting stopped at {@link #USAGE_SCAN_LIMIT}
     */
    record Usage(long entries, long bytes, boolean complete) {
    }
}

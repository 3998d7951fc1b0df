package io.sqlcache.core;

import io.sqlcache.store.CacheStore;

/**
 * When an entry may be served and when a miss may be stored, from the versions a lookup read.
 * The versions are those of the keys the read depends on, in {@code VersionKeys} order, with the
 * write sequence last; an entry holds the versions it was stored under, the sequence at that
 * time last.
 *
 * <p>The sequence advances with every mark and every settle, before the versions change, in one
 * atomic step ({@link CacheStore#mark}). So an entry whose versions are still current and whose
 * sequence is at most {@code s} holds rows that were committed when the sequence was {@code s}
 * and have not changed since; a REPEATABLE READ transaction that read {@code s} before its
 * snapshot gets exactly its snapshot's rows from it ({@code shared/models/tx_protocol_model.py}).
 * Stateless.
 */
final class Freshness {

    /** The snapshot of a reader outside a transaction: any entry whose versions are current. */
    static final long ANY = Long.MAX_VALUE;

    private Freshness() {
    }

    /** Whether an entry stored under {@code stored} may be served to a reader whose snapshot is at {@code snapshot}. */
    static boolean servable(long[] stored, long[] current, long snapshot) {
        int n = current.length;
        if (stored.length != n || n == 0) {
            return false;
        }
        for (int i = 0; i < n - 1; i++) {
            if (stored[i] != current[i]) {
                return false;
            }
        }
        // an entry is never stored under a version in flight, so equal versions are settled ones
        return stored[n - 1] <= snapshot;
    }

    /**
     * Whether a miss whose lookup read {@code current} may store what the database returns: no
     * write was in flight on what it reads and, in a transaction, nothing was written anywhere
     * since the transaction's snapshot (its rows may be older than the current ones).
     */
    static boolean storable(long[] current, long snapshot) {
        int n = current.length;
        for (int i = 0; i < n - 1; i++) {
            if (CacheStore.inFlight(current[i])) {
                return false;
            }
        }
        return snapshot == ANY || current[n - 1] == snapshot;
    }

    /** Whether any version (the sequence aside) is in flight. */
    static boolean anyInFlight(long[] current) {
        for (int i = 0; i < current.length - 1; i++) {
            if (CacheStore.inFlight(current[i])) {
                return true;
            }
        }
        return false;
    }
}

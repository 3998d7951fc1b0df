package io.sqlcache.store;

import io.netty.channel.EventLoopGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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

    /**
     * {@link #lookup} without blocking the caller: for event loops, which must never wait on a
     * store. The stage completes with the same answer, or exceptionally with a
     * {@link StoreException} (possibly wrapped in a {@code CompletionException}) within about
     * the store's command timeout; it is never left incomplete. Callbacks may run on a thread
     * of the store's (a Redis I/O thread): continue elsewhere with an {@code ...Async} stage.
     *
     * <p>The default runs {@link #lookup} on the caller's thread, which is fine for a store
     * that answers from memory; a store that does I/O must override it.
     */
    default CompletionStage<Lookup> lookupAsync(String entryKey, List<String> versionKeys) {
        try {
            return CompletableFuture.completedFuture(lookup(entryKey, versionKeys));
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new StoreException("store failed unexpectedly: " + e, e));
        }
    }

    /**
     * A hint that {@link #lookupAsync} and {@link #putAsync} will be called on {@code loops},
     * event loops the caller owns: a store that does I/O may run those calls on connections
     * of its own registered on those loops, so that they complete there without a thread hop.
     * The caller calls {@link #detach} before it shuts the loops down. The default ignores it.
     */
    default void attach(EventLoopGroup loops) {
    }

    /** Undoes {@link #attach}: nothing of this store's runs on {@code loops} afterwards. The default does nothing. */
    default void detach(EventLoopGroup loops) {
    }

    /** Stores an entry that expires after {@code ttlSeconds} (at least 1). */
    void put(String entryKey, byte[] value, int ttlSeconds) throws StoreException;

    /**
     * {@link #put} without waiting: for a miss, whose rows the application already has. Every
     * later {@link #lookup} of this entry by the same thread runs after the put has been applied
     * or has failed (a store that queues commands on one connection keeps their order; a lookup
     * of another entry may overtake the put), so this thread reads its own entries; other
     * threads and processes may briefly not see it yet, which is a miss for them, never a wrong
     * answer. The stage
     * completes (or fails with a {@link StoreException}) within about the store's timeout (a
     * store may hold the put back briefly, to send it with its next command); callbacks may run
     * on a thread of the store's.
     *
     * <p>The default runs {@link #put} on the caller's thread.
     */
    default CompletionStage<Void> putAsync(String entryKey, byte[] value, int ttlSeconds) {
        try {
            put(entryKey, value, ttlSeconds);
            return CompletableFuture.completedFuture(null);
        } catch (StoreException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new StoreException("store failed unexpectedly: " + e, e));
        }
    }

    /**
     * The calling thread's place in this store's order of commands, for a
     * {@link #putAsync(Object, String, byte[], int)} that another thread makes on its behalf (a
     * miss encoded on a spare thread). An opaque token, or {@code null}; the default is
     * {@code null}.
     */
    default Object orderOfCaller() {
        return null;
    }

    /**
     * {@link #putAsync(String, byte[], int)} made by any thread on behalf of the thread whose
     * {@link #orderOfCaller} returned {@code order}: every later lookup of that thread runs after
     * the put, as if that thread had made it. The default ignores {@code order}, which is right
     * for a store whose commands all leave in one order (one connection, or memory).
     *
     * @param order what {@link #orderOfCaller} returned, possibly {@code null}
     */
    default CompletionStage<Void> putAsync(Object order, String entryKey, byte[] value, int ttlSeconds) {
        return putAsync(entryKey, value, ttlSeconds);
    }

    /**
     * Marks a write in flight before it commits: each of {@code versionKeys} gets a fresh odd
     * version (odd means in flight: no entry is stored under it, so none can match it), and
     * {@code writer} joins the key's writers until {@link #settle} or until {@code leaseMillis}
     * passes (a writer that died). The write sequence advances first, in the same atomic step.
     *
     * @param sequenceKey the write sequence to advance, or {@code null} for none
     * @param writer      a token unique to this write
     * @throws IllegalArgumentException when {@code leaseMillis} is less than 1
     */
    void mark(List<String> versionKeys, String sequenceKey, String writer, long leaseMillis) throws StoreException;

    /**
     * After a write committed (or when its outcome is unknown): ends {@code writer}'s marks and
     * those whose lease has passed, and gives each key a fresh version, odd while another
     * writer's mark remains and even otherwise. The write sequence advances first, in the same
     * atomic step, so a reader that sees the new version sees the new sequence too.
     *
     * @param sequenceKey the write sequence to advance, or {@code null} for none
     * @param writer      the token given to {@link #mark}, or {@code null} for a write that marked nothing
     */
    void settle(List<String> versionKeys, String sequenceKey, String writer) throws StoreException;

    /**
     * Gives every key a fresh version without a write sequence: a {@link #settle} with neither.
     * For stores used without transaction snapshots, and tests.
     */
    default void bump(List<String> versionKeys) throws StoreException {
        settle(versionKeys, null, null);
    }

    /** Whether a version says that a write to its key is in flight ({@link #mark}). */
    static boolean inFlight(long version) {
        return Versions.inFlight(version);
    }

    /**
     * Whether a lookup reads the write sequence (listed last among its version keys) and the
     * versions at one instant, and a mark or settle changes them in one step: what serving a
     * REPEATABLE READ transaction from the cache needs. One Redis node: yes; a cluster: no.
     */
    default boolean ordersSequence() {
        return true;
    }

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

package io.sqlcache.core;

import io.sqlcache.codec.CacheEntry;
import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.EntryCodec;
import io.sqlcache.metrics.CacheMetrics;
import io.sqlcache.store.CacheStore;
import io.sqlcache.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The storing half of a miss: encodes an entry (on the spare encoder thread when it is large and
 * that thread is idle) and hands it to the store without waiting for the reply, bounded by a
 * backlog, keeping each thread's commands in the order it issued them. Thread-safe.
 */
final class EntryWriter {

    private static final Logger LOG = System.getLogger(EntryWriter.class.getName());

    private final CacheStore store;
    private final EntryCodec codec;
    private final CacheMetrics metrics;
    private final long maxBytes;
    private final long timeoutMillis;
    /** Whether an entry the codec refused was logged as a WARNING yet: see {@link #unencodable}. */
    private final AtomicBoolean unencodableWarned = new AtomicBoolean();

    EntryWriter(CacheStore store, EntryCodec codec, CacheMetrics metrics, long maxBytes, long timeoutMillis) {
        this.store = store;
        this.codec = codec;
        this.metrics = metrics;
        this.maxBytes = maxBytes;
        this.timeoutMillis = timeoutMillis;
    }

    /** Entries handed to the store whose reply has not come yet (see {@link #write}). */
    private final AtomicInteger pendingPuts = new AtomicInteger();
    /** The last entry handed to the store: the store applies them in order (tests wait for it). */
    /** The order of {@link #store} that means the calling thread's own. */
    private static final Object CALLER = new Object();

    private volatile CompletionStage<Void> lastPut = CompletableFuture.completedFuture(null);
    /** Bound of {@link #pendingPuts}: a store that stopped answering must not queue every miss. */
    static final int MAX_PENDING_PUTS = 256;
    /**
     * Results of this many cells or more are encoded off the caller's thread when the encoder
     * is idle. The hand-off saves the caller CPU but not time unless the caller has more to do
     * before its next lookup than the encoder needs, since that lookup waits for the entry's
     * SET: a wake-up of the encoder, often on an idle core, then its encoding. Measured in one
     * process, variants interleaved, time outside the database (CpuSplit, benchmarks/DECISIONS.md):
     * encoding on the caller made a 32-row join miss of 4 columns 60 to 75 µs faster (of about
     * 500) and a 100-row range miss of 5 columns 20 µs faster (of about 185). Larger results
     * still hand off: their rows take the application longer to read, which may hide the
     * encoding (not measured beyond 500 cells).
     */
    static final int OFFLOAD_CELLS = 1024;
    /**
     * Per thread, its last entry on the encoder thread, until the entry's SET is handed to the
     * store: the thread's next lookup waits for it, so a thread's commands still reach the store
     * in the order it issued them (its next lookup, of any key, finds every entry it stored).
     */
    private final ThreadLocal<CompletableFuture<Void>> encodingOfThread = new ThreadLocal<>();
    /** The last entry handed to the encoder thread, which encodes in order (tests wait for it). */
    private volatile CompletableFuture<Void> lastEncoding = CompletableFuture.completedFuture(null);
    private final LongAdder offloaded = new LongAdder();

    /** The encoder thread, started with the first miss that may use it. */
    private static final class Encoder {
        static final SpareThread THREAD = new SpareThread("sqlcache-encoder");
    }

    /**
     * Waits until the calling thread's last entry on the encoder thread, if any, is handed to the
     * store; at most the store's timeout (I4: a read never hangs on the cache), after which the
     * lookup may miss that entry.
     */
    void awaitOwnEncoding() {
        CompletableFuture<Void> mine = encodingOfThread.get();
        if (mine == null) {
            return;
        }
        encodingOfThread.set(null);
        if (mine.isDone()) {
            return;
        }
        try {
            mine.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // never exceptional (completed in a finally); a timeout: go on without the entry
        }
    }

    void write(String entryKey, CacheEntry entry, int ttlSeconds) {
        if (!reserve()) {
            return;
        }
        CachedRows rows = entry.rows();
        if ((long) rows.rowCount() * rows.columns().size() >= OFFLOAD_CELLS) {
            CompletableFuture<Void> handed = new CompletableFuture<>();
            // the put joins this thread's order of commands, not the encoder's
            Object order = store.orderOfCaller();
            Runnable task = () -> {
                try {
                    encodeAndStore(order, entryKey, entry, ttlSeconds);
                } finally {
                    handed.complete(null);
                }
            };
            if (Encoder.THREAD.offer(task)) {
                offloaded.increment();
                encodingOfThread.set(handed);
                lastEncoding = handed;
                return;
            }
        }
        encodeAndStore(CALLER, entryKey, entry, ttlSeconds);
    }

    /**
     * Encodes and stores an entry whose backlog slot is {@link #reserve reserved}, on behalf of
     * the thread whose {@link CacheStore#orderOfCaller} is {@code order} ({@link #CALLER}: the
     * calling thread's own); never throws.
     */
    private void encodeAndStore(Object order, String entryKey, CacheEntry entry, int ttlSeconds) {
        byte[] bytes;
        try {
            bytes = codec.encode(entry);
        } catch (RuntimeException e) {
            // a cell the capture let through that the codec refuses: a bug, but the query has its rows
            pendingPuts.decrementAndGet();
            metrics.storeError();
            unencodable(entryKey, e);
            return;
        }
        if (bytes.length > maxBytes) {
            pendingPuts.decrementAndGet();
            metrics.bypass("result over " + maxBytes + " bytes");
            return;
        }
        // no local copy of a miss's rows: the first hit in this process fetches and decodes the
        // entry (once, in the same single round trip) and keeps that. Keeping every miss's rows
        // cost a range miss 6-9 % (JMH, sqlcache-miss against sqlcache-miss-nocopy, three runs):
        // the copies of rows read once, several times their encoded size on the heap, pushed out
        // the copies that hits use
        store(order, entryKey, bytes, ttlSeconds);
    }

    /**
     * Takes a slot of the store backlog for one entry, or counts the entry as dropped: a store
     * that stopped answering must not queue every miss.
     */
    private boolean reserve() {
        if (pendingPuts.incrementAndGet() > MAX_PENDING_PUTS) {
            pendingPuts.decrementAndGet();
            metrics.bypass("store backlog: entry not stored");
            return false;
        }
        return true;
    }

    /**
     * Hands encoded bytes to the store without waiting for its reply: the caller has its rows,
     * a round trip off every miss. The store keeps a thread's commands in order, so that
     * thread's next lookup sees the entry; {@code order} is that thread's
     * ({@link CacheStore#orderOfCaller}), or {@link #CALLER} for the calling thread. Takes a {@link #reserve reserved} slot, which the
     * reply frees. Never throws.
     */
    private void store(Object order, String entryKey, byte[] bytes, int ttlSeconds) {
        CompletionStage<Void> stage;
        try {
            stage = order == CALLER ? store.putAsync(entryKey, bytes, ttlSeconds)
                    : store.putAsync(order, entryKey, bytes, ttlSeconds);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(new StoreException("put failed: " + e, e));
        }
        lastPut = stage.whenComplete((ok, e) -> {
            pendingPuts.decrementAndGet();
            if (e == null) {
                metrics.stored();
            } else {
                storeFailed("put", StoreException.of(e));
            }
        });
    }

    /** Entries encoded on the encoder thread so far (tests). */
    long offloadedCount() {
        return offloaded.sum();
    }

    /** Entries handed to the store whose reply has not come yet (tests). */
    int pendingPutCount() {
        return pendingPuts.get();
    }

    /** Waits until the entries this runtime has handed to the store so far are stored or failed (tests). */
    void awaitStores() {
        lastEncoding.join();
        lastPut.toCompletableFuture().exceptionally(e -> null).join();
    }

    /**
     * Logs an entry the codec refused. The same bug hits every run of the same query, so only the
     * first in this runtime is a WARNING with its stack trace (what a bug report needs); the
     * others are counted as store errors and logged at DEBUG.
     */
    private void unencodable(String entryKey, RuntimeException e) {
        if (unencodableWarned.compareAndSet(false, true)) {
            LOG.log(Level.WARNING, "sqlcache: entry " + entryKey + " not encodable, not stored"
                    + " (further ones are counted as store errors and logged at DEBUG)", e);
        } else {
            LOG.log(Level.DEBUG, "sqlcache: entry " + entryKey + " not encodable, not stored", e);
        }
    }

    /** Stores an entry of raw packets already encoded (the proxy's), without waiting. */
    void writeRaw(String entryKey, byte[] bytes, int ttlSeconds) {
        if (reserve()) {
            store(CALLER, entryKey, bytes, ttlSeconds);
        }
    }

    private void storeFailed(String op, StoreException e) {
        metrics.storeError();
        LOG.log(Level.DEBUG, () -> "sqlcache: store " + op + " failed on " + store.describe() + ": " + e.getMessage());
    }
}

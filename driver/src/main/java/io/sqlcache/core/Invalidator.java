package io.sqlcache.core;

import io.sqlcache.invalidate.VersionKeys;
import io.sqlcache.metrics.CacheMetrics;
import io.sqlcache.sql.TableName;
import io.sqlcache.store.CacheStore;
import io.sqlcache.store.StoreException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The writing side of the version protocol: a write marks what it writes in flight before it
 * commits ({@link #mark}) and settles it after ({@link #settle}), and both advance the write
 * sequence. What the marks buy:
 * <ul>
 *   <li>between a commit and its bump, a reader that looks up the table sees it in flight and
 *       neither serves nor stores (I1 no longer has a window after the commit);</li>
 *   <li>a REPEATABLE READ transaction that read the sequence before its snapshot can tell which
 *       entries hold exactly its snapshot's rows ({@link Freshness}).</li>
 * </ul>
 * A writer that dies between its mark and its settle leaves the table in flight until its lease
 * ends; readers that meet such a key ask for a {@link #repair}, which settles it once the lease
 * has passed.
 *
 * <p>Never throws: a settle that fails is remembered and retried before this process trusts the
 * store again (and in the background), so no process serves an entry the write made stale once
 * the store is back. A mark that fails costs nothing but the guarantee it would have given a
 * concurrent transaction's snapshot; the settle after the write still lands or is retried.
 * Thread-safe.
 */
final class Invalidator {

    private static final Logger LOG = System.getLogger(Invalidator.class.getName());
    private static final ScheduledExecutorService RETRY = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sqlcache-bump-retry");
        t.setDaemon(true);
        return t;
    });
    /** A key in flight is asked to be repaired at most this often by one process. */
    private static final long REPAIR_INTERVAL_MILLIS = 1_000;

    private final CacheStore store;
    private final VersionKeys keys;
    private final CacheMetrics metrics;
    private final long leaseMillis;
    private final long retryMillis;
    /**
     * Settles that failed, per key and writer (a mark that timed out may still have landed: its
     * writer must be ended too, or the key stays in flight for the lease): retried before this
     * process trusts the store again.
     */
    private final ConcurrentHashMap<Pending, Long> pending = new ConcurrentHashMap<>();
    /** Orders failures, so a flush never forgets a failure that came after its snapshot. */
    private final AtomicLong failureSequence = new AtomicLong();
    private final AtomicBoolean retryScheduled = new AtomicBoolean();
    /** When remembered settles last all landed (wall clock, ms): the end of this JVM's outage window. */
    private volatile long pendingClearedAtMillis;
    /** Per key in flight, when this process may ask for its repair again. */
    private final ConcurrentHashMap<String, Long> repairs = new ConcurrentHashMap<>();

    Invalidator(CacheStore store, VersionKeys keys, CacheMetrics metrics, long leaseMillis, long retryMillis) {
        this.store = store;
        this.keys = keys;
        this.metrics = metrics;
        this.leaseMillis = leaseMillis;
        this.retryMillis = Math.max(50, retryMillis);
    }

    /** A key whose settle failed, and the writer whose mark it ends ("" for none). */
    private record Pending(String key, String writer) {
    }

    /** What a write marked: its keys and its token, for {@link #settle}. */
    record Marks(List<String> keys, String writer) {
        static final Marks NONE = new Marks(List.of(), null);
    }

    /** Marks a write in flight before it runs or commits; {@link Marks#NONE} for nothing to mark. */
    Marks mark(WriteTarget write) {
        if (write.isEmpty()) {
            return Marks.NONE;
        }
        List<String> written = keys.forWrite(write.tables(), write.unknown(), write.buckets());
        String writer = UUID.randomUUID().toString();
        try {
            store.mark(written, keys.sequenceKey(), writer, leaseMillis);
        } catch (StoreException e) {
            // the settle after the write still invalidates (or is retried); only a concurrent
            // transaction's snapshot proof is lost, and that transaction reads the same store
            storeFailed("mark", e);
        }
        return new Marks(written, writer);
    }

    /** After the write committed (or its outcome is unknown): settles its marks and what else it wrote. */
    void settle(Marks marks, WriteTarget write) {
        List<String> all = new ArrayList<>(marks.keys());
        if (!write.isEmpty()) {
            for (String k : keys.forWrite(write.tables(), write.unknown(), write.buckets())) {
                if (!all.contains(k)) {
                    all.add(k);
                }
            }
        }
        if (all.isEmpty()) {
            return;
        }
        try {
            store.settle(all, keys.sequenceKey(), marks.writer());
            metrics.invalidated(all.size());
        } catch (StoreException e) {
            long seq = failureSequence.incrementAndGet();
            String writer = marks.writer() == null ? "" : marks.writer();
            all.forEach(k -> pending.put(new Pending(k, writer), seq));
            storeFailed("bump", e);
            scheduleRetry();
        }
    }

    /** Bumps the versions of what a write changed, without marks. */
    void invalidate(Collection<TableName> tables, boolean unknown, Map<TableName, long[]> buckets) {
        settle(Marks.NONE, new WriteTarget(new java.util.HashSet<>(tables), unknown, buckets));
    }

    /**
     * Keys a reader found in flight: each is settled (in the background, at most once a second
     * per process) when its writers' leases have all passed, which frees a table left in flight
     * by a writer that died. A settle of a key whose writer is alive keeps it in flight.
     */
    void repair(List<String> versionKeys, long[] versions) {
        long now = System.currentTimeMillis();
        List<String> due = new ArrayList<>();
        for (int i = 0; i < versions.length - 1; i++) {
            if (CacheStore.inFlight(versions[i])) {
                String k = versionKeys.get(i);
                Long next = repairs.get(k);
                if ((next == null || next <= now) && repairs.size() < 10_000) {
                    repairs.put(k, now + REPAIR_INTERVAL_MILLIS);
                    due.add(k);
                }
            }
        }
        if (!due.isEmpty()) {
            RETRY.execute(() -> {
                try {
                    store.settle(due, keys.sequenceKey(), null);
                } catch (StoreException e) {
                    storeFailed("repair", e);
                }
                repairs.values().removeIf(t -> t <= System.currentTimeMillis());
            });
        }
    }

    /** Whether settles wait to be retried (then the store is not to be trusted yet). */
    boolean hasPending() {
        return !pending.isEmpty();
    }

    /** Lands the remembered settles now; false when the store still fails. */
    boolean flushPending() {
        Map<Pending, Long> snapshot = new HashMap<>(pending);
        if (snapshot.isEmpty()) {
            return true;
        }
        Map<String, List<String>> byWriter = new HashMap<>();
        snapshot.keySet().forEach(p -> byWriter.computeIfAbsent(p.writer(), w -> new ArrayList<>()).add(p.key()));
        try {
            for (Map.Entry<String, List<String>> e : byWriter.entrySet()) {
                store.settle(e.getValue(), keys.sequenceKey(), e.getKey().isEmpty() ? null : e.getKey());
            }
            metrics.invalidated(snapshot.size());
            // a key that failed again meanwhile keeps its newer sequence and stays pending
            snapshot.forEach(pending::remove);
            if (pending.isEmpty()) {
                pendingClearedAtMillis = System.currentTimeMillis();
            }
            return true;
        } catch (StoreException e) {
            storeFailed("bump", e);
            return false;
        }
    }

    /**
     * Retries remembered settles in the background until they land: other JVMs serve the entries
     * they invalidate until then (docs/guarantees.md, "A Redis outage"), so the window must not
     * wait for this process's next read.
     */
    void scheduleRetry() {
        if (retryScheduled.compareAndSet(false, true)) {
            RETRY.schedule(() -> {
                retryScheduled.set(false);
                if (!pending.isEmpty() && !flushPending()) {
                    scheduleRetry();
                }
            }, retryMillis, TimeUnit.MILLISECONDS);
        }
    }

    long pendingClearedAtMillis() {
        return pendingClearedAtMillis;
    }

    int pendingCount() {
        return pending.size();
    }

    private void storeFailed(String op, StoreException e) {
        metrics.storeError();
        LOG.log(Level.DEBUG, () -> "sqlcache: store " + op + " failed on " + store.describe() + ": " + e.getMessage());
    }
}

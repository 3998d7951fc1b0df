package io.sqlcache.core;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * When a REPEATABLE READ transaction's snapshot was taken, as far as the cache must know it: the
 * write sequence read before it ({@link CacheRuntime#sequence}), which {@link Freshness} compares
 * entries with. InnoDB takes a transaction's snapshot at its first consistent read (or at
 * {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}), never at a write; so the sequence is read
 * before the transaction's first read reaches the server, and when the transaction's first read
 * is one the cache could serve, the snapshot is taken explicitly right then, so that what the
 * cache serves and what the server later answers belong to one snapshot.
 *
 * <p>One per session, reset when a transaction begins or ends; not thread-safe.
 */
public final class TransactionSnapshot {

    /** The statement that takes a snapshot at once (a BEGIN of the application's, or one sent to pin it). */
    public static final String START_WITH_SNAPSHOT = "START TRANSACTION WITH CONSISTENT SNAPSHOT";
    private static final java.util.regex.Pattern TAKES_SNAPSHOT = java.util.regex.Pattern.compile(
            "(?is)^\\s*START\\s+TRANSACTION\\b.*CONSISTENT\\s+SNAPSHOT.*");

    private static final long NONE = -2;
    private static final long UNPROVABLE = -1;

    private long sequence = NONE;
    /** Something was sent in this transaction that an explicit snapshot would commit implicitly. */
    private boolean started;

    /** Whether a BEGIN's text takes the transaction's snapshot at once ({@code … WITH CONSISTENT SNAPSHOT}). */
    public static boolean takesSnapshotAtOnce(String begin) {
        return begin != null && TAKES_SNAPSHOT.matcher(begin).matches();
    }

    /** A transaction began or ended: the next one has no snapshot yet. */
    public void reset() {
        sequence = NONE;
        started = false;
    }

    /**
     * Before a statement of a REPEATABLE READ transaction reaches the server.
     *
     * @param read      whether it may take the snapshot: a read, a CALL, a BEGIN with a
     *                  consistent snapshot (reading the sequence before a write is never wrong, only
     *                  a round trip for nothing)
     * @param starts    whether it starts the transaction on the server (anything but SET and USE)
     * @param sequences reads the write sequence, {@code -1} when the store cannot tell
     */
    public void beforeServer(boolean read, boolean starts, LongSupplier sequences) {
        if (sequence != NONE) {
            return;
        }
        if (read) {
            long s = sequences.getAsLong();
            sequence = s < 0 ? UNPROVABLE : s;
        }
        started |= starts;
    }

    /**
     * The sequence a read of this transaction may be served under, or {@code -1}. With no
     * snapshot yet and nothing sent, reads the sequence and takes the snapshot with {@code pin}
     * (true when it worked); with only writes sent, {@code -1}: that read goes to the server,
     * which takes the snapshot after {@link #beforeServer} read the sequence.
     */
    public long forRead(LongSupplier sequences, BooleanSupplier pin) {
        if (sequence == NONE && !started) {
            long s = sequences.getAsLong();
            sequence = s >= 0 && pin.getAsBoolean() ? s : UNPROVABLE;
            started = true;
        }
        return sequence >= 0 ? sequence : -1;
    }

    /**
     * Whether a statement about to reach the server should read the sequence first: no snapshot
     * yet, and it may take it (see {@link #beforeServer}). For a caller that must read the
     * sequence elsewhere first (the proxy, off its event loop).
     */
    public boolean wantsSequence(boolean read) {
        return sequence == NONE && read;
    }

    /** The snapshot was taken after the sequence read {@code s} ({@code -1}: unknown, none is proven). */
    public void pin(long s) {
        if (sequence == NONE) {
            sequence = s < 0 ? UNPROVABLE : s;
        }
        started = true;
    }

    /** The sequence reads may be served under now, without reading or sending anything; {@code -1} if none. */
    public long current() {
        return sequence >= 0 ? sequence : -1;
    }

    /** What {@link #forRead} would answer, without reading or sending anything (whyNotCached). */
    public long peek() {
        return sequence >= 0 ? sequence : sequence == NONE && !started ? 0 : -1;
    }
}

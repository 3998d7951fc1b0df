package io.sqlcache.core;

import io.sqlcache.invalidate.WriteSet;
import io.sqlcache.sql.StatementKind;
import java.util.Map;

/**
 * When a session's writes are bumped: the rule both front doors follow, so that a write's bump
 * completes before its success reaches the application (I1).
 * <ul>
 *   <li>In autocommit, a write is bumped right after its statement, with its row buckets.</li>
 *   <li>In a transaction, its tables join the write set (reads of them go to the server: read
 *       your writes) and are bumped whole when the transaction ends: after the real commit, and
 *       also after anything whose outcome is not known to be a rollback (a failed commit or
 *       rollback, a connection closed with a transaction open), because invalidating costs a
 *       miss and never a stale read.</li>
 * </ul>
 * The caller invalidates what {@link #wrote} and {@link #ended} return, before it answers the
 * application. Not thread-safe: one per session.
 */
public final class TransactionWrites {

    private final WriteSet writeSet = new WriteSet();

    /** The open transaction's writes (empty in autocommit). */
    public WriteSet writeSet() {
        return writeSet;
    }

    /** The open transaction's writes as one write (whole tables), for the marks before its commit. */
    public WriteTarget pending() {
        return writeSet.isEmpty() ? WriteTarget.NONE : new WriteTarget(writeSet.tables(), writeSet.unknown(), Map.of());
    }

    /**
     * What a statement must mark in flight before it runs (and settle after it): in autocommit,
     * what it writes; in a transaction, nothing for reads, writes and rollbacks (their writes wait
     * in the write set), and the write set with what it writes for anything that may commit the
     * transaction: COMMIT, BEGIN, DDL other than on temporary tables, and statements whose effect
     * on the transaction is not followed (SET, which may switch autocommit on; LOCK TABLES, XA and
     * the other statements that may commit implicitly).
     */
    public WriteTarget markedAround(StatementKind kind, boolean temporaryDdl, WriteTarget write,
                                    boolean inTransaction) {
        if (!inTransaction) {
            return write;
        }
        return switch (kind) {
            case READ, WRITE, ROLLBACK, USE -> WriteTarget.NONE;
            case DDL -> temporaryDdl ? WriteTarget.NONE : write.plus(pending());
            default -> write.plus(pending());
        };
    }

    /**
     * A statement's writes took effect (or may have: a failed write to a non-transactional table
     * still changes it).
     *
     * @param inTransactionAfter whether a transaction is open after the statement; a statement
     *                           that commits implicitly (DDL) is followed by {@link #ended}
     * @return what to bump now
     */
    public WriteTarget wrote(WriteTarget write, boolean inTransactionAfter) {
        if (write.isEmpty()) {
            return WriteTarget.NONE;
        }
        if (inTransactionAfter) {
            writeSet.add(write.tables(), write.unknown());
            return WriteTarget.NONE;
        }
        return write;
    }

    /**
     * The open transaction ended.
     *
     * @param rolledBack true only for a rollback known to have succeeded
     * @return what to bump now: the write set's tables whole, unless rolled back
     */
    public WriteTarget ended(boolean rolledBack) {
        if (writeSet.isEmpty()) {
            return WriteTarget.NONE;
        }
        WriteTarget bump = rolledBack ? WriteTarget.NONE
                : new WriteTarget(writeSet.tables(), writeSet.unknown(), Map.of());
        writeSet.clear();
        return bump;
    }
}

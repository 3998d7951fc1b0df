package io.sqlcache.core;

import io.sqlcache.invalidate.WriteSet;

/**
 * What {@link ReadPolicy} and {@link WriteTarget} need to know of one database session: the
 * small view both front doors keep, the driver from its connection and the server, the proxy
 * from the packets it relays. Implementations are confined to the session's thread (or event
 * loop); the policy reads them on that thread only.
 */
public interface SessionView {

    /**
     * Why nothing on this session may be cached right now (its state could not be read or
     * followed, the real driver's options make values differ, …), or {@code null}.
     */
    String stateBypass();

    /** The current schema, or {@code null} when there is none or it is not known. */
    String schema();

    /** Whether a transaction is open (autocommit off, or an explicit BEGIN not yet ended). */
    boolean inTransaction();

    /**
     * The isolation of the open transaction, or of the next statement in autocommit. A level set
     * for the next transaction only ({@code SET TRANSACTION …}) is {@link Isolation#UNKNOWN}
     * until that transaction ends.
     */
    Isolation isolation();

    /**
     * For a read in a REPEATABLE READ transaction: the write sequence this transaction read
     * before its snapshot was taken ({@link CacheRuntime#sequence}), taking the snapshot now if
     * it has none yet and can (the driver sends {@code START TRANSACTION WITH CONSISTENT SNAPSHOT}
     * when the transaction has sent nothing to the server yet); {@code -1} when no read of this
     * transaction can be proven to match its snapshot. Called only inside a transaction.
     */
    long transactionSnapshot();

    /** The open transaction's writes; empty in autocommit. Never null. */
    WriteSet writeSet();

    /** The temporary tables this session may have. Never null. */
    TemporaryTables temporaryTables();

    /**
     * Asks the session whether a name is one of its temporary tables, for after a statement whose
     * effects could not be seen. The proxy never injects queries and uses {@link Prober#CANNOT_TELL}.
     */
    Prober temporaryTableProber();

    /** Asks a session whether a table is one of its temporary tables. */
    @FunctionalInterface
    interface Prober {
        /** A prober that never knows: every read after an unseen change bypasses. */
        Prober CANNOT_TELL = table -> null;

        /** True or false when known, {@code null} when the session cannot tell (then the read bypasses). */
        Boolean isTemporary(io.sqlcache.sql.TableName table);
    }
}

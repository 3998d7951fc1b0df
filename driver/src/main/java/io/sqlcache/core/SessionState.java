package io.sqlcache.core;

import io.sqlcache.invalidate.WriteSet;

/**
 * The session state both front doors keep for the cache's rules, whatever they learn it from:
 * the transaction's writes, the temporary tables, the isolation level and when a REPEATABLE READ
 * transaction's snapshot was taken. The driver's connection and the proxy's session extend it
 * with what only they can tell (the schema, the transaction state, why nothing may be cached).
 * Confined to the session's thread or event loop: not thread-safe.
 */
public abstract class SessionState implements SessionView {

    private final TransactionWrites writes = new TransactionWrites();
    private final TemporaryTables temporaryTables = new TemporaryTables();
    private final IsolationState isolation;
    private final TransactionSnapshot snapshot = new TransactionSnapshot();

    /** @param isolation the session's isolation level until it is known better */
    protected SessionState(Isolation isolation) {
        this.isolation = new IsolationState(isolation);
    }

    /** When this session's writes are bumped. */
    public final TransactionWrites writes() {
        return writes;
    }

    /** The session's isolation level, including one set for the next transaction only. */
    public final IsolationState isolationState() {
        return isolation;
    }

    /** When this REPEATABLE READ transaction's snapshot was taken. */
    public final TransactionSnapshot snapshot() {
        return snapshot;
    }

    @Override
    public Isolation isolation() {
        return isolation.effective();
    }

    @Override
    public final WriteSet writeSet() {
        return writes.writeSet();
    }

    @Override
    public final TemporaryTables temporaryTables() {
        return temporaryTables;
    }
}

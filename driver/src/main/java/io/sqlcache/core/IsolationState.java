package io.sqlcache.core;

/**
 * A session's isolation level as the cache must see it, including a level set for the next
 * transaction only ({@code SET TRANSACTION ISOLATION LEVEL …} without SESSION), which neither
 * the driver nor the proxy can read back from the server. That level applies to the next
 * transaction, which in autocommit is the next statement; until that transaction has ended the
 * effective level is {@link Isolation#UNKNOWN}, so no read of it is served or stored (it may be
 * READ UNCOMMITTED). Not thread-safe: one per session.
 */
public final class IsolationState {

    private Isolation session;
    private boolean nextTransactionPending;

    public IsolationState(Isolation session) {
        this.session = session;
    }

    /** The session's level (read from the server, or followed from a SET SESSION statement). */
    public void session(Isolation level) {
        session = level;
    }

    /** A {@code SET TRANSACTION} statement ran: its level applies to the next transaction only. */
    public void nextTransactionSet() {
        nextTransactionPending = true;
    }

    /**
     * A statement ran on the server.
     *
     * @param set                whether it was a SET statement (which starts no transaction)
     * @param inTransactionAfter whether a transaction is open after it
     */
    public void statementRan(boolean set, boolean inTransactionAfter) {
        if (!set && !inTransactionAfter) {
            // the transaction the pending level applied to (an autocommit statement, or one that
            // ended with this COMMIT or ROLLBACK) is over
            nextTransactionPending = false;
        }
    }

    /** A transaction ended outside a statement (JDBC commit, rollback, autocommit switched on). */
    public void transactionEnded() {
        nextTransactionPending = false;
    }

    /** The level the session's next read runs at. */
    public Isolation effective() {
        return nextTransactionPending ? Isolation.UNKNOWN : session;
    }

    /** After COM_RESET_CONNECTION or COM_CHANGE_USER: the server forgot the session's state. */
    public void reset(Isolation level) {
        session = level;
        nextTransactionPending = false;
    }
}

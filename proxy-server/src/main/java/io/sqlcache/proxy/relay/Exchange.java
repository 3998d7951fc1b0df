package io.sqlcache.proxy.relay;

import io.sqlcache.core.WriteTarget;
import io.sqlcache.proxy.protocol.Command;
import io.sqlcache.proxy.protocol.Packet;
import io.sqlcache.proxy.protocol.ResponseTracker;
import io.sqlcache.sql.SqlAnalysis;

/**
 * One command and what the proxy learned about it, grouped by who uses it: the request and the
 * progress of its answer here, the statement it runs ({@link Statement}), what it writes
 * ({@link PendingWrite}, {@link WriteFlow}), and for a cacheable read its lookup, coalescing and
 * capture ({@link ReadState}, {@link CachedReads}). {@link ClientConnection} makes one per
 * command and handles one at a time. Confined to the connection's event loop.
 */
final class Exchange {

    /** No parameters: a text statement. */
    static final Long[] NO_INTEGERS = new Long[0];

    final Command command;
    final Packet request;
    /** The server status before the command: the status after it when the answer carries none. */
    final int statusBefore;
    /** What it writes: the versions bumped before the answer's last packet reaches the client. */
    final PendingWrite write = new PendingWrite();
    /** Follows the server's answer; null until the request is forwarded. */
    ResponseTracker tracker;
    /** Whether a packet of the server's answer has reached the client. */
    boolean relayed;
    /** Session book-keeping to run when the server answers OK, or null. */
    Runnable onOk;
    /** The statement it runs once analysed, or null (not a statement, or one the proxy cannot name). */
    Statement statement;
    /** A cacheable read's lookup, coalescing and capture, or null. */
    ReadState read;
    /** For a COM_STMT_EXECUTE of a known statement: the parameter types the server must hold, or null. */
    BinaryExecute.Types types;
    /** The request as forwarded instead of the client's (a BEGIN that takes its snapshot), or null. */
    Packet rewritten;

    Exchange(Command command, Packet request, int statusBefore) {
        this.command = command;
        this.request = request;
        this.statusBefore = statusBefore;
    }

    /** Ends what the exchange holds beyond its command: a coalesced flight it leads, a wait it bounds. */
    void release() {
        if (read != null) {
            read.release();
        }
    }

    /**
     * The statement a command runs.
     *
     * @param sql           its text
     * @param analysis      what it reads and writes
     * @param integerParams its parameters as integers (RowScopes; null entries for others), empty for
     *                      a text statement, or {@code null} when unknown
     */
    record Statement(String sql, SqlAnalysis analysis, Long[] integerParams) {
    }

    /**
     * What a command writes, as far as the proxy can tell: the target of the bump after its
     * answer, and whether a failed command still bumps. Confined to the event loop.
     */
    static final class PendingWrite {
        private boolean writes;
        private WriteTarget target = WriteTarget.NONE;
        /** A failed statement may still have written (a non-transactional table): bump anyway, as the driver does. */
        private boolean bumpOnError = true;
        /** What was marked in flight before it was forwarded ({@code CacheRuntime#mark}), or null. */
        private Object marks;

        void marked(Object marks) {
            this.marks = marks;
        }

        Object marks() {
            return marks;
        }

        /** It writes {@code target}. */
        void set(WriteTarget target) {
            this.writes = true;
            this.target = target;
        }

        /** It may write anything; {@code bumpOnError} false when a refusal means it ran nothing. */
        void unknown(boolean bumpOnError) {
            set(WriteTarget.UNKNOWN);
            this.bumpOnError = bumpOnError;
        }

        /** It turned out to write nothing (refused before it ran). */
        void cancel() {
            writes = false;
        }

        boolean writes() {
            return writes;
        }

        /** What it writes, when {@link #writes}. */
        WriteTarget target() {
            return target;
        }

        boolean bumpOnError() {
            return bumpOnError;
        }
    }
}

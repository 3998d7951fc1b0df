package io.sqlcache.proxy.relay;

import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.TransactionWrites;
import io.sqlcache.core.WriteTarget;
import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.proxy.protocol.Command;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import java.util.concurrent.RejectedExecutionException;

/**
 * The write flow of one connection: what a command writes ({@link WriteTarget#of}, noted in its
 * {@link Exchange.PendingWrite}), its expansion with the catalog before it is forwarded, and the
 * bump after its answer, which completes before the answer's last packet reaches the client
 * (I1). When a session's writes are bumped is {@link TransactionWrites}'s rule; this class only
 * applies it to what the relay sees.
 *
 * <p>Confined to the connection's event loop. Catalog reads and bumps block: they run on the
 * context's workers through {@link ClientConnection#submit}.
 */
final class WriteFlow {

    private final ClientConnection connection;
    private final Session session;
    private final ProxyContext context;
    private final CacheRuntime runtime;

    WriteFlow(ClientConnection connection, Session session, ProxyContext context) {
        this.connection = connection;
        this.session = session;
        this.context = context;
        this.runtime = context.runtime();
    }

    /** Marks what a statement writes, for the bump after its answer. */
    void classify(Exchange ex, SqlAnalysis a, boolean trusted) {
        if (a.kind() == StatementKind.READ && a.writesUnknown() || a.writes()) {
            WriteTarget t = WriteTarget.of(a, session);
            // a text we could not decode exactly may name its tables wrongly: everything, then
            ex.write.set(trusted ? t : t.plus(WriteTarget.UNKNOWN));
        }
    }

    /**
     * Expands a data write, with the catalog, to the tables the server writes by itself
     * (triggers, cascading foreign keys, the base tables of a view written through); without
     * catalog access those are unknown and the write bumps the global epoch. Then runs
     * {@code forward}, on the event loop.
     */
    void expand(Exchange ex, Runnable forward) {
        Exchange.Statement s = ex.statement;
        Exchange.PendingWrite write = ex.write;
        SqlAnalysis a = s == null ? null : s.analysis();
        if (!write.writes() || a == null || !write.target().expandable(a)) {
            markThen(ex, forward);
            return;
        }
        CatalogConnector catalog = context.catalog();
        if (catalog == null) {
            write.set(write.target().plus(WriteTarget.UNKNOWN));
            markThen(ex, forward);
            return;
        }
        WriteTarget named = write.target();
        String schema = session.schema();
        Long[] integerParams = s.integerParams();
        connection.submit(ex, () -> named.expand(runtime.dependencies(), a, schema, context.catalogServer(), catalog,
                integerParams), w -> {
                    write.set(w);
                    markThen(ex, forward);
                });
    }

    /**
     * Marks in flight what the statement may commit ({@link TransactionWrites#markedAround}: in
     * autocommit its write; in a transaction, the write set for anything that may commit it), on
     * a worker, then runs {@code forward} on the event loop. The marks are settled after the answer
     * ({@link #bumpThen}), whatever it is.
     */
    void markThen(Exchange ex, Runnable forward) {
        SqlAnalysis a = ex.statement == null ? null : ex.statement.analysis();
        WriteTarget write = ex.write.writes() ? ex.write.target() : WriteTarget.NONE;
        WriteTarget around = a == null
                ? session.writes().markedAround(StatementKind.OTHER, false, write, session.inTransaction())
                : session.writes().markedAround(a.kind(), a.temporaryTable() != null, write, session.inTransaction());
        if (around.isEmpty()) {
            forward.run();
            return;
        }
        connection.submit(ex, () -> runtime.mark(around), marks -> {
            ex.write.marked(marks);
            forward.run();
        });
    }

    /**
     * The server answered: what to bump before the answer's last packet reaches the client. Notes
     * what the statement may have changed besides rows (the catalog, temporary tables).
     *
     * @param ok            the answer is no error
     * @param ranNothing    the server could not parse the text, so it ran nothing
     * @param inTransaction a transaction is open after the statement
     */
    WriteTarget answered(Exchange ex, boolean ok, boolean ranNothing, boolean inTransaction) {
        Exchange.PendingWrite write = ex.write;
        SqlAnalysis a = ex.statement == null ? null : ex.statement.analysis();
        if (ranNothing || !ok && !write.bumpOnError()) {
            // refused before it ran (an unknown command, a statement id the server does not know)
            write.cancel();
        }
        boolean ddl = a != null && a.kind() == StatementKind.DDL;
        if (write.writes() && (ddl || write.target().unknown())) {
            // views, triggers or foreign keys may have changed (a procedure may run DDL too)
            Dependencies.catalogChanged();
        }
        if (write.writes() && write.target().unknown() && ex.command != Command.CREATE_DB
                && ex.command != Command.DROP_DB) {
            // as the driver: a procedure, a stored function, a multi-statement text (even one that
            // starts with CREATE) may have created temporary tables
            session.temporaryTables().mayHaveChanged();
        }
        WriteTarget bump = WriteTarget.NONE;
        if (write.writes() && (ok || write.bumpOnError())) {
            bump = session.writes().wrote(write.target(), inTransaction);
        }
        if (!inTransaction) {
            // the transaction ended (COMMIT, ROLLBACK, an implicit commit) or there was none
            boolean rolledBack = ok && a != null && a.kind() == StatementKind.ROLLBACK;
            bump = bump.plus(session.writes().ended(rolledBack));
        }
        return bump;
    }

    /**
     * Bumps {@code bump} on a worker, then runs {@code then} on the event loop: the server's OK
     * reaches the client only after the versions are bumped (I1). Without a bump, runs it now.
     */
    void bumpThen(Exchange ex, WriteTarget bump, Runnable then) {
        Object marks = ex.write.marks();
        if (bump.isEmpty() && marks == null) {
            then.run();
            return;
        }
        connection.submit(ex, () -> {
            runtime.settle(marks, bump);
            return Boolean.TRUE;
        }, bumped -> then.run());
    }

    /**
     * The connection closed: a write whose answer we did not see, or an open transaction's
     * writes, have an unknown outcome and are bumped.
     *
     * @param inFlight the exchange whose answer was not seen, or null
     */
    void closed(Exchange inFlight) {
        WriteTarget bump = session.writes().ended(false);
        Object marks = null;
        if (inFlight != null) {
            marks = inFlight.write.marks();
            if (inFlight.write.writes()) {
                bump = bump.plus(inFlight.write.target());
            }
        }
        if (!bump.isEmpty() || marks != null) {
            bumpInBackground(marks, bump);
        }
    }

    /** Settles and bumps without holding anything back (the connection is going away). */
    void bumpInBackground(Object marks, WriteTarget write) {
        try {
            context.workers().execute(() -> runtime.settle(marks, write));
        } catch (RejectedExecutionException e) {
            runtime.settle(marks, write);
        }
    }
}

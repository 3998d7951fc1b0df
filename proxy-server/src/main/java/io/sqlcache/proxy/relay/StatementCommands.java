package io.sqlcache.proxy.relay;

import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.ReadDecision;
import io.sqlcache.key.ParamValue;
import io.sqlcache.proxy.protocol.Capabilities;
import io.sqlcache.proxy.protocol.ErrPacket;
import io.sqlcache.proxy.protocol.OkPacket;
import io.sqlcache.proxy.protocol.ResponseTracker.Expect;
import io.sqlcache.proxy.protocol.TextResultSet;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import io.sqlcache.sql.TableName;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * The commands that carry SQL: COM_QUERY (and the proxy's own admin statements), COM_STMT_PREPARE
 * and COM_STMT_EXECUTE. Each statement is analysed, then goes to {@link CachedReads} when the
 * read policy allows the cache, or is forwarded with what it writes noted ({@link WriteFlow}).
 *
 * <p>Confined to the connection's event loop. Parsing a text not seen before, and the admin
 * statements' store calls, run on a worker ({@link ClientConnection#submit}).
 */
final class StatementCommands {

    private static final ParamValue[] NO_PARAMS = new ParamValue[0];

    private final ClientConnection connection;
    private final Session session;
    private final ExchangeRelay relay;
    private final CachedReads reads;
    private final WriteFlow writes;
    private final TransactionSnapshots snapshots;
    private final ProxyContext context;
    private final CacheRuntime runtime;

    StatementCommands(ClientConnection connection, Session session, ExchangeRelay relay, CachedReads reads,
                      WriteFlow writes, ProxyContext context) {
        this.connection = connection;
        this.session = session;
        this.relay = relay;
        this.reads = reads;
        this.writes = writes;
        this.context = context;
        this.runtime = context.runtime();
        this.snapshots = new TransactionSnapshots(connection, session, runtime);
    }

    /** COM_QUERY: an admin statement, a cacheable read seen before (no worker), or analysed on a worker. */
    void query(Exchange ex) {
        StatementText d = text(ex);
        AdminStatements.Admin admin = d.trusted() ? AdminStatements.parse(d.text()) : null;
        if (admin != null) {
            admin(ex, admin);
            return;
        }
        SqlAnalysis known = d.trusted() ? context.knownRead(d.text()) : null;
        if (known != null) {
            // a cacheable read seen before: no hop to a worker on the hit path
            analysed(ex, d, known);
            return;
        }
        connection.submit(ex, () -> runtime.analyze(d.text()), a -> {
            if (d.trusted()) {
                context.rememberRead(d.text(), a);
            }
            analysed(ex, d, a);
        });
    }

    private void analysed(Exchange ex, StatementText d, SqlAnalysis a) {
        ex.statement = new Exchange.Statement(d.text(), a, Exchange.NO_INTEGERS);
        if (a.kind() == StatementKind.READ && toCache(ex, a,
                d.trusted() ? null : "text not decodable in the connection's character set", () -> NO_PARAMS, "text")) {
            return;
        }
        forwardStatement(ex, a, d.trusted());
    }

    /** COM_STMT_PREPARE: analysed, so that its executes know what they read and write. */
    void prepare(Exchange ex) {
        StatementText d = text(ex);
        connection.submit(ex, () -> runtime.analyze(d.text()), a -> {
            SqlAnalysis known = d.trusted() ? a : null;
            // MariaDB: an execute of statement id -1 runs the last statement prepared; after a failed prepare, unknown
            session.lastPrepared = null;
            ex.onOk = () -> {
                Session.Prepared ps = new Session.Prepared(d.text(), known, ex.tracker.parameterCount());
                session.prepared.put(ex.tracker.statementId(), ps);
                session.lastPrepared = ps;
            };
            relay.forward(ex, Expect.PREPARE);
        });
    }

    /** COM_STMT_EXECUTE: a statement prepared and analysed before, with its parameters. */
    void execute(Exchange ex) {
        BinaryExecute x = BinaryExecute.parse(ex.request.payload(), session);
        Session.Prepared ps = x.prepared();
        if (ps == null || ps.analysis == null) {
            // unknown to us (or malformed: the server will refuse it): it may write anything
            ex.write.unknown(false);
            writes.markThen(ex, () -> relay.forward(ex, Expect.RESULT));
            return;
        }
        ex.types = x.types();
        SqlAnalysis a = ps.analysis;
        boolean longData = ps.longData;
        ps.longData = false;
        // values sent as long data are not in the packet: the others cannot be located
        ex.statement = new Exchange.Statement(ps.sql, a, longData ? null : x.integerParams());
        if (a.kind() == StatementKind.READ) {
            String reason = a.cacheable() ? null : a.bypassReason();
            if (reason == null && x.flags() != 0) {
                reason = "cursor requested";
            }
            if (reason == null && longData) {
                reason = "long data parameter";
            }
            if (reason == null && ps.parameterCount > 0 && ps.types == null) {
                reason = "parameter types unknown";
            }
            if (toCache(ex, a, reason, () -> ps.parameterCount == 0 ? NO_PARAMS
                    : new ParamValue[] {ParamValue.ofBytes(ps.types), ParamValue.ofBytes(x.values())}, "binary")) {
                return;
            }
        }
        forwardStatement(ex, a, true);
    }

    /**
     * A read goes to the cache unless {@code reason} or the read policy says why not; then the
     * reason is counted as a bypass.
     *
     * @return whether {@link CachedReads} took the read
     */
    private boolean toCache(Exchange ex, SqlAnalysis a, String reason, Supplier<ParamValue[]> params,
                            String protocol) {
        if (reason == null) {
            ReadDecision plan = runtime.readPolicy().named(a, session);
            if (plan.bypass() == null) {
                reads.read(ex, a, plan, params.get(), protocol);
                return true;
            }
            reason = plan.bypass();
        }
        runtime.metrics().bypass(reason);
        return false;
    }

    /** Forwards a statement that is not answered from the cache, its writes noted and expanded first. */
    private void forwardStatement(Exchange ex, SqlAnalysis a, boolean trusted) {
        writes.classify(ex, a, trusted);
        snapshots.beforeForward(ex, a, () -> writes.expand(ex, () -> relay.forward(ex, Expect.RESULT)));
    }

    /** The proxy's own statements: answered here, never forwarded. */
    private void admin(Exchange ex, AdminStatements.Admin admin) {
        if (admin.kind() == AdminStatements.Kind.STATUS) {
            // counting entries may scan the store: off the event loop, like every store call
            connection.submit(ex, () -> AdminStatements.status(runtime, context), rows -> relay.serve(ex,
                    TextResultSet.payloads(List.of("Variable_name", "Value"), rows, session.deprecateEof(),
                            session.status, (session.extended & Capabilities.MARIADB_KEPT) != 0)));
            return;
        }
        TableName table = admin.table();
        if (table != null && table.schema() == null) {
            table = table.resolve(session.schemaKnown ? session.schema : null);
            if (table.schema() == null) {
                relay.serve(ex, List.of(new ErrPacket(1046, "3D000", "No database selected").write()));
                return;
            }
        }
        TableName t = table;
        connection.submit(ex, () -> {
            AdminStatements.flush(runtime, t);
            return Boolean.TRUE;
        }, ok -> relay.serve(ex, List.of(new OkPacket(0, 0, session.status, 0).write())));
    }

    /** The statement text of a COM_QUERY or COM_STMT_PREPARE, after its command byte. */
    private StatementText text(Exchange ex) {
        byte[] payload = ex.request.payload();
        return StatementText.decode(Arrays.copyOfRange(payload, 1, payload.length), session.decoding);
    }
}

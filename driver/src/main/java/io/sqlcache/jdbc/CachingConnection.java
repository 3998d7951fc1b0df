package io.sqlcache.jdbc;

import io.sqlcache.CacheConfig;
import io.sqlcache.SqlCacheConnection;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.core.Isolation;
import io.sqlcache.core.IsolationState;
import io.sqlcache.core.ReadDecision;
import io.sqlcache.core.SessionState;
import io.sqlcache.core.SessionView;
import io.sqlcache.core.TemporaryTables;
import io.sqlcache.core.TransactionSnapshot;
import io.sqlcache.core.TransactionWrites;
import io.sqlcache.core.WriteTarget;
import io.sqlcache.metrics.CacheStats;
import io.sqlcache.sql.SessionVariables;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import io.sqlcache.invalidate.CatalogConnector;
import io.sqlcache.invalidate.Dependencies;
import io.sqlcache.key.ParamValue;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A connection of the real driver with the cache in front. It tracks what the real driver does
 * not expose cheaply and what decides whether a read may be cached: the current schema, the
 * session settings that shape results, the transaction and its write set, and the temporary
 * tables this session created. Every method not about caching delegates.
 *
 * <p>Not thread-safe beyond what JDBC promises for a connection: one thread at a time.
 */
public final class CachingConnection extends ConnectionDelegate implements SqlCacheConnection {

    /** More variables than this set on one connection and its reads bypass: a key should stay small. */
    private static final int MAX_EXTRA_VARIABLES = 32;

    private static final Pattern AND_CHAIN = Pattern.compile("(?i)\\bAND\\s+CHAIN\\b");
    private static final Pattern SET_NEXT_TRANSACTION =
            Pattern.compile("(?is)^\\s*SET\\s+TRANSACTION\\b.*");

    private final CacheRuntime runtime;
    /** This connection's verdicts on temporal text from raw bytes (capture of every miss). */
    private final ResultSetCapture.TextRules textRules = new ResultSetCapture.TextRules();
    private final String user;
    private final String driverScope;
    /** Non-null when the real driver's options make cached values differ: every read bypasses. */
    private final String optionsBypass;
    /** Asks this session whether a name is one of its temporary tables (after a procedure call). */
    private final SessionView.Prober temporaryProber;
    /** What the read policy sees of this connection. */
    private final View view = new View();
    /** The session state the rules follow (shortcuts into {@link #view}). */
    private final TransactionWrites writes = view.writes();
    private final TemporaryTables temporaryTables = view.temporaryTables();
    private final IsolationState isolation = view.isolationState();
    private final TransactionSnapshot snapshot = view.snapshot();
    /** Opens a separate connection to read the catalog (views, triggers, foreign keys). */
    private final CatalogConnector catalog;

    /** Null when stale: reloaded (one query) before the next cacheable read. */
    private String session;
    private String schema;
    private boolean autoCommit;
    private boolean explicitTransaction;
    /** Set while {@link #whyNotCached} plans: nothing may be sent then. */
    private boolean planningOnly;
    /** Variables a SET on this connection changed that may change results and the session query does not read. */
    private final Set<String> extraVariables = new java.util.TreeSet<>();

    private CachingConnection(Connection delegate, CacheRuntime runtime, String driverScope, CatalogConnector catalog)
            throws SQLException {
        super(delegate);
        this.runtime = runtime;
        this.driverScope = driverScope;
        this.catalog = catalog;
        this.optionsBypass = DriverOptions.unfaithful(driverScope);
        this.user = delegate.getMetaData().getUserName();
        this.temporaryProber = table -> TemporaryTableProbe.isTemporary(delegate, table);
        loadSession();
    }

    /**
     * Wraps a connection of the real driver. Reads the session state once (one query); if that
     * fails the connection still works and reads bypass the cache until it succeeds.
     *
     * @param driverScope what in the real driver's URL and properties can change values
     *                    (never a password); also names the server whose catalog applies
     * @param catalog     opens another connection to the same server, to read its catalog
     */
    public static CachingConnection wrap(Connection delegate, CacheRuntime runtime, String driverScope,
            CatalogConnector catalog) throws SQLException {
        return new CachingConnection(delegate, runtime, driverScope, catalog);
    }

    ResultSetCapture.TextRules textRules() {
        return textRules;
    }

    CacheRuntime runtime() {
        return runtime;
    }

    Connection delegate() {
        return delegate;
    }

    private void loadSession() {
        session = null;
        try (Statement st = delegate.createStatement(); ResultSet rs = SessionQuery.run(st, extraVariables)) {
            rs.next();
            schema = rs.getString(1);
            autoCommit = rs.getLong(2) != 0;
            StringBuilder sb = new StringBuilder();
            int n = rs.getMetaData().getColumnCount();
            // the isolation level (last column) decides whether to cache, not what the rows are: not key material
            for (int i = 3; i < n; i++) {
                sb.append(rs.getString(i)).append('\u0001');
            }
            isolation.session(Isolation.parse(rs.getString(n)));
            session = sb.toString();
        } catch (SQLException e) {
            // fail open: the connection works, reads bypass the cache until the state is known
            session = null;
        }
    }


    /**
     * Decides whether a read may use the cache on this connection now: what JDBC asks for here,
     * the rest by the shared {@link io.sqlcache.core.ReadPolicy}.
     *
     * @return the plan; its {@code bypass} is non-null when it may not
     */
    ReadPlan planRead(SqlAnalysis analysis, int resultSetType, int concurrency, int fetchSize) {
        return planRead(analysis, null, resultSetType, concurrency, fetchSize);
    }

    /**
     * @param params the bound parameters, or null when unknown: they may restrict the read to
     *               some primary-key buckets ({@link io.sqlcache.invalidate.RowScopes})
     */
    ReadPlan planRead(SqlAnalysis analysis, ParamValue[] params, int resultSetType, int concurrency, int fetchSize) {
        if (analysis.cacheable()) {
            if (resultSetType != ResultSet.TYPE_FORWARD_ONLY) {
                return ReadPlan.bypass("scrollable result set requested");
            }
            if (concurrency != ResultSet.CONCUR_READ_ONLY) {
                return ReadPlan.bypass("updatable result set requested");
            }
            if (fetchSize == Integer.MIN_VALUE) {
                return ReadPlan.bypass("streaming result set requested");
            }
        }
        ReadDecision d = runtime.readPolicy().plan(analysis, view, driverScope, catalog, ParamValue.integers(params));
        if (d.bypass() != null) {
            return ReadPlan.bypass(d.bypass());
        }
        return new ReadPlan(null, d.tables(), schema, session, d.buckets(), d.snapshot());
    }

    boolean inTransaction() {
        return !autoCommit || explicitTransaction;
    }

    /**
     * What {@link #beforeExecute} prepared for a statement: the write it makes in autocommit (or
     * the commit it makes implicitly) and the marks put on it, settled by {@link #afterExecute}.
     */
    record Pending(WriteTarget write, WriteTarget commitsNow, Object marks) {
        static final Pending NONE = new Pending(WriteTarget.NONE, WriteTarget.NONE, null);
    }

    /**
     * Before a statement runs on the real connection (any statement: a miss, a bypass, a
     * write). A write that commits as it runs (autocommit, a DDL's implicit commit, COMMIT or
     * BEGIN sent as text) is marked in flight first; a statement of a REPEATABLE READ transaction
     * may fix the point its snapshot follows.
     *
     * @param params the statement's parameters, or null when unknown (a batch): they may show
     *               that a write changes only some primary-key buckets
     */
    Pending beforeExecute(SqlAnalysis a, ParamValue[] params) {
        Pending p = prepare(a, params);
        return p.commitsNow().isEmpty() ? p : new Pending(p.write(), p.commitsNow(), runtime.mark(p.commitsNow()));
    }

    /**
     * {@link #beforeExecute} for the statements of a batch, which run in one call: one mark for
     * all of them.
     */
    List<Pending> beforeBatch(List<SqlAnalysis> batch) {
        List<Pending> prepared = new java.util.ArrayList<>(batch.size());
        WriteTarget all = WriteTarget.NONE;
        for (SqlAnalysis a : batch) {
            Pending p = prepare(a, null);
            prepared.add(p);
            all = all.plus(p.commitsNow());
        }
        Object marks = all.isEmpty() ? null : runtime.mark(all);
        List<Pending> out = new java.util.ArrayList<>(batch.size() + 1);
        prepared.forEach(p -> out.add(new Pending(p.write(), p.commitsNow(), null)));
        out.add(new Pending(WriteTarget.NONE, all, marks)); // settled after the others
        return out;
    }

    /** Settles the marks of a batch's {@link #beforeBatch}, after every statement's {@link #afterExecute}. */
    void afterBatch(List<Pending> pending) {
        runtime.settle(pending.get(pending.size() - 1).marks(), WriteTarget.NONE);
    }

    private Pending prepare(SqlAnalysis a, ParamValue[] params) {
        StatementKind kind = a.kind();
        if (kind == StatementKind.BEGIN) {
            snapshot.reset();
        }
        if (inTransaction() && view.isolation() == Isolation.REPEATABLE_READ) {
            boolean takesSnapshot = kind == StatementKind.READ || a.writesUnknown()
                    || kind == StatementKind.BEGIN && TransactionSnapshot.takesSnapshotAtOnce(a.cacheText());
            snapshot.beforeServer(takesSnapshot, kind != StatementKind.SET && kind != StatementKind.USE,
                    runtime::sequence);
        }
        WriteTarget write = WriteTarget.NONE;
        if (a.writes() || a.writesUnknown()) {
            write = WriteTarget.of(a, view);
            if (!a.writesUnknown() && write.expandable(a)) {
                // triggers, cascading foreign keys and writes through views change more tables
                write = write.expand(runtime.dependencies(), a, schema, driverScope, catalog,
                        ParamValue.integers(params));
            }
        }
        return new Pending(write, writes.markedAround(kind, a.temporaryTable() != null, write, inTransaction()), null);
    }

    /**
     * Book-keeping after a statement ran on this connection (also when it failed: a failed
     * write may have changed data in a non-transactional table). For a write in autocommit this
     * is where its marks are settled: before the caller returns to the application.
     */
    void afterExecute(SqlAnalysis a, String sql, Pending pending) {
        switch (a.kind()) {
            case READ -> {
                if (a.writesUnknown()) {
                    // a stored function may write anything, and create temporary tables
                    temporaryTables.mayHaveChanged();
                    runtime.settle(pending.marks(), writes.wrote(WriteTarget.UNKNOWN, inTransaction()));
                }
            }
            case WRITE, DDL -> {
                if (a.kind() == StatementKind.DDL || a.writesUnknown()) {
                    // views, triggers or foreign keys may have changed (a procedure may run DDL too)
                    Dependencies.catalogChanged();
                }
                if (a.writesUnknown()) {
                    temporaryTables.mayHaveChanged(); // a procedure may have created temporary tables
                }
                // CREATE and DROP TEMPORARY TABLE are the DDL that does not commit implicitly
                if (a.kind() == StatementKind.DDL && a.temporaryTable() == null) {
                    // DDL commits the open transaction implicitly: its writes are now visible to others
                    runtime.settle(pending.marks(), writes.wrote(pending.write(), false).plus(writes.ended(false)));
                    transactionEnded();
                } else {
                    runtime.settle(pending.marks(), writes.wrote(pending.write(), inTransaction()));
                }
                if (a.writesUnknown()) {
                    // a procedure or a multi-statement text may have changed session settings or the schema
                    session = null;
                }
            }
            case BEGIN -> {
                // commits an open transaction implicitly; a level set for the next transaction applies to this one
                runtime.settle(pending.marks(), writes.ended(false));
                explicitTransaction = true;
            }
            case COMMIT, ROLLBACK -> {
                endTransaction(a.kind() == StatementKind.COMMIT ? pending.marks() : null, a.kind() == StatementKind.ROLLBACK);
                // COMMIT AND CHAIN, ROLLBACK AND CHAIN: the server opens the next transaction at once
                explicitTransaction = AND_CHAIN.matcher(sql).find();
            }
            case USE -> {
                if (a.useSchema() != null) {
                    session = null;
                }
            }
            case SET -> {
                // SET autocommit = 1 commits an open transaction: what it marked is settled below
                session = null;
                extraVariables.addAll(SessionVariables.untrackedAssignedBy(sql));
                if (SET_NEXT_TRANSACTION.matcher(sql).matches()) {
                    isolation.nextTransactionSet();
                }
            }
            case OTHER -> {
                // SHOW, EXPLAIN, SAVEPOINT…: nothing cached depends on them
            }
            default -> throw new IllegalStateException("unknown kind " + a.kind());
        }
        if ((a.kind() == StatementKind.SET || a.kind() == StatementKind.OTHER) && pending.marks() != null) {
            // it may have committed the transaction (SET autocommit = 1, LOCK TABLES, XA …): its
            // writes are settled; they stay in the write set in case it did not
            runtime.settle(pending.marks(), WriteTarget.NONE);
        }
        isolation.statementRan(a.kind() == StatementKind.SET, inTransaction());
    }

    /**
     * Runs what ends a transaction (a commit, or autocommit switched on): its writes are marked
     * in flight before and settled after, unless it is known to have rolled back.
     */
    private void commitAround(SqlRunnable end) throws SQLException {
        Object marks = writes.pending().isEmpty() ? null : runtime.mark(writes.pending());
        try {
            end.run();
        } finally {
            // after the real commit, before returning: I1. On a failed commit we cannot know what
            // the server kept, so settling is the safe side.
            endTransaction(marks, false);
        }
    }

    /** Settles the transaction's writes (bumps them) unless it is known to have rolled back, and forgets it. */
    private void endTransaction(Object marks, boolean rolledBack) {
        runtime.settle(marks, writes.ended(rolledBack));
        transactionEnded();
    }

    private void transactionEnded() {
        explicitTransaction = false;
        isolation.transactionEnded();
        snapshot.reset();
    }

    /**
     * Takes this transaction's snapshot now, before the cache serves its first read, so that the
     * server's later answers in the transaction belong to the snapshot the cache's answers do.
     * Nothing was sent in the transaction yet, so nothing is committed implicitly.
     */
    private boolean takeSnapshot() {
        try (Statement st = delegate.createStatement()) {
            st.execute(TransactionSnapshot.START_WITH_SNAPSHOT);
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** A JDBC call that runs on the real connection. */
    @FunctionalInterface
    private interface SqlRunnable {
        void run() throws SQLException;
    }

    String user() {
        return user;
    }

    String driverScope() {
        return driverScope;
    }

    // ---- Connection methods that carry behaviour ----

    @Override
    public Statement createStatement() throws SQLException {
        return new CachingStatement(this, delegate.createStatement(), ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
        return new CachingStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency), resultSetType,
                resultSetConcurrency);
    }

    @Override
    public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability)
            throws SQLException {
        return new CachingStatement(this, delegate.createStatement(resultSetType, resultSetConcurrency,
                resultSetHoldability), resultSetType, resultSetConcurrency);
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return new CachingPreparedStatement(this, delegate.prepareStatement(sql), sql, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency)
            throws SQLException {
        return new CachingPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency),
                sql, resultSetType, resultSetConcurrency);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        return new CachingPreparedStatement(this, delegate.prepareStatement(sql, resultSetType, resultSetConcurrency,
                resultSetHoldability), sql, resultSetType, resultSetConcurrency);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        return new CachingPreparedStatement(this, delegate.prepareStatement(sql, autoGeneratedKeys), sql,
                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        return new CachingPreparedStatement(this, delegate.prepareStatement(sql, columnIndexes), sql,
                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        return new CachingPreparedStatement(this, delegate.prepareStatement(sql, columnNames), sql,
                ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return callable(delegate.prepareCall(sql), sql);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
        return callable(delegate.prepareCall(sql, resultSetType, resultSetConcurrency), sql);
    }

    @Override
    public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency,
            int resultSetHoldability) throws SQLException {
        return callable(delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability), sql);
    }

    /**
     * A CallableStatement is never cached; after every execution the writes it may have made
     * (anything: a procedure can write any table) are invalidated. A dynamic proxy keeps this
     * small: calls are rare next to queries, and only execute* methods carry behaviour.
     */
    private CallableStatement callable(CallableStatement cs, String sql) {
        SqlAnalysis analysis = runtime.analyze(sql);
        CachingConnection self = this;
        return (CallableStatement) Proxy.newProxyInstance(CachingConnection.class.getClassLoader(),
                new Class<?>[] {CallableStatement.class}, (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("getConnection") && method.getParameterCount() == 0) {
                        return self;
                    }
                    if (name.equals("toString") && method.getParameterCount() == 0) {
                        return "CallableStatement wrapping " + cs;
                    }
                    if (name.equals("unwrap") && args != null && args.length == 1 && ((Class<?>) args[0]).isInstance(proxy)) {
                        return proxy;
                    }
                    if (name.equals("isWrapperFor") && args != null && args.length == 1
                            && ((Class<?>) args[0]).isInstance(proxy)) {
                        return true;
                    }
                    if (!name.startsWith("execute")) {
                        try {
                            return method.invoke(cs, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                    SqlAnalysis effect = analysis.writes() ? analysis : forceUnknownWrite(analysis);
                    Pending pending = self.beforeExecute(effect, null);
                    try {
                        return method.invoke(cs, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        self.afterExecute(effect, sql, pending);
                    }
                });
    }

    private static SqlAnalysis forceUnknownWrite(SqlAnalysis a) {
        return new SqlAnalysis(StatementKind.WRITE, Set.of(), Set.of(), true, "callable statement", a.cacheText(),
                null, null, null);
    }

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        if (autoCommit && inTransaction()) {
            // switching autocommit on commits the open transaction (JDBC 4.3 §10.1.1)
            commitAround(() -> delegate.setAutoCommit(true));
        } else {
            delegate.setAutoCommit(autoCommit);
            snapshot.reset();
        }
        this.autoCommit = autoCommit;
        if (autoCommit) {
            explicitTransaction = false;
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        return delegate.getAutoCommit();
    }

    @Override
    public void commit() throws SQLException {
        commitAround(delegate::commit);
    }

    @Override
    public void rollback() throws SQLException {
        boolean ok = false;
        try {
            delegate.rollback();
            ok = true;
        } finally {
            endTransaction(null, ok);
        }
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        // the write set stays: rows written before the savepoint are still pending
        delegate.rollback(savepoint);
    }

    @Override
    public void close() throws SQLException {
        try {
            delegate.close();
        } finally {
            // the real driver rolls back on close; invalidating anyway costs a miss, never a stale read
            endTransaction(null, false);
        }
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        try {
            delegate.setCatalog(catalog);
        } finally {
            session = null;
        }
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        try {
            delegate.setSchema(schema);
        } finally {
            // mysql-connector-j ignores setSchema unless databaseTerm=SCHEMA: ask the server
            session = null;
        }
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        try {
            delegate.setTransactionIsolation(level);
        } finally {
            session = null;
        }
    }

    @Override
    public CacheStats cacheStats() {
        return runtime.stats();
    }

    @Override
    public CacheConfig cacheConfig() {
        return runtime.config();
    }

    @Override
    public String whyNotCached(String sql) {
        planningOnly = true;
        try {
            return planRead(runtime.analyze(sql), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, 0).bypass();
        } finally {
            planningOnly = false;
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(delegate)) {
            return iface.cast(delegate);
        }
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return iface.isInstance(this) || iface.isInstance(delegate) || delegate.isWrapperFor(iface);
    }

    @Override
    public String toString() {
        return "CachingConnection wrapping " + delegate;
    }

    /** What the read policy sees of this connection; the session is reloaded here when stale. */
    private final class View extends SessionState {

        View() {
            super(Isolation.UNKNOWN);
        }

        @Override
        public String stateBypass() {
            if (optionsBypass != null) {
                return optionsBypass;
            }
            if (extraVariables.size() > MAX_EXTRA_VARIABLES) {
                return "too many session variables set";
            }
            if (session == null) {
                loadSession();
                if (session == null) {
                    return "session state unknown";
                }
            }
            return null;
        }

        @Override
        public String schema() {
            return schema;
        }

        @Override
        public boolean inTransaction() {
            return CachingConnection.this.inTransaction();
        }

        @Override
        public long transactionSnapshot() {
            if (planningOnly) {
                return snapshot().peek();
            }
            return snapshot().forRead(runtime::sequence, CachingConnection.this::takeSnapshot);
        }

        @Override
        public Prober temporaryTableProber() {
            return temporaryProber;
        }
    }
}

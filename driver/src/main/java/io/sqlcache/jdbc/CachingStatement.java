package io.sqlcache.jdbc;

import io.sqlcache.SqlCacheStatement;
import io.sqlcache.codec.CachedRows;
import io.sqlcache.core.CacheRuntime;
import io.sqlcache.key.KeyMaterial;
import io.sqlcache.key.ParamValue;
import io.sqlcache.metrics.CacheMetrics;
import io.sqlcache.sql.SqlAnalysis;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A statement of the real driver with the cache in front: reads go through {@link #query},
 * writes through {@link #update}. Not thread-safe (as JDBC statements are not).
 */
class CachingStatement implements SqlCacheStatement {

    private static final System.Logger LOG = System.getLogger(CachingStatement.class.getName());
    static final ParamValue[] NO_PARAMS = new ParamValue[0];

    /** A call to the real driver. */
    @FunctionalInterface
    interface SqlCall<T> {
        T call() throws SQLException;
    }

    final CachingConnection conn;
    final Statement delegate;
    final CacheRuntime runtime;
    private final int resultSetType;
    private final int concurrency;
    private final List<String> batch = new ArrayList<>();

    /** The result served by the cache for the last execution, or null when the real driver's stands. */
    private CachedResultSet current;
    /** True while the last execution was answered by the cache (its update count is -1). */
    private boolean servedByCache;
    private String lastOutcome;
    /** The key prefix of the last cacheable execution: reused while text and scope stay the same. */
    private KeyMaterial.Prefix keyPrefix;
    /** What this statement's last capture learned of its columns, for its next miss's capture. */
    private final ResultSetCapture.Memo captureMemo = new ResultSetCapture.Memo();
    /** {@link #limits}: the text of the last limits and the limits it spells. */
    private String limitsText;
    private int lastMaxRows;
    private int lastMaxFieldSize;

    CachingStatement(CachingConnection conn, Statement delegate, int resultSetType, int concurrency) {
        this.conn = conn;
        this.delegate = delegate;
        this.runtime = conn.runtime();
        this.resultSetType = resultSetType;
        this.concurrency = concurrency;
    }

    /**
     * The read path. {@code exec} runs the statement on the real driver and returns its result
     * set; it may be called twice (a result over the limits is read again, uncached and
     * streaming, rather than buffered twice in memory).
     */
    final ResultSet query(SqlAnalysis a, ParamValue[] params, SqlCall<ResultSet> exec) throws SQLException {
        resetResults();
        CacheMetrics metrics = runtime.metrics();
        ReadPlan plan = params == null
                ? ReadPlan.bypass("parameter type not cacheable")
                : conn.planRead(a, params, resultSetType, concurrency, delegate.getFetchSize());
        if (plan.bypass() != null) {
            return bypass(a, plan.bypass(), exec);
        }
        String limits = limits(delegate.getMaxRows(), delegate.getMaxFieldSize());
        keyPrefix = KeyMaterial.Prefix.reusing(keyPrefix, a.cacheText(), params.length, plan.schema(), conn.user(),
                plan.session(), conn.driverScope(), limits);
        KeyMaterial key = keyPrefix.with(params);
        if (runtime.knownUncacheable(key.hash())) {
            return bypass(a, "result over limits", exec);
        }
        CacheRuntime.Lookup lookup = runtime.read(key, plan.tables(), plan.buckets(), plan.snapshot());
        if (lookup.hit()) {
            metrics.hit();
            lastOutcome = "hit";
            return serve(lookup.rows(), runtime.keepsDecodedRows());
        }
        if (!lookup.available()) {
            return bypass(a, "store unavailable", exec);
        }
        metrics.miss();
        conn.beforeExecute(a, params); // a read: it may fix the transaction's snapshot, it marks nothing
        ResultSet rs = exec.call();
        ResultSetCapture.Capture capture;
        try (rs) {
            capture = ResultSetCapture.capture(rs, runtime.config().maxRows(), runtime.config().maxBytes(),
                    conn.textRules(), captureMemo);
        } catch (SQLException e) {
            // reading rows failed: let the application see the real driver's own behaviour
            LOG.log(Level.DEBUG, () -> "sqlcache: capture failed, running uncached: " + e);
            return bypass(a, "capture failed", exec);
        }
        if (capture.refusal() != null) {
            runtime.rememberUncacheable(key.hash());
            return bypass(a, capture.refusal(), exec);
        }
        runtime.write(lookup, key, capture.rows(), runtime.ttlFor(a));
        lastOutcome = "miss";
        // the capture's own reader keeps no conversions: it reads each cell once, and a later
        // hit on the kept copy keeps what it converts (a miss's reader would pay for a memo,
        // and a copy of every temporal, that only a hit can use)
        return serve(capture.rows(), false);
    }

    /** The key's text of the statement's row and field limits; the last one is reused while they hold. */
    private String limits(int maxRows, int maxFieldSize) {
        if (limitsText == null || maxRows != lastMaxRows || maxFieldSize != lastMaxFieldSize) {
            lastMaxRows = maxRows;
            lastMaxFieldSize = maxFieldSize;
            limitsText = maxRows + "/" + maxFieldSize;
        }
        return limitsText;
    }

    private ResultSet serve(CachedRows rows, boolean shared) {
        current = new CachedResultSet(rows, this, shared);
        servedByCache = true;
        return current;
    }

    private ResultSet bypass(SqlAnalysis a, String reason, SqlCall<ResultSet> exec) throws SQLException {
        runtime.metrics().bypass(reason);
        lastOutcome = "bypass: " + reason;
        LOG.log(Level.DEBUG, () -> "sqlcache: bypass (" + reason + "): " + a.cacheText());
        CachingConnection.Pending pending = conn.beforeExecute(a, null);
        try {
            ResultSet rs = exec.call();
            return concurrency == ResultSet.CONCUR_UPDATABLE ? UpdatableResults.wrap(rs, conn, a) : rs;
        } finally {
            conn.afterExecute(a, a.cacheText(), pending);
        }
    }

    /** The write path (and every other statement): run it, then let the connection bump or record. */
    final <T> T update(SqlAnalysis a, SqlCall<T> exec) throws SQLException {
        return update(a, null, exec);
    }

    /** {@link #update(SqlAnalysis, SqlCall)} with the parameters it runs with (null: unknown). */
    final <T> T update(SqlAnalysis a, ParamValue[] params, SqlCall<T> exec) throws SQLException {
        resetResults();
        lastOutcome = a.writes() ? "write" : "bypass: " + a.bypassReason();
        CachingConnection.Pending pending = conn.beforeExecute(a, params);
        try {
            return exec.call();
        } finally {
            conn.afterExecute(a, a.cacheText(), pending);
        }
    }

    /**
     * {@code execute(sql)}: a cacheable read is answered like {@code executeQuery}; anything else
     * runs on the real driver.
     */
    final boolean execute(SqlAnalysis a, ParamValue[] params, SqlCall<Boolean> exec) throws SQLException {
        if (a.cacheable()) {
            ResultSet rs = query(a, params, () -> exec.call() ? delegate.getResultSet() : null);
            return rs != null;
        }
        return update(a, params, exec);
    }

    private void resetResults() throws SQLException {
        if (current != null) {
            current.close();
            current = null;
        }
        servedByCache = false;
    }

    SqlAnalysis analyze(String sql) {
        return runtime.analyze(sql);
    }

    // ---- Statement methods that carry behaviour ----

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        return query(analyze(sql), NO_PARAMS, () -> delegate.executeQuery(sql));
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return execute(analyze(sql), NO_PARAMS, () -> delegate.execute(sql));
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return update(analyze(sql), () -> delegate.execute(sql, autoGeneratedKeys));
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        return update(analyze(sql), () -> delegate.execute(sql, columnIndexes));
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return update(analyze(sql), () -> delegate.execute(sql, columnNames));
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return update(analyze(sql), () -> delegate.executeUpdate(sql));
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return update(analyze(sql), () -> delegate.executeUpdate(sql, autoGeneratedKeys));
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return update(analyze(sql), () -> delegate.executeUpdate(sql, columnIndexes));
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return update(analyze(sql), () -> delegate.executeUpdate(sql, columnNames));
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        return update(analyze(sql), () -> delegate.executeLargeUpdate(sql));
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return update(analyze(sql), () -> delegate.executeLargeUpdate(sql, autoGeneratedKeys));
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        return update(analyze(sql), () -> delegate.executeLargeUpdate(sql, columnIndexes));
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        return update(analyze(sql), () -> delegate.executeLargeUpdate(sql, columnNames));
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        delegate.addBatch(sql);
        batch.add(sql);
    }

    @Override
    public void clearBatch() throws SQLException {
        delegate.clearBatch();
        batch.clear();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        return runBatch(delegate::executeBatch);
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return runBatch(delegate::executeLargeBatch);
    }

    <T> T runBatch(SqlCall<T> exec) throws SQLException {
        resetResults();
        List<String> sqls = new ArrayList<>(batch);
        batch.clear();
        lastOutcome = "write";
        List<SqlAnalysis> analyses = new ArrayList<>(sqls.size());
        for (String sql : sqls) {
            analyses.add(analyze(sql));
        }
        List<CachingConnection.Pending> pending = conn.beforeBatch(analyses);
        try {
            return exec.call();
        } finally {
            for (int i = 0; i < sqls.size(); i++) {
                conn.afterExecute(analyses.get(i), sqls.get(i), pending.get(i));
            }
            conn.afterBatch(pending);
        }
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        return servedByCache ? current : delegate.getResultSet();
    }

    @Override
    public int getUpdateCount() throws SQLException {
        return servedByCache ? -1 : delegate.getUpdateCount();
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        return servedByCache ? -1 : delegate.getLargeUpdateCount();
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return getMoreResults(Statement.CLOSE_CURRENT_RESULT);
    }

    @Override
    public boolean getMoreResults(int current) throws SQLException {
        if (servedByCache) {
            if (this.current != null && current != Statement.KEEP_CURRENT_RESULT) {
                this.current.close();
            }
            this.current = null;
            return false;
        }
        return delegate.getMoreResults(current);
    }

    @Override
    public Connection getConnection() {
        return conn;
    }

    @Override
    public void close() throws SQLException {
        try {
            resetResults();
        } finally {
            delegate.close();
        }
    }

    @Override
    public String lastCacheOutcome() {
        return lastOutcome;
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
        return getClass().getSimpleName() + " wrapping " + delegate;
    }

    // ---- plain delegation ----

    @Override
    public void cancel() throws SQLException {
        delegate.cancel();
    }

    @Override
    public void clearWarnings() throws SQLException {
        delegate.clearWarnings();
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        delegate.closeOnCompletion();
    }

    @Override
    public String enquoteIdentifier(String p1, boolean p2) throws SQLException {
        return delegate.enquoteIdentifier(p1, p2);
    }

    @Override
    public String enquoteLiteral(String p1) throws SQLException {
        return delegate.enquoteLiteral(p1);
    }

    @Override
    public String enquoteNCharLiteral(String p1) throws SQLException {
        return delegate.enquoteNCharLiteral(p1);
    }

    @Override
    public int getFetchDirection() throws SQLException {
        return delegate.getFetchDirection();
    }

    @Override
    public int getFetchSize() throws SQLException {
        return delegate.getFetchSize();
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        return delegate.getGeneratedKeys();
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        return delegate.getLargeMaxRows();
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        return delegate.getMaxFieldSize();
    }

    @Override
    public int getMaxRows() throws SQLException {
        return delegate.getMaxRows();
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        return delegate.getQueryTimeout();
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        return delegate.getResultSetConcurrency();
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        return delegate.getResultSetHoldability();
    }

    @Override
    public int getResultSetType() throws SQLException {
        return delegate.getResultSetType();
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        return delegate.getWarnings();
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        return delegate.isCloseOnCompletion();
    }

    @Override
    public boolean isClosed() throws SQLException {
        return delegate.isClosed();
    }

    @Override
    public boolean isPoolable() throws SQLException {
        return delegate.isPoolable();
    }

    @Override
    public boolean isSimpleIdentifier(String p1) throws SQLException {
        return delegate.isSimpleIdentifier(p1);
    }

    @Override
    public void setCursorName(String p1) throws SQLException {
        delegate.setCursorName(p1);
    }

    @Override
    public void setEscapeProcessing(boolean p1) throws SQLException {
        delegate.setEscapeProcessing(p1);
    }

    @Override
    public void setFetchDirection(int p1) throws SQLException {
        delegate.setFetchDirection(p1);
    }

    @Override
    public void setFetchSize(int p1) throws SQLException {
        delegate.setFetchSize(p1);
    }

    @Override
    public void setLargeMaxRows(long p1) throws SQLException {
        delegate.setLargeMaxRows(p1);
    }

    @Override
    public void setMaxFieldSize(int p1) throws SQLException {
        delegate.setMaxFieldSize(p1);
    }

    @Override
    public void setMaxRows(int p1) throws SQLException {
        delegate.setMaxRows(p1);
    }

    @Override
    public void setPoolable(boolean p1) throws SQLException {
        delegate.setPoolable(p1);
    }

    @Override
    public void setQueryTimeout(int p1) throws SQLException {
        delegate.setQueryTimeout(p1);
    }

}

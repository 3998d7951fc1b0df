package io.sqlcache.jdbc;

import io.sqlcache.key.ParamValue;
import io.sqlcache.sql.SqlAnalysis;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;

/**
 * A prepared statement with the cache in front. The SQL is analysed once, at prepare time; each
 * setter records the value as key material. Values whose content the key cannot capture
 * (streams, LOBs, arrays, refs) make the next execution bypass the cache. Not thread-safe.
 */
final class CachingPreparedStatement extends CachingStatement implements PreparedStatement {

    /** Marks a parameter bound through a setter whose value the key cannot hold. */
    private static final ParamValue UNCACHEABLE = ParamValue.ofString('U', "");

    private final PreparedStatement ps;
    private final SqlAnalysis analysis;
    private final List<ParamValue> params = new ArrayList<>();

    CachingPreparedStatement(CachingConnection conn, PreparedStatement delegate, String sql, int resultSetType,
            int concurrency) {
        super(conn, delegate, resultSetType, concurrency);
        this.ps = delegate;
        this.analysis = conn.runtime().analyze(sql);
    }

    private void bind(int index, ParamValue value) {
        while (params.size() < index) {
            params.add(null);
        }
        if (index >= 1) {
            params.set(index - 1, value);
        }
    }

    private void unsupported(int index) {
        bind(index, UNCACHEABLE);
    }

    /** The bound values, or null when one is missing or cannot be key material. */
    private ParamValue[] boundParams() {
        ParamValue[] out = params.toArray(new ParamValue[0]);
        for (ParamValue p : out) {
            if (p == null || p == UNCACHEABLE) {
                return null;
            }
        }
        return out;
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        return query(analysis, boundParams(), ps::executeQuery);
    }

    @Override
    public boolean execute() throws SQLException {
        return execute(analysis, boundParams(), ps::execute);
    }

    @Override
    public int executeUpdate() throws SQLException {
        return update(analysis, boundParams(), ps::executeUpdate);
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        return update(analysis, boundParams(), ps::executeLargeUpdate);
    }

    @Override
    public void addBatch() throws SQLException {
        ps.addBatch();
    }

    @Override
    public int[] executeBatch() throws SQLException {
        return runPreparedBatch(ps::executeBatch);
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        return runPreparedBatch(ps::executeLargeBatch);
    }

    private <T> T runPreparedBatch(SqlCall<T> exec) throws SQLException {
        return update(analysis, exec);
    }

    @Override
    public void clearParameters() throws SQLException {
        ps.clearParameters();
        params.clear();
    }

    // ---- setters whose values become key material ----

    @Override
    public void setNull(int i, int sqlType) throws SQLException {
        ps.setNull(i, sqlType);
        bind(i, ParamValue.ofNull(sqlType));
    }

    @Override
    public void setNull(int i, int sqlType, String typeName) throws SQLException {
        ps.setNull(i, sqlType, typeName);
        bind(i, ParamValue.ofNull(sqlType));
    }

    @Override
    public void setBoolean(int i, boolean x) throws SQLException {
        ps.setBoolean(i, x);
        bind(i, ParamValue.ofBoolean(x));
    }

    @Override
    public void setByte(int i, byte x) throws SQLException {
        ps.setByte(i, x);
        bind(i, ParamValue.ofLong('B', x));
    }

    @Override
    public void setShort(int i, short x) throws SQLException {
        ps.setShort(i, x);
        bind(i, ParamValue.ofLong('S', x));
    }

    @Override
    public void setInt(int i, int x) throws SQLException {
        ps.setInt(i, x);
        bind(i, ParamValue.ofLong('I', x));
    }

    @Override
    public void setLong(int i, long x) throws SQLException {
        ps.setLong(i, x);
        bind(i, ParamValue.ofLong('J', x));
    }

    @Override
    public void setFloat(int i, float x) throws SQLException {
        ps.setFloat(i, x);
        bind(i, ParamValue.ofFloat(x));
    }

    @Override
    public void setDouble(int i, double x) throws SQLException {
        ps.setDouble(i, x);
        bind(i, ParamValue.ofDouble(x));
    }

    @Override
    public void setBigDecimal(int i, BigDecimal x) throws SQLException {
        ps.setBigDecimal(i, x);
        bind(i, ParamValue.ofObject(x, null, null));
    }

    @Override
    public void setString(int i, String x) throws SQLException {
        ps.setString(i, x);
        bind(i, x == null ? ParamValue.ofNull(java.sql.Types.VARCHAR) : ParamValue.ofString('s', x));
    }

    @Override
    public void setNString(int i, String x) throws SQLException {
        ps.setNString(i, x);
        bind(i, x == null ? ParamValue.ofNull(java.sql.Types.NVARCHAR) : ParamValue.ofString('n', x));
    }

    @Override
    public void setBytes(int i, byte[] x) throws SQLException {
        ps.setBytes(i, x);
        bind(i, x == null ? ParamValue.ofNull(java.sql.Types.VARBINARY) : ParamValue.ofBytes(x));
    }

    @Override
    public void setDate(int i, Date x) throws SQLException {
        ps.setDate(i, x);
        bind(i, ParamValue.ofObject(x, null, null));
    }

    @Override
    public void setDate(int i, Date x, Calendar cal) throws SQLException {
        ps.setDate(i, x, cal);
        bind(i, ParamValue.ofObject(x, cal, null));
    }

    @Override
    public void setTime(int i, Time x) throws SQLException {
        ps.setTime(i, x);
        bind(i, ParamValue.ofObject(x, null, null));
    }

    @Override
    public void setTime(int i, Time x, Calendar cal) throws SQLException {
        ps.setTime(i, x, cal);
        bind(i, ParamValue.ofObject(x, cal, null));
    }

    @Override
    public void setTimestamp(int i, Timestamp x) throws SQLException {
        ps.setTimestamp(i, x);
        bind(i, ParamValue.ofObject(x, null, null));
    }

    @Override
    public void setTimestamp(int i, Timestamp x, Calendar cal) throws SQLException {
        ps.setTimestamp(i, x, cal);
        bind(i, ParamValue.ofObject(x, cal, null));
    }

    @Override
    public void setObject(int i, Object x) throws SQLException {
        ps.setObject(i, x);
        bindObject(i, ParamValue.ofObject(x, null, null));
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType) throws SQLException {
        ps.setObject(i, x, targetSqlType);
        bindObject(i, ParamValue.ofObject(x, null, Integer.toString(targetSqlType)));
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        ps.setObject(i, x, targetSqlType, scaleOrLength);
        bindObject(i, ParamValue.ofObject(x, null, targetSqlType + "/" + scaleOrLength));
    }

    @Override
    public void setObject(int i, Object x, SQLType targetSqlType) throws SQLException {
        ps.setObject(i, x, targetSqlType);
        bindObject(i, ParamValue.ofObject(x, null, sqlType(targetSqlType)));
    }

    @Override
    public void setObject(int i, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        ps.setObject(i, x, targetSqlType, scaleOrLength);
        bindObject(i, ParamValue.ofObject(x, null, sqlType(targetSqlType) + "/" + scaleOrLength));
    }

    private static String sqlType(SQLType type) {
        return type == null ? "null" : type.getVendor() + "." + type.getName();
    }

    private void bindObject(int i, ParamValue value) {
        bind(i, value == null ? UNCACHEABLE : value);
    }

    @Override
    public String toString() {
        return "CachingPreparedStatement wrapping " + ps;
    }

    // ---- setters whose values the key cannot hold, and plain delegation ----

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        return ps.getMetaData();
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        return ps.getParameterMetaData();
    }

    @Override
    public void setArray(int p1, Array p2) throws SQLException {
        unsupported(p1);
        ps.setArray(p1, p2);
    }

    @Override
    public void setAsciiStream(int p1, InputStream p2, int p3) throws SQLException {
        unsupported(p1);
        ps.setAsciiStream(p1, p2, p3);
    }

    @Override
    public void setAsciiStream(int p1, InputStream p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setAsciiStream(p1, p2, p3);
    }

    @Override
    public void setAsciiStream(int p1, InputStream p2) throws SQLException {
        unsupported(p1);
        ps.setAsciiStream(p1, p2);
    }

    @Override
    public void setBinaryStream(int p1, InputStream p2, int p3) throws SQLException {
        unsupported(p1);
        ps.setBinaryStream(p1, p2, p3);
    }

    @Override
    public void setBinaryStream(int p1, InputStream p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setBinaryStream(p1, p2, p3);
    }

    @Override
    public void setBinaryStream(int p1, InputStream p2) throws SQLException {
        unsupported(p1);
        ps.setBinaryStream(p1, p2);
    }

    @Override
    public void setBlob(int p1, InputStream p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setBlob(p1, p2, p3);
    }

    @Override
    public void setBlob(int p1, InputStream p2) throws SQLException {
        unsupported(p1);
        ps.setBlob(p1, p2);
    }

    @Override
    public void setBlob(int p1, Blob p2) throws SQLException {
        unsupported(p1);
        ps.setBlob(p1, p2);
    }

    @Override
    public void setCharacterStream(int p1, Reader p2, int p3) throws SQLException {
        unsupported(p1);
        ps.setCharacterStream(p1, p2, p3);
    }

    @Override
    public void setCharacterStream(int p1, Reader p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setCharacterStream(p1, p2, p3);
    }

    @Override
    public void setCharacterStream(int p1, Reader p2) throws SQLException {
        unsupported(p1);
        ps.setCharacterStream(p1, p2);
    }

    @Override
    public void setClob(int p1, Reader p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setClob(p1, p2, p3);
    }

    @Override
    public void setClob(int p1, Reader p2) throws SQLException {
        unsupported(p1);
        ps.setClob(p1, p2);
    }

    @Override
    public void setClob(int p1, Clob p2) throws SQLException {
        unsupported(p1);
        ps.setClob(p1, p2);
    }

    @Override
    public void setNCharacterStream(int p1, Reader p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setNCharacterStream(p1, p2, p3);
    }

    @Override
    public void setNCharacterStream(int p1, Reader p2) throws SQLException {
        unsupported(p1);
        ps.setNCharacterStream(p1, p2);
    }

    @Override
    public void setNClob(int p1, Reader p2, long p3) throws SQLException {
        unsupported(p1);
        ps.setNClob(p1, p2, p3);
    }

    @Override
    public void setNClob(int p1, Reader p2) throws SQLException {
        unsupported(p1);
        ps.setNClob(p1, p2);
    }

    @Override
    public void setNClob(int p1, NClob p2) throws SQLException {
        unsupported(p1);
        ps.setNClob(p1, p2);
    }

    @Override
    public void setRef(int p1, Ref p2) throws SQLException {
        unsupported(p1);
        ps.setRef(p1, p2);
    }

    @Override
    public void setRowId(int p1, RowId p2) throws SQLException {
        unsupported(p1);
        ps.setRowId(p1, p2);
    }

    @Override
    public void setSQLXML(int p1, SQLXML p2) throws SQLException {
        unsupported(p1);
        ps.setSQLXML(p1, p2);
    }

    @Override
    public void setURL(int p1, URL p2) throws SQLException {
        unsupported(p1);
        ps.setURL(p1, p2);
    }

    @Override
    public void setUnicodeStream(int p1, InputStream p2, int p3) throws SQLException {
        unsupported(p1);
        ps.setUnicodeStream(p1, p2, p3);
    }

}

package io.sqlcache.jdbc;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;

/**
 * What a forward-only, read-only result set refuses, written once: every updater and row
 * mutator fails with Connector/J's "not updatable" SQLException (SQLState S1000), every scroll
 * with its TYPE_FORWARD_ONLY one, as mysql-connector-j 9.x does for a read-only set (I3).
 *
 * <p>Updaters do not check whether the set is closed or the column exists, as Connector/J's do
 * not; scrolls and the fetch direction check {@link #checkClosed()} first, as Connector/J's do.
 * A subclass supplies the rows, the cursor and the getters.
 */
abstract class ReadOnlyResultSet implements ResultSet {

    /** Connector/J's SQLState for a general error: closed sets, bad positions, refusals. */
    static final String GENERAL_ERROR = "S1000";

    /** Throws Connector/J's exception for an operation on a closed set; returns when the set is open. */
    abstract void checkClosed() throws SQLException;

    static SQLException forwardOnly() {
        return new SQLException("Operation not allowed for a result set of type ResultSet.TYPE_FORWARD_ONLY.", GENERAL_ERROR);
    }

    static SQLException notUpdatable() {
        return new SQLException("Result Set not updatable.This result set must come from a statement that was created "
                + "with a result set type of ResultSet.CONCUR_UPDATABLE, the query must select only one table, can not "
                + "use functions and must select all primary keys from that table. See the JDBC 2.1 API Specification, "
                + "section 5.6 for more details.", GENERAL_ERROR);
    }

    // ---- forward only --------------------------------------------------------------------

    @Override
    public int getType() {
        return TYPE_FORWARD_ONLY;
    }

    @Override
    public void beforeFirst() throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public void afterLast() throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public boolean first() throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public boolean last() throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public boolean relative(int rows) throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public boolean previous() throws SQLException {
        checkClosed();
        throw forwardOnly();
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkClosed();
        if (direction != FETCH_FORWARD) {
            throw new SQLException("Fetch direction ResultSet.FETCH_REVERSE cannot be set on a ResultSet of type "
                    + "ResultSet.TYPE_FORWARD_ONLY", GENERAL_ERROR);
        }
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkClosed();
        return FETCH_FORWARD;
    }

    // ---- read only: never updatable, as Connector/J's read-only sets ---------------------

    @Override
    public int getConcurrency() {
        return CONCUR_READ_ONLY;
    }

    @Override
    public boolean rowUpdated() throws SQLException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public boolean rowInserted() throws SQLException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public void updateNull(int columnIndex) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBoolean(int columnIndex, boolean x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateByte(int columnIndex, byte x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateShort(int columnIndex, short x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateInt(int columnIndex, int x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateLong(int columnIndex, long x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateFloat(int columnIndex, float x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateDouble(int columnIndex, double x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBigDecimal(int columnIndex, BigDecimal x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateString(int columnIndex, String x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBytes(int columnIndex, byte[] x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateDate(int columnIndex, Date x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateTime(int columnIndex, Time x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateTimestamp(int columnIndex, Timestamp x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateAsciiStream(int columnIndex, InputStream x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBinaryStream(int columnIndex, InputStream x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateCharacterStream(int columnIndex, Reader x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(int columnIndex, Object x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(int columnIndex, Object x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNull(String columnLabel) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBoolean(String columnLabel, boolean x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateByte(String columnLabel, byte x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateShort(String columnLabel, short x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateInt(String columnLabel, int x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateLong(String columnLabel, long x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateFloat(String columnLabel, float x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateDouble(String columnLabel, double x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBigDecimal(String columnLabel, BigDecimal x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateString(String columnLabel, String x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBytes(String columnLabel, byte[] x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateDate(String columnLabel, Date x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateTime(String columnLabel, Time x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateTimestamp(String columnLabel, Timestamp x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateAsciiStream(String columnLabel, InputStream x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBinaryStream(String columnLabel, InputStream x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateCharacterStream(String columnLabel, Reader x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(String columnLabel, Object x, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(String columnLabel, Object x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void insertRow() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateRow() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void deleteRow() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void refreshRow() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateRef(int columnIndex, Ref x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateRef(String columnLabel, Ref x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBlob(int columnIndex, Blob x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBlob(String columnLabel, Blob x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateClob(int columnIndex, Clob x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateClob(String columnLabel, Clob x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateArray(int columnIndex, Array x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateArray(String columnLabel, Array x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateRowId(int columnIndex, RowId x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateRowId(String columnLabel, RowId x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNString(int columnIndex, String x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNString(String columnLabel, String x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNClob(int columnIndex, NClob x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNClob(String columnLabel, NClob x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateSQLXML(int columnIndex, SQLXML x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateSQLXML(String columnLabel, SQLXML x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNCharacterStream(int columnIndex, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNCharacterStream(String columnLabel, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateAsciiStream(int columnIndex, InputStream x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBinaryStream(int columnIndex, InputStream x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateCharacterStream(int columnIndex, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateAsciiStream(String columnLabel, InputStream x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBinaryStream(String columnLabel, InputStream x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateCharacterStream(String columnLabel, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBlob(int columnIndex, InputStream x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBlob(String columnLabel, InputStream x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateClob(int columnIndex, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateClob(String columnLabel, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNClob(int columnIndex, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNClob(String columnLabel, Reader x, long length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNCharacterStream(int columnIndex, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNCharacterStream(String columnLabel, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateAsciiStream(int columnIndex, InputStream x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBinaryStream(int columnIndex, InputStream x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateCharacterStream(int columnIndex, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateAsciiStream(String columnLabel, InputStream x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBinaryStream(String columnLabel, InputStream x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateCharacterStream(String columnLabel, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBlob(int columnIndex, InputStream x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateBlob(String columnLabel, InputStream x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateClob(int columnIndex, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateClob(String columnLabel, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNClob(int columnIndex, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateNClob(String columnLabel, Reader x) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(int columnIndex, Object x, SQLType targetType, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(String columnLabel, Object x, SQLType targetType, int length) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(int columnIndex, Object x, SQLType targetType) throws SQLException {
        throw notUpdatable();
    }

    @Override
    public void updateObject(String columnLabel, Object x, SQLType targetType) throws SQLException {
        throw notUpdatable();
    }
}

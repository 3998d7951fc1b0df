package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

/**
 * A forward-only, read-only result set over rows served from the cache, behaving like
 * mysql-connector-j 9.x's own result set for the same query (invariant I3): the same values from
 * every getter, the same conversions and the same SQLExceptions (SQLState included) for bad
 * indexes, bad positions, closed sets, scrolling and updates.
 *
 * <p>Not thread-safe, like any JDBC result set: use it from one thread at a time.
 * Getters return {@code null} (or 0 / false) for SQL NULL; {@link #getStatement()} may return
 * {@code null} when the set was built without an owning statement.
 *
 * <p>This class holds the behaviour: the cursor, the checks, the getters by column index and the
 * set's own state. What a read-only, forward-only set refuses (updates, scrolling) is written once
 * in {@link ReadOnlyResultSet}, the getters by label once in {@link ColumnIndexedResultSet}, and
 * the cells' conversions with their shared memo in {@link CachedCells}.
 */
public final class CachedResultSet extends ColumnIndexedResultSet {

    private static final String ILLEGAL_ARGUMENT = "S1009";

    private final CachedRows rows;
    private final Statement statement;
    private final List<ColumnMeta> columns;
    /** The cells' conversions, shared with every other result set over the same rows. */
    private final CachedCells cells;
    /** -1 before the first row, rowCount after the last. */
    private int position = -1;
    private boolean closed;
    private boolean wasNull;
    private int fetchSize;
    private SQLWarning warnings;

    /**
     * @param rows      the cached rows, not null
     * @param statement the statement this set is the result of, as {@link #getStatement()}
     *                  returns it; may be null
     */
    public CachedResultSet(CachedRows rows, Statement statement) {
        this(rows, statement, true);
    }

    /**
     * @param shared whether this result set keeps its conversions for the other result sets
     *               that read the same {@code rows} (a decoded entry this process keeps,
     *               {@link GetterMemo}); false where none will, or where keeping costs this
     *               reader more than it saves the next
     */
    CachedResultSet(CachedRows rows, Statement statement, boolean shared) {
        this.rows = java.util.Objects.requireNonNull(rows, "rows");
        this.statement = statement;
        this.columns = rows.columns();
        this.cells = new CachedCells(rows, shared ? GetterMemo.of(rows) : GetterMemo.none());
    }

    // ---- state and navigation ------------------------------------------------------------

    @Override
    void checkClosed() throws SQLException {
        if (closed) {
            throw new SQLException("Operation not allowed after ResultSet closed", GENERAL_ERROR);
        }
    }

    private void checkRow() throws SQLException {
        checkClosed();
        if (rows.rowCount() == 0) {
            throw new SQLException("Illegal operation on empty result set.", GENERAL_ERROR);
        }
        if (position < 0) {
            throw new SQLException("Before start of result set", GENERAL_ERROR);
        }
        if (position >= rows.rowCount()) {
            throw new SQLException("After end of result set", GENERAL_ERROR);
        }
    }

    private void checkColumn(int column) throws SQLException {
        if (column < 1) {
            throw new SQLException("Column Index out of range, " + column + " < 1.", ILLEGAL_ARGUMENT);
        }
        if (column > columns.size()) {
            throw new SQLException("Column Index out of range, " + column + " > " + columns.size() + ". ", ILLEGAL_ARGUMENT);
        }
    }

    @Override
    public boolean next() throws SQLException {
        checkClosed();
        if (position < rows.rowCount()) {
            position++;
        }
        return position < rows.rowCount();
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public boolean wasNull() throws SQLException {
        // Connector/J fails with a NullPointerException off a row; the last answer is the useful one
        return wasNull;
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkClosed();
        return position < 0 && rows.rowCount() > 0;
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        checkClosed();
        return position >= rows.rowCount() && rows.rowCount() > 0;
    }

    @Override
    public boolean isFirst() throws SQLException {
        checkClosed();
        return position == 0 && rows.rowCount() > 0;
    }

    @Override
    public boolean isLast() throws SQLException {
        checkClosed();
        return rows.rowCount() > 0 && position == rows.rowCount() - 1;
    }

    @Override
    public int getRow() throws SQLException {
        checkClosed();
        return position >= 0 && position < rows.rowCount() ? position + 1 : 0;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkClosed();
        if (rows < 0) {
            throw new SQLException("Value must be between 0 and getMaxRows()", ILLEGAL_ARGUMENT);
        }
        // the rows are all here already: the hint is kept only so getFetchSize answers it back
        fetchSize = rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkClosed();
        return fetchSize;
    }

    @Override
    public int getHoldability() {
        return HOLD_CURSORS_OVER_COMMIT;
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkClosed();
        return warnings;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkClosed();
        warnings = null;
    }

    @Override
    public String getCursorName() throws SQLException {
        throw new SQLException("Positioned Update not supported.", "S1C00");
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkClosed();
        return new CachedResultSetMetaData(columns);
    }

    @Override
    public Statement getStatement() throws SQLException {
        if (closed) {
            throw new SQLException("Operation not allowed on closed ResultSet.", GENERAL_ERROR);
        }
        return statement;
    }

    @Override
    public int findColumn(String label) throws SQLException {
        checkClosed();
        if (label != null) {
            // as Connector/J: the label, case-insensitively and first match wins, then "table.label"
            for (int i = 0; i < columns.size(); i++) {
                if (label.equalsIgnoreCase(columns.get(i).columnLabel())) {
                    return i + 1;
                }
            }
            for (int i = 0; i < columns.size(); i++) {
                ColumnMeta c = columns.get(i);
                if (c.tableName() != null && label.equalsIgnoreCase(c.tableName() + "." + c.columnLabel())) {
                    return i + 1;
                }
            }
        }
        throw new SQLSyntaxErrorException("Column '" + label + "' not found.", "42S22");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        checkClosed();
        if (iface != null && iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Unable to unwrap to " + iface, ILLEGAL_ARGUMENT);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        checkClosed();
        return iface != null && iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "CachedResultSet of " + rows.rowCount() + " rows x " + columns.size() + " columns";
    }

    // ---- cell access ---------------------------------------------------------------------

    /** The stored value of a column of the current row, setting wasNull; never a copy. */
    private Object value(int column) throws SQLException {
        checkRow();
        checkColumn(column);
        Object v = rows.values().get(position)[column - 1];
        wasNull = v == null;
        return v;
    }

    /** The current row's cell converted and kept under {@code kind}; null for SQL NULL. */
    private <T> T convert(int column, CellConverter.Target<T> target, GetterMemo.Kind kind) throws SQLException {
        Object v = value(column);
        return v == null ? null : cells.convert(position, column, v, target, kind);
    }

    /** The current row's cell converted and not kept: the result depends on more than the cell. */
    private <T> T convertUnkept(int column, CellConverter.Target<T> target) throws SQLException {
        Object v = value(column);
        return v == null ? null : cells.convertUnkept(position, column, v, target);
    }

    /** The current row's cell as a java.sql.Date, Time or Timestamp in {@code tz}: {@link CachedCells#temporal}. */
    private java.util.Date temporal(int column, TimeZone tz, GetterMemo.Kind kind, boolean keep) throws SQLException {
        Object v = value(column);
        return v == null ? null : cells.temporal(position, column, v, tz, kind, keep);
    }

    private static TimeZone zone(Calendar cal) {
        return cal != null ? cal.getTimeZone() : TimeZone.getDefault();
    }

    @Override
    public String getString(int column) throws SQLException {
        Object v = value(column);
        return v == null ? null : cells.text(position, column, v);
    }

    @Override
    public boolean getBoolean(int column) throws SQLException {
        Boolean b = convert(column, CellConverter.BOOLEAN, GetterMemo.Kind.BOOLEAN);
        return b != null && b;
    }

    @Override
    public byte getByte(int column) throws SQLException {
        Byte b = convert(column, CellConverter.BYTE, GetterMemo.Kind.BYTE);
        return b == null ? 0 : b;
    }

    @Override
    public short getShort(int column) throws SQLException {
        Short s = convert(column, CellConverter.SHORT, GetterMemo.Kind.SHORT);
        return s == null ? 0 : s;
    }

    @Override
    public int getInt(int column) throws SQLException {
        Integer i = convert(column, CellConverter.INT, GetterMemo.Kind.INT);
        return i == null ? 0 : i;
    }

    @Override
    public long getLong(int column) throws SQLException {
        Long l = convert(column, CellConverter.LONG, GetterMemo.Kind.LONG);
        return l == null ? 0 : l;
    }

    @Override
    public float getFloat(int column) throws SQLException {
        Float f = convert(column, CellConverter.FLOAT, GetterMemo.Kind.FLOAT);
        return f == null ? 0 : f;
    }

    @Override
    public double getDouble(int column) throws SQLException {
        Double d = convert(column, CellConverter.DOUBLE, GetterMemo.Kind.DOUBLE);
        return d == null ? 0 : d;
    }

    @Override
    public BigDecimal getBigDecimal(int column) throws SQLException {
        return convert(column, CellConverter.BIG_DECIMAL, GetterMemo.Kind.BIG_DECIMAL);
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int column, int scale) throws SQLException {
        BigDecimal d = getBigDecimal(column);
        return d == null ? null : d.setScale(scale, RoundingMode.HALF_UP);
    }

    @Override
    public byte[] getBytes(int column) throws SQLException {
        Object v = value(column);
        if (v == null) {
            return null;
        }
        return cells.cell(position, column, v).bytesCopy();
    }

    @Override
    public Date getDate(int column) throws SQLException {
        return (Date) temporal(column, TimeZone.getDefault(), GetterMemo.Kind.DATE, true);
    }

    @Override
    public Date getDate(int column, Calendar cal) throws SQLException {
        // a TIME read as a Date is the epoch day in the default zone whatever the calendar:
        // the result depends on two zones, so only the calendar-less form is kept
        return (Date) temporal(column, zone(cal), GetterMemo.Kind.DATE, cal == null);
    }

    @Override
    public Time getTime(int column) throws SQLException {
        return (Time) temporal(column, TimeZone.getDefault(), GetterMemo.Kind.TIME, true);
    }

    @Override
    public Time getTime(int column, Calendar cal) throws SQLException {
        return (Time) temporal(column, zone(cal), GetterMemo.Kind.TIME, true);
    }

    @Override
    public Timestamp getTimestamp(int column) throws SQLException {
        return (Timestamp) temporal(column, TimeZone.getDefault(), GetterMemo.Kind.TIMESTAMP, true);
    }

    @Override
    public Timestamp getTimestamp(int column, Calendar cal) throws SQLException {
        return (Timestamp) temporal(column, zone(cal), GetterMemo.Kind.TIMESTAMP, true);
    }

    @Override
    public Object getObject(int column) throws SQLException {
        return CachedCells.copy(value(column));
    }

    @Override
    public Object getObject(int column, Map<String, Class<?>> map) throws SQLException {
        return getObject(column);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getObject(int column, Class<T> type) throws SQLException {
        if (type == null) {
            throw new SQLException("Type parameter can not be null", ILLEGAL_ARGUMENT);
        }
        checkClosed();
        Object result;
        if (type == String.class) {
            result = getString(column);
        } else if (type == BigDecimal.class) {
            result = getBigDecimal(column);
        } else if (type == BigInteger.class) {
            result = getBigInteger(column);
        } else if (type == Boolean.class || type == Boolean.TYPE) {
            result = convert(column, CellConverter.BOOLEAN, GetterMemo.Kind.BOOLEAN);
        } else if (type == Byte.class || type == Byte.TYPE) {
            result = convert(column, CellConverter.BYTE, GetterMemo.Kind.BYTE);
        } else if (type == Short.class || type == Short.TYPE) {
            result = convert(column, CellConverter.SHORT, GetterMemo.Kind.SHORT);
        } else if (type == Integer.class || type == Integer.TYPE) {
            result = convert(column, CellConverter.INT, GetterMemo.Kind.INT);
        } else if (type == Long.class || type == Long.TYPE) {
            result = convert(column, CellConverter.LONG, GetterMemo.Kind.LONG);
        } else if (type == Float.class || type == Float.TYPE) {
            result = convert(column, CellConverter.FLOAT, GetterMemo.Kind.FLOAT);
        } else if (type == Double.class || type == Double.TYPE) {
            result = convert(column, CellConverter.DOUBLE, GetterMemo.Kind.DOUBLE);
        } else if (type == byte[].class) {
            result = getBytes(column);
        } else if (type == Date.class) {
            result = getDate(column);
        } else if (type == Time.class) {
            result = getTime(column);
        } else if (type == Timestamp.class) {
            result = getTimestamp(column);
        } else if (type == java.util.Date.class) {
            Timestamp ts = getTimestamp(column);
            result = ts == null ? null : java.util.Date.from(ts.toInstant());
        } else if (type == Clob.class) {
            result = getClob(column);
        } else if (type == Blob.class) {
            result = getBlob(column);
        } else if (type == NClob.class) {
            result = getNClob(column);
        } else if (type == LocalDate.class) {
            result = convert(column, CellConverter.LOCAL_DATE, GetterMemo.Kind.LOCAL_DATE);
        } else if (type == LocalTime.class) {
            result = convert(column, CellConverter.LOCAL_TIME, GetterMemo.Kind.LOCAL_TIME);
        } else if (type == LocalDateTime.class) {
            result = convert(column, CellConverter.LOCAL_DATE_TIME, GetterMemo.Kind.LOCAL_DATE_TIME);
        } else if (type == OffsetDateTime.class) {
            result = convertUnkept(column, CellConverter.offsetDateTime());
        } else if (type == OffsetTime.class) {
            result = convertUnkept(column, CellConverter.offsetTime());
        } else if (type == ZonedDateTime.class) {
            result = convertUnkept(column, CellConverter.zonedDateTime());
        } else {
            // Instant included: Connector/J 9 refuses it for every column type
            throw new SQLException("Conversion not supported for type " + type.getName(), ILLEGAL_ARGUMENT);
        }
        return (T) result;
    }

    private BigInteger getBigInteger(int column) throws SQLException {
        String s = getString(column);
        if (s == null) {
            return null;
        }
        try {
            return new BigInteger(s);
        } catch (NumberFormatException e) {
            throw new SQLException("Bad format for BigInteger '" + column + "' in column " + s + ".", ILLEGAL_ARGUMENT);
        }
    }

    /** Streams exist only for string and binary columns in Connector/J; the rest is a conversion error. */
    private byte[] streamBytes(int column, String targetType) throws SQLException {
        Object v = value(column);
        if (v == null) {
            return null;
        }
        CellConverter.Cell cell = cells.cell(position, column, v);
        if (cell.source() != CellConverter.Source.BYTES) {
            throw new SQLDataException("Unsupported conversion from " + cell.source() + " to " + targetType, "22018");
        }
        return cell.bytesCopy();
    }

    /** Connector/J refuses the N-getters unless the column's charset is UTF-8; binary and non-string columns are not. */
    private void checkNational(int column, String method) throws SQLException {
        value(column);
        if (!CellConverter.isCharacterData(columns.get(column - 1))) {
            throw new SQLException("Can not call " + method + "() when field's charset isn't UTF-8");
        }
    }

    @Override
    public InputStream getBinaryStream(int column) throws SQLException {
        byte[] b = streamBytes(column, InputStream.class.getName());
        return b == null ? null : new ByteArrayInputStream(b);
    }

    @Override
    public InputStream getAsciiStream(int column) throws SQLException {
        return getBinaryStream(column);
    }

    @Override
    @Deprecated
    public InputStream getUnicodeStream(int column) throws SQLException {
        return getBinaryStream(column);
    }

    @Override
    public Reader getCharacterStream(int column) throws SQLException {
        byte[] b = streamBytes(column, InputStream.class.getName());
        if (b == null) {
            return null;
        }
        // Connector/J decodes in the column's encoding: binary columns map to ISO-8859-1, and the
        // cache assumes text columns are UTF-8 (utf8mb4), the Connector/J 9 default
        boolean binary = rows.values().get(position)[column - 1] instanceof byte[];
        return new StringReader(new String(b, binary ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8));
    }

    @Override
    public Reader getNCharacterStream(int column) throws SQLException {
        checkNational(column, "getNCharacterStream");
        return getCharacterStream(column);
    }

    @Override
    public String getNString(int column) throws SQLException {
        checkNational(column, "getNString");
        return getString(column);
    }

    @Override
    public Blob getBlob(int column) throws SQLException {
        byte[] b = getBytes(column);
        return b == null ? null : new CachedBlob(b);
    }

    @Override
    public Clob getClob(int column) throws SQLException {
        String s = getString(column);
        return s == null ? null : new CachedClob(s.toCharArray());
    }

    @Override
    public NClob getNClob(int column) throws SQLException {
        checkNational(column, "getNClob");
        String s = getString(column);
        return s == null ? null : new CachedClob(s.toCharArray());
    }

    @Override
    public URL getURL(int column) throws SQLException {
        String s = getString(column);
        if (s == null) {
            return null;
        }
        try {
            return new URL(s);
        } catch (MalformedURLException e) {
            throw new SQLException("Malformed URL '" + s + "'", ILLEGAL_ARGUMENT);
        }
    }

    @Override
    public SQLXML getSQLXML(int column) throws SQLException {
        value(column);
        throw new SQLFeatureNotSupportedException("SQLXML is not served from the cache");
    }

    @Override
    public Array getArray(int column) throws SQLException {
        value(column);
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public Ref getRef(int column) throws SQLException {
        checkColumn(column);
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public RowId getRowId(int column) throws SQLException {
        throw new SQLFeatureNotSupportedException();
    }
}

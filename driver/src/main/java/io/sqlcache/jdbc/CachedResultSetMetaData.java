package io.sqlcache.jdbc;

import io.sqlcache.codec.ColumnMeta;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.List;

/**
 * Result set metadata answered from the {@link ColumnMeta} captured from the real driver, so a
 * cached result describes its columns exactly as the real one did.
 *
 * <p>Immutable and thread-safe. String answers may be null where the real driver's were.
 */
public final class CachedResultSetMetaData implements ResultSetMetaData {

    private final List<ColumnMeta> columns;

    /**
     * @param columns the columns in order, not null
     */
    public CachedResultSetMetaData(List<ColumnMeta> columns) {
        this.columns = List.copyOf(columns);
    }

    private ColumnMeta column(int column) throws SQLException {
        if (column < 1 || column > columns.size()) {
            // Connector/J's ResultSetMetaData answers a bad index with S1002
            throw new SQLException("Column index out of range.", "S1002");
        }
        return columns.get(column - 1);
    }

    @Override
    public int getColumnCount() {
        return columns.size();
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        return column(column).autoIncrement();
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        return column(column).caseSensitive();
    }

    // isSearchable, isCurrency and getSchemaName: Connector/J answers these without checking
    // the index, so a bad index gets its constant answer here too

    @Override
    public boolean isSearchable(int column) {
        return column < 1 || column > columns.size() || columns.get(column - 1).searchable();
    }

    @Override
    public boolean isCurrency(int column) {
        return column >= 1 && column <= columns.size() && columns.get(column - 1).currency();
    }

    @Override
    public int isNullable(int column) throws SQLException {
        return column(column).nullable();
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        return column(column).signed();
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        return column(column).displaySize();
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        return column(column).columnLabel();
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        return column(column).columnName();
    }

    @Override
    public String getSchemaName(int column) {
        return column < 1 || column > columns.size() ? "" : columns.get(column - 1).schemaName();
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        return column(column).precision();
    }

    @Override
    public int getScale(int column) throws SQLException {
        return column(column).scale();
    }

    @Override
    public String getTableName(int column) throws SQLException {
        return column(column).tableName();
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        return column(column).catalogName();
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        return column(column).columnType();
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        return column(column).columnTypeName();
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        return column(column).readOnly();
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        return column(column).writable();
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        return column(column).definitelyWritable();
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        return column(column).columnClassName();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface != null && iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("Unable to unwrap to " + iface, "S1009");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface != null && iface.isInstance(this);
    }

    @Override
    public String toString() {
        return "CachedResultSetMetaData of " + columns.size() + " columns";
    }
}

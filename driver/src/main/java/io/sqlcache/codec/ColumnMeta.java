package io.sqlcache.codec;

/**
 * Everything {@link java.sql.ResultSetMetaData} says about one column, captured from the
 * real driver so a cached result set answers exactly the same.
 */
public record ColumnMeta(
        String catalogName,
        String schemaName,
        String tableName,
        String columnName,
        String columnLabel,
        int columnType,
        String columnTypeName,
        String columnClassName,
        int precision,
        int scale,
        int nullable,
        boolean signed,
        int displaySize,
        boolean autoIncrement,
        boolean caseSensitive,
        boolean currency,
        boolean searchable,
        boolean readOnly,
        boolean writable,
        boolean definitelyWritable) {
}

package io.sqlcache.invalidate;

import java.util.Locale;

/**
 * A table's primary key when it is one integer column: its name and the range of values the
 * column can hold that a {@code long} can express (an unsigned BIGINT above {@code Long.MAX_VALUE}
 * is never inside a range the analysis accepts). Immutable.
 *
 * @param column the column's name, lowercased
 * @param min    the smallest value the column holds
 * @param max    the largest value the column holds, at most {@code Long.MAX_VALUE}
 */
public record RowKey(String column, long min, long max) {

    /** The key for one primary-key column, or {@code null} when it is not a plain integer column. */
    static RowKey of(CatalogReader.PrimaryKeyRow row) {
        if (row.column() == null || row.dataType() == null) {
            return null;
        }
        String extra = row.extra() == null ? "" : row.extra().toUpperCase(Locale.ROOT);
        if (extra.contains("GENERATED") || extra.contains("VIRTUAL") || extra.contains("PERSISTENT")
                || extra.contains("STORED")) {
            return null; // a generated key changes when the columns it is computed from do
        }
        boolean unsigned = row.columnType() != null && row.columnType().toLowerCase(Locale.ROOT).contains("unsigned");
        String column = row.column().toLowerCase(Locale.ROOT);
        return switch (row.dataType().toLowerCase(Locale.ROOT)) {
            case "tinyint" -> unsigned ? new RowKey(column, 0, 255) : new RowKey(column, -128, 127);
            case "smallint" -> unsigned ? new RowKey(column, 0, 65_535) : new RowKey(column, -32_768, 32_767);
            case "mediumint" -> unsigned ? new RowKey(column, 0, 16_777_215) : new RowKey(column, -8_388_608, 8_388_607);
            case "int", "integer" -> unsigned ? new RowKey(column, 0, 4_294_967_295L)
                    : new RowKey(column, Integer.MIN_VALUE, Integer.MAX_VALUE);
            case "bigint" -> unsigned ? new RowKey(column, 0, Long.MAX_VALUE) : new RowKey(column, Long.MIN_VALUE, Long.MAX_VALUE);
            default -> null;
        };
    }
}

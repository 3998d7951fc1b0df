package io.sqlcache.codec;

import java.util.List;

/**
 * A materialized result: column metadata and the rows' values.
 *
 * <p>{@code values.get(r)[c]} is what the real driver's {@code getObject(c + 1)} returned for
 * row {@code r}: {@code null}, or one of the cell types {@link EntryCodec} supports.
 * {@code strings.get(r)} is either {@code null} (every {@code getString} of that row equals
 * {@code String.valueOf(value)}) or an array whose non-null elements are what the real
 * driver's {@code getString} returned where that differs from the value's {@code toString()}.
 * Immutable by convention: nobody mutates the arrays after capture.
 */
public record CachedRows(List<ColumnMeta> columns, List<Object[]> values, List<String[]> strings) {

    public CachedRows {
        columns = List.copyOf(columns);
        values = List.copyOf(values);
        strings = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(strings));
        if (values.size() != strings.size()) {
            throw new IllegalArgumentException("values and strings must have one element per row");
        }
    }

    /** Number of rows. */
    public int rowCount() {
        return values.size();
    }
}

package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;
import io.sqlcache.codec.ColumnMeta;

import java.sql.Date;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.List;
import java.util.TimeZone;

/**
 * The cells of one {@link CachedRows} as {@link CachedResultSet}'s getters convert them: the
 * text, the raw form and the conversions of a non-null cell, kept in a {@link GetterMemo} so that
 * every result set over the same rows converts each cell once. The cursor, the checks and
 * {@code wasNull} stay with the result set, which calls these only for a valid, non-null cell.
 *
 * <p>{@code row} is 0-based (the result set's position), {@code column} 1-based (the JDBC index).
 * Thread safety is the memo's: a shared memo may be read and written by many result sets at once.
 */
final class CachedCells {

    private final CachedRows rows;
    private final List<ColumnMeta> columns;
    private final GetterMemo memo;

    CachedCells(CachedRows rows, GetterMemo memo) {
        this.rows = rows;
        this.columns = rows.columns();
        this.memo = memo;
    }

    String text(int row, int column, Object value) {
        String[] overrides = rows.strings().get(row);
        String s = overrides == null ? null : overrides[column - 1];
        if (s != null) {
            return s;
        }
        if (value instanceof String str) {
            return str;
        }
        Object kept = memo.get(GetterMemo.Kind.STRING, row, column - 1);
        if (kept != null) {
            return (String) kept;
        }
        String t = String.valueOf(value);
        memo.put(GetterMemo.Kind.STRING, row, column - 1, t);
        return t;
    }

    /**
     * The value of a conversion with an immutable result, kept in the memo under {@code kind}:
     * each kind is used with exactly one target, so a kept value is that target's result.
     */
    @SuppressWarnings("unchecked")
    <T> T convert(int row, int column, Object value, CellConverter.Target<T> target, GetterMemo.Kind kind)
            throws SQLException {
        Object kept = memo.get(kind, row, column - 1);
        if (kept != null) {
            return (T) kept;
        }
        T converted = convertUnkept(row, column, value, target);
        memo.put(kind, row, column - 1, converted);
        return converted;
    }

    /**
     * The cell {@code value} converted to {@code target} and not kept (used alone where the result
     * depends on more than the cell, the default zone): from the value itself where that is the
     * same answer ({@link CellConverter#readsAsItself}), else through its text.
     */
    <T> T convertUnkept(int row, int column, Object value, CellConverter.Target<T> target) throws SQLException {
        String[] overrides = rows.strings().get(row);
        boolean overridden = overrides != null && overrides[column - 1] != null;
        return CellConverter.readsAsItself(columns.get(column - 1), value, overridden)
                ? CellConverter.fromValue(value, target)
                : CellConverter.convert(cell(row, column, value), target);
    }

    /**
     * A java.sql.Date, Time or Timestamp converted in {@code tz}: kept with a snapshot of the zone,
     * served again only to a caller whose zone converts the same, and always as a copy (the kept
     * one is shared with other result sets; the caller may mutate what it gets).
     *
     * @param keep false where the result depends on more than the cell and {@code tz}
     */
    java.util.Date temporal(int row, int column, Object value, TimeZone tz, GetterMemo.Kind kind, boolean keep)
            throws SQLException {
        keep = keep && memo.keeps() && GetterMemo.Zoned.canKey(tz);
        if (keep && memo.get(kind, row, column - 1) instanceof GetterMemo.Zoned z && z.appliesTo(tz)) {
            return (java.util.Date) copy(z.value());
        }
        CellConverter.Target<? extends java.util.Date> target = switch (kind) {
            case DATE -> CellConverter.sqlDate(tz);
            case TIME -> CellConverter.sqlTime(tz);
            case TIMESTAMP -> CellConverter.sqlTimestamp(tz);
            default -> throw new IllegalArgumentException(kind.name());
        };
        java.util.Date converted = CellConverter.convert(cell(row, column, value), target);
        if (keep) {
            memo.put(kind, row, column - 1, GetterMemo.Zoned.of(tz, (java.util.Date) copy(converted)));
        }
        return converted;
    }

    /** The raw form of the cell {@code value}, kept: it is a function of the cell alone. */
    CellConverter.Cell cell(int row, int column, Object value) {
        Object kept = memo.get(GetterMemo.Kind.CELL, row, column - 1);
        if (kept != null) {
            return (CellConverter.Cell) kept;
        }
        CellConverter.Cell cell = CellConverter.cell(columns.get(column - 1), value, text(row, column, value));
        memo.put(GetterMemo.Kind.CELL, row, column - 1, cell);
        return cell;
    }

    /** The stored values are shared by every hit: hand out copies of the mutable ones. */
    static Object copy(Object v) {
        if (v instanceof byte[] b) {
            return b.clone();
        }
        if (v instanceof Timestamp t) {
            Timestamp c = new Timestamp(t.getTime());
            c.setNanos(t.getNanos());
            return c;
        }
        if (v instanceof Time t) {
            return new Time(t.getTime());
        }
        if (v instanceof Date d) {
            return new Date(d.getTime());
        }
        return v;
    }
}

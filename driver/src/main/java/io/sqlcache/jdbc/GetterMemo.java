package io.sqlcache.jdbc;

import io.sqlcache.codec.CachedRows;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.SimpleTimeZone;
import java.util.TimeZone;

/**
 * The getters' converted values, per cell and per kind of conversion, shared by every
 * {@link CachedResultSet} over one {@link CachedRows} (one decoded entry serves every hit on its
 * key). A conversion replays Connector/J's decoding pipeline (parse the wire text, go through a
 * GregorianCalendar for temporals...): done once per cell, not once per hit.
 *
 * <p>What may be kept: a value that is a pure function of the cell (its value, its getString
 * text and its column's metadata) and of the memo key. Immutable results (String, Integer,
 * BigDecimal, LocalDateTime...) are handed out as they are; a mutable one (java.sql.Date, Time,
 * Timestamp) is kept in a {@link Zoned} with the zone it was computed in and is copied on
 * every get by the caller. Failures are never kept: a getter that threw throws again the same
 * way. A slot holds null until its value is known; no conversion of a non-null cell gives null.
 *
 * <p>Thread-safe: a slot is published with release and read with acquire, the per-column tables
 * are created with a CAS. Two readers that miss the same slot both compute it and publish equal
 * values; either one may win.
 */
final class GetterMemo {

    /** What a slot holds; one table per (kind, column), created on first use. */
    enum Kind {
        /** {@link CellConverter.Cell}: the wire text and bytes every conversion starts from. */
        CELL,
        /** getString of a value whose text is its {@code toString()} and not a String already. */
        STRING,
        BOOLEAN, BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, BIG_DECIMAL,
        LOCAL_DATE, LOCAL_TIME, LOCAL_DATE_TIME,
        /** {@link Zoned} java.sql.Date, Time and Timestamp, valid for the zone they hold. */
        DATE, TIME, TIMESTAMP
    }

    private static final Kind[] KINDS = Kind.values();
    private static final VarHandle TABLES = MethodHandles.arrayElementVarHandle(Object[][].class);
    private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);
    /** The JDK's own zone classes: their equality of rules is exact, and a clone is a snapshot. */
    private static final Class<?> ZONE_INFO = TimeZone.getTimeZone("UTC").getClass();

    /**
     * Test hook: runs after a value was computed and before it is published. Unset (null) it
     * costs one volatile read per computed value, never on a served one.
     */
    static volatile Runnable beforePublish;

    /** Keeps nothing: see {@link #none()}. */
    private static final GetterMemo NONE = new GetterMemo();

    private final int rows;
    private final int columns;
    /** [kind * columns + column]: null, or one slot per row; null for {@link #NONE}. */
    private final Object[][] tables;

    private GetterMemo(CachedRows rows) {
        this.rows = rows.rowCount();
        this.columns = rows.columns().size();
        this.tables = new Object[KINDS.length * columns][];
    }

    private GetterMemo() {
        this.rows = 0;
        this.columns = 0;
        this.tables = null;
    }

    /** The memo shared by every result set over {@code rows}; thread-safe. */
    static GetterMemo of(CachedRows rows) {
        return rows.derived(GetterMemo.class, GetterMemo::new);
    }

    /**
     * A memo that keeps nothing, for rows that one result set reads once and no other hit will
     * see (no local copy keeps the decoded entry): keeping each conversion, and a copy of each
     * Timestamp with a snapshot of its zone, would only cost.
     */
    static GetterMemo none() {
        return NONE;
    }

    /** Whether this memo keeps values at all (false for {@link #none()}). */
    boolean keeps() {
        return tables != null;
    }

    /** The kept value of a cell (row and column from 0), or null when nobody computed it yet. */
    Object get(Kind kind, int row, int column) {
        if (tables == null) {
            return null;
        }
        Object[] table = (Object[]) TABLES.getAcquire(tables, kind.ordinal() * columns + column);
        return table == null ? null : SLOTS.getAcquire(table, row);
    }

    /** Keeps the value of a cell; {@code value} must never be mutated afterwards, by anyone. */
    void put(Kind kind, int row, int column, Object value) {
        if (tables == null) {
            return;
        }
        Runnable hook = beforePublish;
        if (hook != null) {
            hook.run();
        }
        int i = kind.ordinal() * columns + column;
        Object[] table = (Object[]) TABLES.getAcquire(tables, i);
        if (table == null) {
            Object[] fresh = new Object[rows];
            Object[] witness = (Object[]) TABLES.compareAndExchange(tables, i, (Object[]) null, fresh);
            table = witness == null ? fresh : witness;
        }
        SLOTS.setRelease(table, row, value);
    }

    /**
     * A java.sql.Date, Time or Timestamp computed in {@code zone} (a private snapshot of the zone
     * that was used), never handed out itself: callers copy it.
     */
    record Zoned(TimeZone zone, java.util.Date value) {

        /** Whether a zone's results may be kept: only the JDK's zones, whose rules compare exactly. */
        static boolean canKey(TimeZone tz) {
            return tz != null && (tz.getClass() == ZONE_INFO || tz.getClass() == SimpleTimeZone.class);
        }

        /** Keeps a copy of the zone: a Calendar's zone can be changed by its owner afterwards. */
        static Zoned of(TimeZone tz, java.util.Date value) {
            return new Zoned((TimeZone) tz.clone(), value);
        }

        /**
         * Whether {@code tz} converts exactly as the kept zone did: same class, id, offsets and
         * daylight-saving rules (GregorianCalendar reads nothing else of a zone).
         */
        boolean appliesTo(TimeZone tz) {
            return tz.getClass() == zone.getClass()
                    && tz.getID().equals(zone.getID())
                    && tz.getRawOffset() == zone.getRawOffset()
                    && tz.getDSTSavings() == zone.getDSTSavings()
                    && zone.hasSameRules(tz);
        }
    }
}

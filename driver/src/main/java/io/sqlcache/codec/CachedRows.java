package io.sqlcache.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * A materialized result: column metadata and the rows' values.
 *
 * <p>{@code values.get(r)[c]} is what the real driver's {@code getObject(c + 1)} returned for
 * row {@code r}: {@code null}, or one of the cell types {@link EntryCodec} supports.
 * {@code strings.get(r)} is either {@code null} (every {@code getString} of that row equals
 * {@code String.valueOf(value)}) or an array whose non-null elements are what the real
 * driver's {@code getString} returned where that differs from the value's {@code toString()}.
 * Immutable by convention: nobody mutates the arrays after capture.
 *
 * <p>A class rather than a record only for {@link #derived}: one decoded instance is shared by
 * every hit on its entry, and what readers derive from it (the getters' converted values) is
 * worth sharing too. Equality and the string form are those of the three lists, as the record's
 * were. Thread-safe for reading; the lists are unmodifiable.
 */
public final class CachedRows {

    private static final VarHandle DERIVED;

    static {
        try {
            DERIVED = MethodHandles.lookup().findVarHandle(CachedRows.class, "derived", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final List<ColumnMeta> columns;
    private final List<Object[]> values;
    private final List<String[]> strings;
    /** Built on first use by {@link #derived}; read with acquire, set once with a CAS. */
    @SuppressWarnings("unused")
    private Object derived;

    /**
     * @param columns one element per column, not null
     * @param values  one array per row, not null (the arrays are kept, not copied)
     * @param strings one element per row, each null or an array as described above; not null
     */
    public CachedRows(List<ColumnMeta> columns, List<Object[]> values, List<String[]> strings) {
        this(ColumnLists.canonical(columns), values, strings, true);
    }

    /**
     * Rows with the very column list of {@code sameColumns} (an earlier result of the same
     * columns): no copy, hash or lookup of the metadata, which a miss's capture of a small result
     * paid for on every result.
     *
     * @param sameColumns rows whose columns these have, not null
     * @param values      as for {@link #CachedRows(List, List, List)}
     * @param strings     as for {@link #CachedRows(List, List, List)}
     */
    public CachedRows(CachedRows sameColumns, List<Object[]> values, List<String[]> strings) {
        this(sameColumns.columns, values, strings, true);
    }

    /** {@code canonical} is already a list of {@link ColumnLists}; the flag only tells this constructor apart. */
    private CachedRows(List<ColumnMeta> canonical, List<Object[]> values, List<String[]> strings, boolean alreadyCanonical) {
        this.columns = canonical;
        this.values = List.copyOf(values);
        this.strings = Collections.unmodifiableList(new ArrayList<>(strings));
        if (this.values.size() != this.strings.size()) {
            throw new IllegalArgumentException("values and strings must have one element per row");
        }
    }

    /** The columns' metadata, in order; never null. */
    public List<ColumnMeta> columns() {
        return columns;
    }

    /** One array of cell values per row; never null. */
    public List<Object[]> values() {
        return values;
    }

    /** One element per row: null, or the getString overrides of that row; never null. */
    public List<String[]> strings() {
        return strings;
    }

    /** Number of rows. */
    public int rowCount() {
        return values.size();
    }

    /**
     * A structure a reader derives from these rows and shares between all readers of this
     * instance, built by {@code make} on first use. Valid for the life of the instance because the
     * rows never change. One slot: if it holds an object of another type, the caller gets a fresh,
     * unshared one. Thread-safe: under a race {@code make} may run twice, and every caller gets
     * the one object that was published first.
     *
     * @param type the class of the derived structure, not null
     * @param make builds it from these rows; not null, must not return null (a method reference
     *             such as {@code Memo::new} keeps the call free of allocation once built)
     * @return the shared instance (or an unshared one as said above), never null
     */
    public <T> T derived(Class<T> type, Function<CachedRows, ? extends T> make) {
        Object d = DERIVED.getAcquire(this);
        if (d == null) {
            T made = Objects.requireNonNull(make.apply(this), "derived");
            Object witness = DERIVED.compareAndExchange(this, null, made);
            d = witness == null ? made : witness;
        }
        return type.isInstance(d) ? type.cast(d) : make.apply(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CachedRows r && columns.equals(r.columns) && values.equals(r.values)
                && strings.equals(r.strings);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, values, strings);
    }

    @Override
    public String toString() {
        return "CachedRows[columns=" + columns + ", values=" + values + ", strings=" + strings + "]";
    }
}

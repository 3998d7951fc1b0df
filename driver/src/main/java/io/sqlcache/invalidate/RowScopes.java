package io.sqlcache.invalidate;

import io.sqlcache.sql.RowCondition;
import io.sqlcache.sql.RowValue;
import io.sqlcache.sql.SqlAnalysis;
import io.sqlcache.sql.StatementKind;
import io.sqlcache.sql.TableName;
import io.sqlcache.sql.TableRows;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Row-range versions: which primary-key buckets of a table a read depends on, and which a write
 * changes, so that a write to row 42 does not invalidate a cached read of rows 5000-9999.
 * Stateless and thread-safe.
 *
 * <p>A table whose primary key is one integer column ({@link RowKey}) has, besides its version
 * {@code v:t}, a version {@code w:t} and one version per bucket {@code b:t:n}, where bucket
 * {@code n} holds the keys {@code floorDiv(pk, BUCKET_ROWS) == n}. A read of {@code t} whose every
 * occurrence of {@code t} is restricted to known buckets (at most {@link #MAX_BUCKETS}) depends on
 * {@code w:t} and those buckets instead of {@code v:t}; a write that provably changes only rows
 * whose key (before and after) is in known buckets bumps {@code v:t} and those buckets; any other
 * write bumps {@code v:t} and {@code w:t} (see {@link VersionKeys} for the whole table).
 *
 * <p>The restriction of a read comes from {@link SqlAnalysis#rows()} with the statement's own
 * literal values and its integer-typed parameters; a write's likewise, for a single-table UPDATE
 * that does not assign the key, a single-table DELETE, or an INSERT … VALUES that gives the key
 * positive values. Everything else, and everything in doubt, is "whole table".
 */
public final class RowScopes {

    /** Primary-key values per bucket. A constant: every process must bucket alike. */
    public static final int BUCKET_ROWS = 1024;
    /** A read or write spanning more buckets than this depends on (bumps) the whole table. */
    public static final int MAX_BUCKETS = 64;

    private RowScopes() {
    }

    /**
     * The buckets a read depends on, per table; a table absent from the map depends on its
     * whole-table version. Never throws.
     *
     * @param catalog       the catalog, or null to use only models already loaded (event loops)
     * @param schema        the current schema, to resolve unqualified names (may be null)
     * @param tables        the tables the read depends on, resolved and expanded through views
     * @param integerParams the statement's parameters as integers (element null when not bound to
     *                      an integer type), or null when unknown
     */
    public static Map<TableName, long[]> forRead(Dependencies deps, String server, CatalogConnector catalog,
            String schema, SqlAnalysis a, Set<TableName> tables, Long[] integerParams) {
        try {
            return readBuckets(deps, server, catalog, schema, a, tables, integerParams);
        } catch (RuntimeException e) {
            return Map.of(); // I4, and the safe side: the whole table
        }
    }

    private static Map<TableName, long[]> readBuckets(Dependencies deps, String server, CatalogConnector catalog,
            String schema, SqlAnalysis a, Set<TableName> tables, Long[] integerParams) {
        if (a.kind() != StatementKind.READ || a.rows().isEmpty()) {
            return Map.of();
        }
        if (a.rows().size() == 1) {
            // one table restricted once (a point or range read): what the general case below
            // computes, without its maps and sets, on every cached read
            TableRows r = a.rows().get(0);
            TableName t = r.table().resolve(schema);
            if (t.schema() == null || !tables.contains(t)) {
                return Map.of();
            }
            RowKey key = deps.rowKey(server, catalog, t, false);
            long[] b = key == null ? null : buckets(r.conditions(), key, integerParams, false);
            return b == null ? Map.of() : Map.of(t, b);
        }
        Map<TableName, List<TableRows>> byTable = new HashMap<>();
        Set<TableName> named = new java.util.HashSet<>();
        for (TableRows r : a.rows()) {
            TableName t = r.table().resolve(schema);
            if (t.schema() == null) {
                return Map.of();
            }
            named.add(t);
            byTable.computeIfAbsent(t, k -> new ArrayList<>()).add(r);
        }
        Map<TableName, RowKey> keys = deps.rowKeys(server, catalog, named, false);
        Map<TableName, long[]> out = new HashMap<>();
        for (Map.Entry<TableName, List<TableRows>> e : byTable.entrySet()) {
            RowKey key = keys.get(e.getKey());
            if (key == null || !tables.contains(e.getKey())) {
                continue;
            }
            TreeSet<Long> union = new TreeSet<>();
            boolean restricted = true;
            for (TableRows occurrence : e.getValue()) {
                long[] b = buckets(occurrence.conditions(), key, integerParams, false);
                if (b == null) {
                    restricted = false;
                    break;
                }
                for (long n : b) {
                    union.add(n);
                }
            }
            if (restricted && union.size() <= MAX_BUCKETS) {
                out.put(e.getKey(), toArray(union));
            }
        }
        return out;
    }

    /**
     * The buckets a write changes, per table; a table absent from the map changed anywhere.
     * Never throws.
     *
     * @param written the tables it changes, resolved and expanded (triggers, cascades, views)
     * @param unknown true when the written tables are unknown (then the map is empty)
     */
    public static Map<TableName, long[]> forWrite(Dependencies deps, String server, CatalogConnector catalog,
            String schema, SqlAnalysis a, Collection<TableName> written, boolean unknown, Long[] integerParams) {
        try {
            return writeBuckets(deps, server, catalog, schema, a, written, unknown, integerParams);
        } catch (RuntimeException e) {
            return Map.of(); // I4, and the safe side: the whole table
        }
    }

    private static Map<TableName, long[]> writeBuckets(Dependencies deps, String server, CatalogConnector catalog,
            String schema, SqlAnalysis a, Collection<TableName> written, boolean unknown, Long[] integerParams) {
        if (unknown || a.kind() != StatementKind.WRITE || a.writesUnknown() || a.rows().size() != 1
                || a.tablesWritten().size() != 1) {
            return Map.of();
        }
        TableRows target = a.rows().get(0);
        TableName t = target.table().resolve(schema);
        if (t.schema() == null || !a.tablesWritten().iterator().next().resolve(schema).equals(t)
                || written.size() != 1 || !written.contains(t)) {
            return Map.of(); // it changes more than its own table: a trigger, a cascade, a view
        }
        RowKey key = deps.rowKey(server, catalog, t, true);
        if (key == null || target.assigned().contains(key.column())) {
            return Map.of();
        }
        long[] b = buckets(target.conditions(), key, integerParams, target.insert());
        return b == null ? Map.of() : Map.of(t, b);
    }

    /**
     * The buckets holding every key the conditions allow, or {@code null} when they do not bound
     * the key to at most {@link #MAX_BUCKETS} buckets.
     *
     * @param insert the conditions are the values of an INSERT: one IN condition on the key, each
     *               value positive (0 and NULL make AUTO_INCREMENT choose) and in the column's range
     */
    static long[] buckets(List<RowCondition> conditions, RowKey key, Long[] integerParams, boolean insert) {
        if (conditions.size() == 1) {
            // key = v alone, the point read: its one bucket, without the sets below on every hit
            // (what they compute for it; any other outcome is left to them)
            RowCondition c = conditions.get(0);
            if (c.op() == RowCondition.Op.IN && c.values().size() == 1 && c.column().equals(key.column())) {
                Long x = c.values().get(0).resolve(integerParams);
                if (x != null && x >= key.min() && x <= key.max() && !(insert && x <= 0)) {
                    return new long[] {Math.floorDiv(x, (long) BUCKET_ROWS)};
                }
            }
        }
        TreeSet<Long> in = null;
        long lo = Long.MIN_VALUE;
        long hi = Long.MAX_VALUE;
        boolean hasLo = false;
        boolean hasHi = false;
        boolean empty = false;
        for (RowCondition c : conditions) {
            if (!c.column().equals(key.column())) {
                continue;
            }
            List<Long> values = new ArrayList<>(c.values().size());
            for (RowValue v : c.values()) {
                Long x = v.resolve(integerParams);
                if (x == null || x < key.min() || x > key.max() || insert && x <= 0) {
                    values = null;
                    break;
                }
                values.add(x);
            }
            if (values == null) {
                if (insert) {
                    return null; // an INSERT's value we cannot read may be any key
                }
                continue; // a WHERE conjunct we cannot use: the others still bound the rows
            }
            switch (c.op()) {
                case IN -> {
                    TreeSet<Long> s = new TreeSet<>(values);
                    if (in != null) {
                        s.retainAll(in);
                    }
                    in = s;
                }
                case GE -> {
                    lo = Math.max(lo, values.get(0));
                    hasLo = true;
                }
                case GT -> {
                    if (values.get(0) == Long.MAX_VALUE) {
                        empty = true;
                    } else {
                        lo = Math.max(lo, values.get(0) + 1);
                        hasLo = true;
                    }
                }
                case LE -> {
                    hi = Math.min(hi, values.get(0));
                    hasHi = true;
                }
                case LT -> {
                    if (values.get(0) == Long.MIN_VALUE) {
                        empty = true;
                    } else {
                        hi = Math.min(hi, values.get(0) - 1);
                        hasHi = true;
                    }
                }
                default -> throw new IllegalStateException("unknown operator " + c.op());
            }
        }
        if (insert && (in == null || hasLo || hasHi)) {
            return null;
        }
        if (empty) {
            return new long[0];
        }
        TreeSet<Long> buckets = new TreeSet<>();
        if (in != null) {
            for (long x : in) {
                if (x >= lo && x <= hi) {
                    buckets.add(Math.floorDiv(x, (long) BUCKET_ROWS));
                }
            }
        } else if (hasLo && hasHi) {
            if (lo > hi) {
                return new long[0];
            }
            long first = Math.floorDiv(lo, (long) BUCKET_ROWS);
            long last = Math.floorDiv(hi, (long) BUCKET_ROWS);
            if (last - first >= MAX_BUCKETS) {
                return null;
            }
            for (long n = first; n <= last; n++) {
                buckets.add(n);
            }
        } else {
            return null;
        }
        return buckets.size() > MAX_BUCKETS ? null : toArray(buckets);
    }

    private static long[] toArray(Collection<Long> values) {
        long[] out = new long[values.size()];
        int i = 0;
        for (long v : values) {
            out[i++] = v;
        }
        return out;
    }
}
